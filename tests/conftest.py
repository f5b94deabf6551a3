"""Shared test setup: Prefect runs against a throwaway home, telemetry off."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsx-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "corpus" / "dev").is_dir():
        pytest.skip(f"../shared is not beside the repo ({SHARED})")
    return SHARED


# PostgreSQL on every machine (trust auth, database `test`); each test works in a schema of its own.
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def admin():
    """An autocommit connection to the local PostgreSQL; the test skips, saying why, when none answers."""
    import psycopg

    try:
        connection = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432: {str(error).strip()}")
    yield connection
    connection.close()
