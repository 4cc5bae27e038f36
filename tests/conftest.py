"""Shared test fixtures: where the documents live and a helper to run the real CLI."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SV_FIXTURES = FIXTURES / "sv"
# Third-party samples are read from ../shared beside the checkout, never copied in.
THIRD_PARTY = ROOT.parent / "shared" / "fixtures" / "third_party"
SCHEMAS = ROOT.parent / "shared" / "schemas"


def third_party(relative: str) -> Path:
    path = THIRD_PARTY / relative
    if not path.exists():
        pytest.fail(f"missing shared fixture {path}: CI must have ../shared beside the checkout")
    return path


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the installed ``publisher`` console script as a user would."""
    exe = Path(sys.executable).with_name("publisher")
    return subprocess.run(
        [str(exe), *args], input=stdin, capture_output=True, timeout=120, check=False
    )


PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL database on the real local server, dropped afterwards."""
    import sqlalchemy as sa

    name = f"publisher_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every store test runs on the embedded default and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/publisher.db"
    url: str = request.getfixturevalue("pg_url")
    return url
