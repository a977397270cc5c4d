"""The journal's hash chain in the cloud: each event's hash, the previous hash the lock
claims, and whether the two agree (a break shows an edited or deleted journal).

Revision ID: 0006_journal_chain
Revises: 0005_fleet_ingest
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_journal_chain"
down_revision: str | Sequence[str] | None = "0005_fleet_ingest"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("chain_break", sa.Boolean(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("events") as batch:
        batch.drop_column("chain_break")
        batch.drop_column("prev_hash")
        batch.drop_column("chain_hash")
