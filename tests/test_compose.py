"""The deployment files, checked without a Docker engine.

docker-compose.yml is validated against the Compose Specification JSON Schema (see
tests/schemas/README.md for where it comes from), then against what the schema
cannot know: every command is a real entry point of this project, long-running services
have healthchecks, exactly one beat, ``depends_on`` conditions that can be met, mounted files
that exist. The systemd units, the Dockerfile and nginx.conf get the same entry-point check.
"""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from publisher import settings
from publisher.cli import build_parser

from .conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"
# not under tests/fixtures: that tree holds only documents to extract
SCHEMA = ROOT / "tests" / "schemas" / "compose-spec.json"
OUR_IMAGE = "meeting-publisher"


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text("utf-8"))
    return data


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def ours(service: dict[str, Any]) -> bool:
    return "build" in service or str(service.get("image", "")).startswith(OUR_IMAGE)


def one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def check_entry_point(args: list[str]) -> str:
    """Raise unless ``args`` runs a real entry point of this project; return its name."""
    program = Path(args[0]).name
    if program == "publisher":
        parser = build_parser()
        try:
            parsed = parser.parse_args(args[1:])
        except SystemExit:
            pytest.fail(f"not a valid publisher command line: {args}")
        return f"publisher {parsed.command}"
    if program == "celery":
        import click
        from celery.bin.celery import celery as celery_cli

        rest = list(args[1:])
        app = None
        while rest and rest[0].startswith("-"):
            option = rest.pop(0)
            if option in ("-A", "--app"):
                app = rest.pop(0)
            elif option.startswith("--app="):
                app = option.split("=", 1)[1]
        assert rest, f"celery without a subcommand: {args}"
        subcommand = rest[0]
        ctx = click.Context(celery_cli)
        assert celery_cli.get_command(ctx, subcommand) is not None or subcommand == "flower", (
            f"celery has no {subcommand!r} command"
        )
        if subcommand == "flower":
            return "celery flower"
        assert app == "workers", f"celery must load the project's app: {args}"
        import workers
        import workers.tasks  # what the worker imports (``include``)

        assert workers.app.main == "publisher"
        for task in ("publisher.sweep_sources", "publisher.release_due", "publisher.render"):
            assert task in workers.app.tasks
        return f"celery {subcommand}"
    pytest.fail(f"unknown program {program!r} in {args}")


# --------------------------------------------------------------------------- the schema


def test_compose_file_matches_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    # the file names draft 2019-09 by a URI jsonschema does not know (http, with "#")
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_catches_mistakes() -> None:
    """The validation is not vacuous: typical mistakes fail."""
    schema = json.loads(SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft201909Validator(schema)
    bad_condition = {
        "services": {"a": {"image": "x", "depends_on": {"b": {"condition": "when_ready"}}}}
    }
    unknown_key = {"services": {"a": {"image": "x", "restart_policy": "always"}}}
    for document in (bad_condition, unknown_key):
        assert list(validator.iter_errors(document))


# --------------------------------------------------------------------------- beyond it


def test_every_service_command_is_a_real_entry_point() -> None:
    seen = {}
    for name, service in services().items():
        if "command" not in service:
            assert not ours(service), f"{name}: our image needs an explicit command"
            continue
        args = argv(service["command"])
        if ours(service):
            seen[name] = check_entry_point(args)
        elif args[0] == "celery":
            assert "flower" in args and str(service["image"]).startswith("mher/flower")
        else:
            assert args[0] in ("redis-server",), f"{name}: unexpected command {args}"
    assert seen == {
        "migrate": "publisher migrate",
        "worker": "celery worker",
        "beat": "celery beat",
        "web": "publisher web",
    }


def test_the_required_services_exist() -> None:
    names = set(services())
    assert {"redis", "postgres", "migrate", "worker", "beat", "web", "nginx", "flower"} <= names
    assert services()["flower"]["profiles"] == ["monitoring"]
    assert all("profiles" not in s for n, s in services().items() if n != "flower")


def test_exactly_one_beat() -> None:
    beats = [
        name
        for name, service in services().items()
        if "command" in service and "beat" in argv(service["command"])
    ]
    assert beats == ["beat"]
    replicas = services()["beat"].get("deploy", {}).get("replicas", 1)
    assert replicas == 1


def test_healthchecks_and_restart_policies() -> None:
    for name, service in services().items():
        if one_shot(service):
            assert "healthcheck" not in service, name
            continue
        assert service.get("restart") in ("unless-stopped", "always"), name
        check = service.get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), f"{name}: healthcheck"
        test = argv(check["test"])
        assert test[0] in ("CMD", "CMD-SHELL"), name
        if name in ("worker",):
            check_entry_point(shlex.split(test[1]))
    web_check = " ".join(argv(services()["web"]["healthcheck"]["test"]))
    assert "/healthz" in web_check


