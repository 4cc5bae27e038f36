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
from collections.abc import Iterator
from dataclasses import dataclass
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


def check_celery(args: list[str]) -> str:
    """Parse the whole argv with Celery's own click command: global options, the subcommand
    and every option of it (types and choices included). Unknown options fail here."""
    import warnings

    import click
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as celery_cli

    import workers
    import workers.tasks  # noqa: F401 - what the worker imports (``include``)

    try:
        ctx = celery_cli.make_context("celery", list(args[1:]))
        ctx.obj = CLIContext(app=workers.app, no_color=True, workdir=None, quiet=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # click 8.2 protected_args
            rest = [*ctx.protected_args, *ctx.args]
        assert rest, f"celery without a subcommand: {args}"
        subcommand = rest[0]
        command = celery_cli.get_command(ctx, subcommand)
        if command is None:
            # Flower's subcommand lives in its own image (mher/flower), not in this project
            assert subcommand == "flower", f"celery has no {subcommand!r} command: {args}"
            return "celery flower"
        command.make_context(subcommand, rest[1:], parent=ctx)
    except click.ClickException as exc:
        pytest.fail(f"not a valid celery command line: {args}: {exc.format_message()}")
    assert ctx.params.get("app") == "workers", f"celery must load the project's app: {args}"
    assert workers.app.main == "publisher"
    for task in ("publisher.sweep_sources", "publisher.release_due", "publisher.render"):
        assert task in workers.app.tasks
    return f"celery {subcommand}"


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
        return check_celery(args)
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
    assert single_instance(services()["beat"]), "the beat must run exactly once"


def single_instance(service: dict[str, Any]) -> bool:
    """Nothing in the service definition starts it more than once: no ``scale``, no
    ``deploy.replicas`` above 1, no ``deploy.mode: global`` (one per node), no extending."""
    deploy = service.get("deploy") or {}
    return (
        int(service.get("scale", 1)) == 1
        and int(deploy.get("replicas", 1)) == 1
        and deploy.get("mode", "replicated") == "replicated"
        and "extends" not in service
    )


def test_the_single_instance_check_is_not_vacuous() -> None:
    beat = services()["beat"]
    assert single_instance(beat)
    for scaled in (
        {"scale": 2},
        {"deploy": {"replicas": 3}},
        {"deploy": {"mode": "replicated", "replicas": 2}},
        {"deploy": {"mode": "global"}},
        {"extends": {"service": "worker"}},
    ):
        assert not single_instance({**beat, **scaled}), scaled
    # and no other service runs a beat (say, a worker with an embedded one: ``worker -B``)
    for name, service in services().items():
        if name != "beat" and "command" in service:
            command = argv(service["command"])
            assert "-B" not in command and "--beat" not in command, name


def test_the_celery_check_parses_every_option() -> None:
    assert check_entry_point(["celery", "-A", "workers", "worker", "--concurrency=2"])
    for bad in (
        ["celery", "-A", "workers", "worker", "--concurency=4"],  # typo
        ["celery", "-A", "workers", "worker", "--concurrency=many"],  # wrong type
        ["celery", "-A", "workers", "beat", "--loglevel=LOUD"],  # not a choice
        ["celery", "-A", "workers", "wokrer"],  # no such command
        ["celery", "-A", "elsewhere", "worker"],  # not our app
    ):
        with pytest.raises((pytest.fail.Exception, AssertionError)):
            check_entry_point(bad)


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
    for location in ("location ^~ /metrics", "location ^~ /operator", "location ^~ /admin/"):
        assert location in text
    # no address allow-list for /metrics: behind Docker's proxy every client is "private"
    assert "geo " not in text and "172.16.0.0/12" not in text
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
                # systemd expands its specifiers before running the command
                for specifier, value in (("%i", "1"), ("%H", "host"), ("%%", "%")):
                    command = command.replace(specifier, value)
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


# --------------------------------------------------------------------------- nginx, for real
#
# deploy/nginx.conf in a real nginx (Debian's; `make test` installs it): its upstream pointed at
# the app on a free port, its root at a real build of the examples, in a private prefix with
# its own pid, logs and temp paths, as a non-daemon child process. What the app's own tests
# assert about the files (tests/test_web.py) must hold through nginx too.

NGINX_MAIN = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/default.conf;
}}
"""
NGINX_HUB = "https://hub.example.org/"
#: the commented-out WebSub line of deploy/nginx.conf (enabled in the test)
NGINX_WEBSUB_LINE = "    # ~^/feeds/"


def nginx_binary() -> str:
    import shutil

    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        pytest.fail("Debian nginx is required (make test installs it: `make nginx`)")
    return found


def render_nginx_conf(text: str, *, port: int, upstream: str, root: Path, base: str) -> str:
    """deploy/nginx.conf with its three deployment-specific lines replaced (each must be there
    exactly once) and the optional WebSub line enabled for ``base``."""
    websub = [line for line in text.splitlines() if line.startswith(NGINX_WEBSUB_LINE)]
    assert len(websub) == 1, "deploy/nginx.conf documents one optional WebSub line"
    replacements = {
        "server web:8000;": f"server {upstream};",
        "listen 80 default_server;": f"listen 127.0.0.1:{port} default_server;",
        "root /srv/publisher/public;": f"root {root};",
        websub[0]: websub[0]
        .replace("    # ", "    ", 1)
        .replace("https://hub.example.org/", NGINX_HUB)
        .replace("https://publisher.example.org", base.rstrip("/")),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@dataclass
class Nginx:
    url: str
    app_url: str
    output: Path


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    import os
    import pwd
    import subprocess
    import time

    import httpx

    from publisher.web import create_app

    from .browser import free_port, run_uvicorn
    from .test_web import build_site

    binary = nginx_binary()
    site = build_site(tmp_path_factory.mktemp("nginx-site"))
    output = site.settings.output_dir.resolve()
    # an archive page (RFC 5005), for its caching rule
    archive = output / "feeds" / "archive" / "socialnamnden"
    archive.mkdir(parents=True, exist_ok=True)
    (archive / "1.atom").write_bytes((output / "feeds" / "socialnamnden.atom").read_bytes())
    tmp = tmp_path_factory.mktemp("nginx-prefix")
    with run_uvicorn(create_app(site.settings, lambda: site.ctx.store)) as app_url:
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        conf = render_nginx_conf(
            (DEPLOY / "nginx.conf").read_text("utf-8"),
            port=port,
            upstream=app_url.removeprefix("http://"),
            root=output,
            base=base,
        )
        (tmp / "default.conf").write_text(conf, "utf-8")
        # as root, workers must run as us to read the private temp directories
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
        (tmp / "nginx.conf").write_text(NGINX_MAIN.format(user=user, tmp=tmp), "utf-8")
        args = [binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    if httpx.get(base + "nginx-healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, (tmp / "error.log").read_text("utf-8")
                assert time.monotonic() < deadline, "nginx did not come up"
                time.sleep(0.05)
            yield Nginx(url=base.rstrip("/"), app_url=app_url, output=output)
        finally:
            process.terminate()
            process.wait(timeout=10)
    site.ctx.store.dispose()


def _get(url: str, **headers: str) -> Any:
    import httpx

    return httpx.get(url, headers={"accept-encoding": "identity", **headers}, timeout=10)


def _meeting_json(output: Path) -> str:
    return "/meetings/" + next((output / "meetings").glob("*-*.json")).name


NGINX_PATHS = [
    "/feeds/all.atom",
    "/feeds/all.rss",
    "/feeds/all.json",
    "/feeds/socialnamnden.json",
    "/feeds/socialnamnden/decisions.json",
    "/feeds/socialnamnden/decisions.atom",
    "/feeds/archive/socialnamnden/1.atom",
    "/feeds/index.json",
    "/calendar/socialnamnden.ics",
    "/index.opml",
    "/index.html",
    "/",
    "MEETING",
    "/meetings/socialnamnden.index.json",
]


@pytest.mark.parametrize("path", NGINX_PATHS)
def test_nginx_gives_files_the_apps_media_types(nginx: Nginx, path: str) -> None:
    if path == "MEETING":
        path = _meeting_json(nginx.output)
    through_nginx = _get(nginx.url + path)
    from_app = _get(nginx.app_url + path)
    assert through_nginx.status_code == from_app.status_code == 200
    assert "x-accel" not in through_nginx.headers
    assert through_nginx.headers["content-type"] == from_app.headers["content-type"], path
    assert through_nginx.headers["x-content-type-options"] == "nosniff"
    # the same bytes as the app serves (not a proxied answer: nginx read the file)
    assert through_nginx.content == from_app.content
    assert "access-control-allow-origin" in through_nginx.headers or path.endswith((".html", "/"))


def test_nginx_media_types_spelled_out(nginx: Nginx) -> None:
    """The values the issue names (the test above compares with the app)."""
    expected = {
        "/feeds/all.atom": "application/atom+xml; charset=utf-8",
        "/feeds/all.rss": "application/rss+xml; charset=utf-8",
        "/feeds/all.json": "application/feed+json",
        "/feeds/socialnamnden/decisions.json": "application/feed+json",
        "/feeds/index.json": "application/json",
        _meeting_json(nginx.output): "application/json",
        "/calendar/socialnamnden.ics": "text/calendar; charset=utf-8",
    }
    for path, media_type in expected.items():
        assert _get(nginx.url + path).headers["content-type"] == media_type, path


def test_nginx_cors_for_public_data_only(nginx: Nginx) -> None:
    origin = {"origin": "https://www.exempelstad.se"}
    for path in (
        "/feeds/all.json",
        "/feeds/index.json",
        "/feeds/socialnamnden.atom",
        "/calendar/socialnamnden.ics",
        "/index.opml",
        _meeting_json(nginx.output),
    ):
        response = _get(nginx.url + path, **origin)
        assert response.headers.get_list("access-control-allow-origin") == ["*"], path
        assert "ETag" in response.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in _get(nginx.url + "/index.html", **origin).headers
    # the API through nginx: the app's CORS header, exactly once
    api = _get(nginx.url + "/api/v1/meetings", **origin)
    assert api.status_code == 200
    assert api.headers.get_list("access-control-allow-origin") == ["*"]
    # the embed script is the app's (a static file of the package), its header once too
    script = _get(nginx.url + "/embed.js", **origin)
    assert script.status_code == 200
    assert script.headers.get_list("access-control-allow-origin") == ["*"]


def test_nginx_cors_preflight(nginx: Nginx) -> None:
    import httpx

    response = httpx.options(
        nginx.url + "/feeds/all.json",
        headers={
            "origin": "https://www.exempelstad.se",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "If-None-Match" in response.headers["access-control-allow-headers"]
    assert "GET" in response.headers["access-control-allow-methods"]


def test_nginx_etag_304_and_cache_control(nginx: Nginx) -> None:
    first = _get(nginx.url + "/feeds/all.atom")
    etag = first.headers["etag"]
    assert etag.startswith('"'), "identity responses carry nginx's strong ETag"
    assert first.headers["last-modified"]
    assert first.headers["cache-control"] == "public, max-age=300, must-revalidate"
    again = _get(nginx.url + "/feeds/all.atom", **{"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["access-control-allow-origin"] == "*"
    since = _get(
        nginx.url + "/feeds/all.atom", **{"if-modified-since": first.headers["last-modified"]}
    )
    assert since.status_code == 304
    archive = _get(nginx.url + "/feeds/archive/socialnamnden/1.atom")
    assert archive.headers["cache-control"] == "public, max-age=3600, must-revalidate"


def test_nginx_gzip(nginx: Nginx) -> None:
    for path in ("/feeds/all.atom", "/feeds/all.json", "/calendar/socialnamnden.ics"):
        plain = _get(nginx.url + path)
        packed = _get(nginx.url + path, **{"accept-encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip", path
        assert "Accept-Encoding" in packed.headers["vary"]
        # httpx decodes it; the bytes are the file's
        assert packed.content == plain.content
        assert packed.num_bytes_downloaded < len(plain.content)
        # a gzip revalidation still ends in 304 (nginx weakens the ETag, comparison is weak)
        etag = packed.headers["etag"]
        again = _get(nginx.url + path, **{"accept-encoding": "gzip", "if-none-match": etag})
        assert again.status_code == 304


def test_nginx_never_exposes_metrics(nginx: Nginx) -> None:
    assert _get(nginx.app_url + "/metrics").status_code == 200, "the app has /metrics"
    for path in ("/metrics", "/metrics/", "/metrics?format=text", "//metrics", "/./metrics"):
        response = _get(nginx.url + path, **{"x-forwarded-for": "172.18.0.5"})
        assert response.status_code in (403, 404), path
        assert b"# HELP" not in response.content and b"# TYPE" not in response.content


def test_nginx_proxies_what_is_not_a_file(nginx: Nginx) -> None:
    missing = _get(nginx.url + "/feeds/no-such-body.atom")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    embed = _get(nginx.url + "/embed/socialnamnden")
    assert (
        embed.status_code == 200 and "frame-ancestors" in embed.headers["content-security-policy"]
    )
    meetings = _get(nginx.url + "/api/v1/meetings")
    assert meetings.status_code == 200 and meetings.json()["meetings"]
    again = _get(nginx.url + "/api/v1/meetings", **{"if-none-match": meetings.headers["etag"]})
    assert again.status_code == 304


def test_nginx_websub_links_when_enabled(nginx: Nginx) -> None:
    import httpx

    for path in ("/feeds/all.atom", "/feeds/socialnamnden.rss", "/feeds/socialnamnden.json"):
        response = _get(nginx.url + path)
        links = httpx.Response(200, headers=response.headers).links
        assert links["hub"]["url"] == NGINX_HUB
        assert links["self"]["url"] == nginx.url + path
    assert "link" not in _get(nginx.url + "/feeds/index.json").headers
    assert "link" not in _get(nginx.url + "/calendar/socialnamnden.ics").headers
