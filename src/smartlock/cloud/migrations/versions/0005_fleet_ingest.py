"""Fleet ingestion: a per-lock cursor of the journal's derived app data.

``derive_cursors.derived_seq`` is the last journal seq whose derived rows (lock users,
visitor password uses, notifications, scene runs) are written; ``cloud.derive`` moves
it in the same transaction as those rows, so a worker killed at any point loses none
and writes none twice. Existing locks start caught up (their events were derived
inline by the earlier code).

``broker_logins``: the locks' broker logins for a broker that reads them from SQL
(EMQX, deploy/emqx) instead of a Mosquitto password file reloaded by SIGHUP.

Revision ID: 0005_fleet_ingest
Revises: 0004_snapshots
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_fleet_ingest"
down_revision: str | Sequence[str] | None = "0004_snapshots"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "derive_cursors",
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("derived_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "broker_logins",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=128), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.execute(
        "INSERT INTO derive_cursors (device_id, derived_seq) SELECT id, acked_seq FROM devices"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("broker_logins")
    op.drop_table("derive_cursors")