def test_depends_on_conditions_can_be_met() -> None:
    all_services = services()
    for name, service in all_services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in all_services, f"{name} depends on unknown {dependency}"
            target = all_services[dependency]
            condition = spec["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in target, f"{name}: {dependency} has no healthcheck"
            elif condition == "service_completed_successfully":
                assert one_shot(target), f"{name}: {dependency} never completes"
            else:
                assert condition == "service_started"
            assert "profiles" not in target, f"{name} depends on an optional service"
    for name in ("worker", "beat", "web"):
        assert all_services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_volumes_and_configuration() -> None:
    declared = set(compose()["volumes"])
    assert {"pgdata", "output"} <= declared
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                path = ROOT / source
                assert path.exists() or path.with_name(path.name + ".example").exists(), (
                    f"{name}: {source} (nor an .example of it) does not exist"
                )
            else:
                assert source in declared, f"{name}: undeclared volume {source}"
        env_file = service.get("env_file")
        if env_file:
            assert (ROOT / f"{env_file}.example").exists(), f"{name}: {env_file}.example"
    postgres_mount = services()["postgres"]["volumes"][0]
    assert postgres_mount == "pgdata:/var/lib/postgresql/data"
    web = services()["web"]
    assert "output:/srv/publisher/public" in web["volumes"]
    assert "output:/srv/publisher/public:ro" in services()["nginx"]["volumes"]
    assert web["environment"]["PUBLISHER_OUTPUT_DIR"] == "/srv/publisher/public"


def test_the_example_configuration_loads_with_the_example_environment(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    for line in (DEPLOY / "publisher.env.example").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    assert set(env) >= {"POSTGRES_PASSWORD", "PUBLISHER_DATABASE_URL", "PUBLISHER_ADMIN_TOKEN"}
    env.update(services()["web"]["environment"])
    config = tmp_path / "publisher.toml"
    config.write_text((DEPLOY / "publisher.toml.example").read_text("utf-8"), "utf-8")
    loaded = settings.load(config, env=env)
    assert loaded.database_url.startswith("postgresql+psycopg://publisher:")
    assert loaded.broker_url == "redis://redis:6379/0"
    assert loaded.admin_token is None  # empty in the example: admin routes stay off
    assert loaded.sources


def test_nginx_serves_the_output_and_proxies_the_app() -> None:
    text = (DEPLOY / "nginx.conf").read_text("utf-8")
    assert re.search(r"server\s+web:8000;", text)
    assert "root /srv/publisher/public;" in text
    assert "try_files $uri $uri/index.html @app;" in text
    for location in ("location = /metrics", "location ^~ /operator", "location ^~ /admin/"):
        assert location in text
    assert text.count("{") == text.count("}")
    nginx_check = " ".join(argv(services()["nginx"]["healthcheck"]["test"]))
    assert "/nginx-healthz" in nginx_check and "location = /nginx-healthz" in text


def test_dockerfile_and_systemd_units_run_real_entry_points() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert cmd is not None
    check_entry_point(json.loads(cmd.group(1)))
    for copied in re.findall(r"^COPY (\w+) ", dockerfile, re.M):
        assert (ROOT / copied).is_dir(), copied
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert len(units) >= 5
    for unit in units:
        for line in unit.read_text("utf-8").splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")):
                command = line.split("=", 1)[1]
                check_entry_point(shlex.split(command))
    timer = (DEPLOY / "systemd" / "publisher-build.timer").read_text("utf-8")
    assert "OnUnitActiveSec=" in timer


@pytest.mark.slow
def test_publisher_web_serves_the_app_without_a_scheduler(tmp_path: Path) -> None:
    """The web service's command, run for real: probes and pages answer, nothing is polled."""
    import subprocess
    import sys
    import time
    import urllib.request

    from .pipeline import free_port
    from .test_admin import write_config

    config = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    exe = str(Path(sys.executable).with_name("publisher"))
    migrated = subprocess.run(
        [exe, "migrate", "--config", str(config)], capture_output=True, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = tmp_path / "web.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [exe, "web", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    assert json.loads(response.read()) == {"status": "ok"}
                break
            except OSError:
                assert process.poll() is None, log.read_text("utf-8", "replace")
                assert time.monotonic() < deadline, "publisher web did not start"
                time.sleep(0.1)
        for path in ("/readyz", "/status", "/status.json", "/metrics"):
            with urllib.request.urlopen(base + path, timeout=5) as response:
                assert response.status == 200, path
        time.sleep(1.5)  # longer than a sweep would take to start polling
        from publisher.store import Store

        store = Store(f"sqlite:///{tmp_path}/p.db")
        assert store.all_source_states() == [] or all(
            s["last_poll_at"] is None for s in store.all_source_states()
        )
        store.dispose()
    finally:
        process.terminate()
        process.wait(10)
