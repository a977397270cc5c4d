"""Alembic environment: the engine comes from ``smartlock.cloud.db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from smartlock.cloud.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through smartlock.cloud.db.upgrade(engine)")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
