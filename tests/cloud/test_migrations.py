"""The Alembic migrations shipped in the package build exactly the schema the models
describe, on SQLite and PostgreSQL; start-up migration is repeatable."""

from __future__ import annotations

import multiprocessing
import secrets
import time
from concurrent.futures import ProcessPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from smartlock.cloud.db import make_engine, upgrade
from smartlock.cloud.models import Base
from smartlock.cloud.services import Services

from .conftest import PG_SERVER, _admin_engine


def test_migrated_schema_matches_the_models(services: Services) -> None:
    upgrade(services.engine)  # a second start-up changes nothing
    with services.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _migrate_at(url: str, when: float) -> None:
    """A cloud worker's start-up, at wall-clock `when` (so several start together)."""
    engine = make_engine(url)
    time.sleep(max(0.0, when - time.time()))
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def test_several_workers_migrating_a_fresh_postgres_at_once_all_start(
    pg_template: str,
) -> None:
    """Stateless cloud workers (processes) all run `upgrade()` at start-up; on a fresh
    database they must not race on the first migration: one migrates, the others wait
    and find it done."""
    name = f"{pg_template}_race_{secrets.token_hex(3)}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(make_url(PG_SERVER).set(database=name))
    spawn = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(4, mp_context=spawn) as pool:
            when = time.time() + 4.0  # after every process has imported SQLAlchemy
            results = [pool.submit(_migrate_at, url, when) for _ in range(4)]
            errors = [f.exception(timeout=120) for f in results]
        assert errors == [None] * 4
        engine = make_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(text("select version_num from alembic_version")).all()
        engine.dispose()
        assert len(versions) == 1
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
