"""Fleet ingestion: a per-lock cursor of the journal's derived app data.

``derive_cursors.derived_seq`` is the last journal seq whose derived rows (lock users,
visitor password uses, notifications, scene runs) are written; ``cloud.derive`` moves
it in the same transaction as those rows, so a worker killed at any point loses none
and writes none twice. Existing locks start caught up (their events were derived
inline by the earlier code).

``broker_logins``: the locks' broker logins for a broker that reads them from SQL
(EMQX, deploy/emqx) instead of a Mosquitto password file reloaded by SIGHUP.
"""

import sqlalchemy as sa
from alembic import op

from smartlock.cloud.migrations.columns import device_id, fk, integer, string, timestamp

revision = "0005_fleet_ingest"
down_revision = "0004_snapshots"


def upgrade() -> None:
    op.create_table(
        "derive_cursors",
        device_id(),
        integer("derived_seq"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "broker_logins",
        string("username", 100),
        string("password_hash", 128),
        string("salt", 64),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("username"),
    )
    op.execute(
        "INSERT INTO derive_cursors (device_id, derived_seq) SELECT id, acked_seq FROM devices"
    )


def downgrade() -> None:
    op.drop_table("broker_logins")
    op.drop_table("derive_cursors")
