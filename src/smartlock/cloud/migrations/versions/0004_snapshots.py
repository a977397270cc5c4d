"""snapshots: face-masked doorbell pictures and live-view frames (A-LIVE)"""

import sqlalchemy as sa
from alembic import op

from smartlock.cloud.migrations.columns import (
    binary,
    device_id,
    fk,
    integer,
    string,
    timestamp,
)

revision = "0004_snapshots"
down_revision = "0003_firmware"


def upgrade() -> None:
    op.create_table(
        "snapshots",
        integer("id"),
        device_id(),
        string("kind", 16),
        integer("seq"),
        timestamp("taken_at"),
        timestamp("received_at"),
        binary("jpeg"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_snapshots_device_kind", "snapshots", ["device_id", "kind", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_snapshots_device_kind", table_name="snapshots")
    op.drop_table("snapshots")
