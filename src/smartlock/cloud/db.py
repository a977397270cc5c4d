"""Engine, sessions and start-up migrations. Nothing here runs at import time."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from smartlock.errors import ErrorCode, Fault, SmartlockError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets several workers read while one writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        _private_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Requests that wait for a lock hold no connection (lockops), so the pool bounds
    # only concurrent database work; room for the API's threads and the link's.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30, pool_timeout=10)


def _private_file(url: str) -> None:
    """Create the SQLite file 0600 (or tighten an older 0644 one) before SQLite opens
    it: its -wal and -shm files take the same mode (issue 13, finding 8).
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.chmod(extra, 0o600)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (safe to run from every worker).

    All pending migrations run in one transaction, so a start-up killed part-way
    leaves the schema as it was. PostgreSQL has transactional DDL as is; Python's
    sqlite3 module commits each `CREATE TABLE` on its own, so on SQLite the
    migrations run on a connection where we issue `BEGIN IMMEDIATE` ourselves
    (SQLite's DDL is transactional too). A database left half-made by an older
    version (tables but no `alembic_version` row) is repaired when those tables are
    empty, and refused with a clear message when they are not.
    """
    if engine.dialect.name != "sqlite":
        command.upgrade(alembic_config(engine), "head")
        return
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        saved = dbapi.isolation_level  # type: ignore[union-attr]
        dbapi.isolation_level = None  # type: ignore[union-attr]  # no implicit commits
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            _repair_half_made(conn)
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            dbapi.isolation_level = saved  # type: ignore[union-attr]


class HalfMadeDatabase(SmartlockError, RuntimeError):
    """Tables without a migration version, and some hold data: a person must look."""

    code = ErrorCode.HALF_MADE_DATABASE
    fault = Fault.OURS


def _repair_half_made(conn: Connection) -> None:
    names = [
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    if not names:
        return
    if "alembic_version" in names:
        row = conn.exec_driver_sql("SELECT COUNT(*) FROM alembic_version").scalar()
        if row:
            return  # a normal database
    tables = [n for n in names if n != "alembic_version"]
    full = [t for t in tables if conn.exec_driver_sql(f'SELECT 1 FROM "{t}" LIMIT 1').first()]  # noqa: S608 (names from sqlite_master)
    if full:
        raise HalfMadeDatabase(
            f"the database has tables ({', '.join(sorted(full))} hold rows) but no "
            "migration version: it was not made by `smartlock cloud migrate`; restore a "
            "backup or move it aside"
        )
    log.warning(
        "database half-made by an interrupted migration (%d empty tables): "
        "dropping them and migrating again",
        len(tables),
    )
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    for name in names:
        conn.exec_driver_sql(f'DROP TABLE "{name}"')
