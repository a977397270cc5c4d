"""Fixtures for the cloud: every test gets its own database, on SQLite and PostgreSQL.

PostgreSQL: one migrated template database per test session in the local server
(postgresql+psycopg://postgres@127.0.0.1:5432/), one copy per test. Skipped when the
server is unreachable, unless CI is set (then the run fails).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from smartlock.cloud.app import build_services, create_app
from smartlock.cloud.core.config import Settings
from smartlock.cloud.db import make_engine, upgrade
from smartlock.cloud.services import Services

PG_SERVER = os.environ.get("SMARTLOCK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/")


def _admin_engine() -> Engine:
    return create_engine(make_url(PG_SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    try:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # the server is not there
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    name = f"smartlock_test_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(str(make_url(PG_SERVER).set(database=name)))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"{template}_{secrets.token_hex(4)}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield str(make_url(PG_SERVER).set(database=name))
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        command_timeout_seconds=1.0,
        live_recheck_seconds=0.5,
        # The test receivers listen on loopback: allowed here as an operator allows a
        # home network (tests/cloud_features/test_outbound_guard.py runs without it).
        outbound_allow="127.0.0.1/32",
        cookie_secure=False,  # the test client speaks plain http
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    services = build_services(settings)
    yield services
    services.engine.dispose()


@pytest.fixture
def app(settings: Settings, services: Services) -> FastAPI:
    return create_app(settings, services=services, with_link=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c
