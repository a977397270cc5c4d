"""The journal's hash chain in the cloud: each event's hash, the previous hash the lock
claims, and whether the two agree (a break shows an edited or deleted journal).
"""

from alembic import op

from smartlock.cloud.migrations.columns import boolean, string

revision = "0006_journal_chain"
down_revision = "0005_fleet_ingest"


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(string("chain_hash", 64, nullable=True))
        batch.add_column(string("prev_hash", 64, nullable=True))
        batch.add_column(boolean("chain_break", nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("chain_break")
        batch.drop_column("prev_hash")
        batch.drop_column("chain_hash")
