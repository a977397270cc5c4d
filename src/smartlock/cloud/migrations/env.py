"""Alembic environment: the engine comes from ``smartlock.cloud.db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine, text

from smartlock.cloud.models import Base

config = context.config
given = config.attributes.get("connection")  # SQLite: db.upgrade holds the transaction
engine = config.attributes.get("engine")
if not isinstance(engine, Engine) and not isinstance(given, Connection):
    raise RuntimeError("run migrations through smartlock.cloud.db.upgrade(engine)")

# Every stateless worker runs the migrations at start-up. On PostgreSQL the first one
# takes this transaction-scoped advisory lock; the others wait for its commit and then
# find the schema at head. (SQLite is the single-machine default: one cloud process;
# db.upgrade runs it all in one BEGIN IMMEDIATE transaction, so a kill undoes it all.)
MIGRATION_LOCK_KEY = 0x5A4D_4C4B  # "SMLK": any constant shared by all workers


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if isinstance(given, Connection):
    _run(given)
else:
    assert isinstance(engine, Engine)
    with engine.begin() as connection:
        _run(connection)
