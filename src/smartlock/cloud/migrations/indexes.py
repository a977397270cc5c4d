"""The index operations the migrations repeat (batch mode, so SQLite can follow).

Frozen with the history, like ``columns``.
"""

from __future__ import annotations

from alembic import op


def create_index(table: str, name: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(name, columns, unique=False)


def drop_index(table: str, name: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(name)
