"""Serving figures: the app next to nginx, same feed file, same load generator, one run.

A private nginx (own config, port, pid and logs in a temp dir, ``daemon off``, one worker
process) and the app under uvicorn (one worker, no access log, uvloop + httptools as
``uvicorn[standard]`` installs them) serve the same output directory, built by the real
pipeline from ``examples/protocols``. For each server we measure requests/s of full 200
responses and of 304 revalidations (``If-None-Match`` with that server's own ETag).

Target: app 304 >= 0.25 x nginx 304 (feed readers mostly revalidate).

    .venv/bin/python benchmarks/feeds_http.py [--seconds 5] [--connections 50]

The load generator is ``wrk`` (installed from Debian if missing); without it a Python
keep-alive client is used for both servers, which measures the client as much as the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import free_port  # noqa: E402

FEED = "feeds/socialnamnden.atom"
TARGET = 0.25

# ``user``: run the worker as us, so it can read our private (0700) temp directory
NGINX_CONF = """
user {user};
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{
        application/atom+xml atom;
        application/rss+xml rss;
        application/feed+json json;
    }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


def app_from_env() -> Any:
    """uvicorn ``--factory`` entry: the app for ``$PUBLISHER_CONFIG``."""
    from publisher import settings
    from publisher.web import create_app

    return create_app(settings.load())


def _apt_install(*packages: str) -> None:
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False, capture_output=True)


def ensure_tools() -> tuple[str, str | None]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        _apt_install("nginx")
    if not Path(nginx).exists():
        raise SystemExit("nginx is required: apt-get install -y nginx")
    wrk = shutil.which("wrk")
    if wrk is None:
        _apt_install("wrk")
        wrk = shutil.which("wrk")
    return nginx, wrk


def _wait_http(url: str, timeout: float = 15.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up")
        time.sleep(0.05)


@contextlib.contextmanager
def run_nginx(nginx: str, root: Path, tmp: Path) -> Iterator[str]:
    port = free_port()
    conf = tmp / "nginx.conf"
    user = pwd.getpwuid(os.getuid()).pw_name
    conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, port=port, root=root), "utf-8")
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_http(url + FEED)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def run_app(config: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PUBLISHER_CONFIG": str(config)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.feeds_http:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--no-server-header",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_http(url + FEED)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wrk(wrk: str, url: str, seconds: float, connections: int, etag: str | None) -> float:
    args = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s"]
    if etag:
        args += ["-H", f"If-None-Match: {etag}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"errors while measuring {url}:\n{out}")
    return float(match.group(1))


async def _py_load(
    url: str, seconds: float, connections: int, etag: str | None
) -> tuple[int, float]:
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, path = port_path.split("/", 1)
    request = f"GET /{path} HTTP/1.1\r\nHost: {host}\r\n"
    if etag:
        request += f"If-None-Match: {etag}\r\n"
    raw = (request + "\r\n").encode()
    done = 0
    stop_at = time.monotonic() + seconds

    async def one() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.monotonic() < stop_at:
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if length and not head.startswith(b"HTTP/1.1 304"):
                await reader.readexactly(int(length.group(1)))
            done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(connections)))
    return done, time.monotonic() - started


def _python(url: str, seconds: float, connections: int, etag: str | None) -> float:
    done, elapsed = asyncio.run(_py_load(url, seconds, connections, etag))
    return done / elapsed


def measure(url: str, wrk: str | None, seconds: float, connections: int, etag: str | None) -> float:
    if wrk:
        _wrk(wrk, url, 1, connections, etag)  # warm-up: caches, connections, JIT-free paths
        return _wrk(wrk, url, seconds, connections, etag)
    _python(url, 1, connections, etag)
    return _python(url, seconds, connections, etag)


def _etag(url: str) -> str:
    import httpx

    response = httpx.get(url, headers={"accept-encoding": "identity"})
    response.raise_for_status()
    etag = response.headers["etag"]
    check = httpx.get(url, headers={"accept-encoding": "identity", "if-none-match": etag})
    if check.status_code != 304:
        raise RuntimeError(f"{url} does not revalidate its own ETag")
    return etag


def http_benchmark(seconds: float = 5.0, connections: int = 50) -> dict[str, Any]:
    """Requests/s of 200 and 304 responses for nginx and the app, serving the same file."""
    from tests.test_web import build_site

    nginx, wrk = ensure_tools()
    with tempfile.TemporaryDirectory(prefix="feeds-http-") as tmp_name:
        tmp = Path(tmp_name)
        site = build_site(tmp / "site")
        site.ctx.store.dispose()
        output = site.settings.output_dir
        config = tmp / "site" / "publisher.toml"
        config.write_text(
            "[publisher]\n"
            f'output_dir = "{output}"\n'
            f'database_url = "{site.settings.database_url}"\n',
            "utf-8",
        )
        (tmp / "nginx").mkdir()
        results: dict[str, Any] = {
            "tool": "wrk" if wrk else "python",
            "file": FEED,
            "bytes": (output / FEED).stat().st_size,
            "seconds": seconds,
            "connections": connections,
        }
        with run_nginx(nginx, output, tmp / "nginx") as nginx_url, run_app(config) as app_url:
            for name, base in (("nginx", nginx_url), ("app", app_url)):
                url = base + FEED
                results[f"{name}_200"] = measure(url, wrk, seconds, connections, None)
                results[f"{name}_304"] = measure(url, wrk, seconds, connections, _etag(url))
    results["ratio_200"] = results["app_200"] / results["nginx_200"]
    results["ratio_304"] = results["app_304"] / results["nginx_304"]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args(argv)
    r = http_benchmark(args.seconds, args.connections)
    print(
        f"{r['file']} ({r['bytes']} bytes), {r['tool']}, {r['connections']} connections, "
        f"{r['seconds']:g}s per figure, {os.cpu_count()} CPUs"
    )
    print(f"{'':8}{'nginx req/s':>14}{'app req/s':>14}{'app/nginx':>12}")
    for status in ("200", "304"):
        print(
            f"{status:8}{r['nginx_' + status]:>14,.0f}{r['app_' + status]:>14,.0f}"
            f"{r['ratio_' + status]:>12.2f}"
        )
    verdict = "met" if r["ratio_304"] >= TARGET else "MISSED"
    print(f"app 304 / nginx 304 = {r['ratio_304']:.2f} (target >= {TARGET}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
