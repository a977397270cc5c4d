"""firmware updates: signed releases and update attempts (A-OTA)"""

import sqlalchemy as sa
from alembic import op

from smartlock.cloud.migrations.columns import (
    device_id,
    fk,
    integer,
    json,
    string,
    text,
    timestamp,
)

revision = "0003_firmware"
down_revision = "0002_app_features"


def upgrade() -> None:
    _releases()
    _updates()


def _releases() -> None:
    """The vendor's signed releases."""
    op.create_table(
        "firmware_releases",
        integer("id"),
        string("model", 64),
        string("version", 32),
        string("sha256", 64),
        integer("size"),
        string("url", 1024),
        text("notes"),
        json("manifest"),
        string("signature", 128),
        timestamp("published_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model", "version", name="uq_firmware_model_version"),
    )


def _updates() -> None:
    """Each lock's update attempts."""
    op.create_table(
        "firmware_updates",
        integer("id"),
        device_id(),
        integer("release_id"),
        string("command_id", 32),
        integer("account_id", nullable=True),
        string("from_version", 50),
        timestamp("created_at"),
        fk("account_id", "accounts.id", "SET NULL"),
        fk("command_id", "commands.id"),
        fk("device_id", "devices.id"),
        fk("release_id", "firmware_releases.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_firmware_updates_device", "firmware_updates", ["device_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_firmware_updates_device", table_name="firmware_updates")
    op.drop_table("firmware_updates")
    op.drop_table("firmware_releases")
