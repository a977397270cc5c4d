"""The Alembic migrations shipped in the package build exactly the schema the models
describe, on SQLite and PostgreSQL; start-up migration is repeatable."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from smartlock.cloud.db import upgrade
from smartlock.cloud.models import Base
from smartlock.cloud.services import Services


def test_migrated_schema_matches_the_models(services: Services) -> None:
    upgrade(services.engine)  # a second start-up changes nothing
    with services.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
