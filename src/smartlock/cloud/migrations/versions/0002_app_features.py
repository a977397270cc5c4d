"""app features: offline codes, notifications, scene runs, temp password state"""

import sqlalchemy as sa
from alembic import op

from smartlock.cloud.migrations.columns import (
    binary,
    boolean,
    creator,
    creator_fk,
    device_id,
    fk,
    integer,
    json,
    string,
    timestamp,
)
from smartlock.cloud.migrations.indexes import create_index, drop_index

revision = "0002_app_features"
down_revision = "0001"


def upgrade() -> None:
    _notifications()
    _codes_and_deliveries()
    _scene_runs_and_temp_state()


def _notifications() -> None:
    """Notification settings, channels and the notifications."""
    op.create_table(
        "notification_accounts",
        integer("account_id"),
        json("disabled_kinds"),
        boolean("muted"),
        fk("account_id", "accounts.id"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "notification_channels",
        integer("id"),
        integer("account_id"),
        string("label", 100),
        binary("url_sealed"),
        string("url_hint", 80),
        boolean("enabled"),
        timestamp("created_at"),
        fk("account_id", "accounts.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "notifications",
        integer("id"),
        integer("account_id"),
        string("device_id", 32, nullable=True),
        string("kind", 32),
        string("priority", 8),
        string("title", 200),
        string("body", 1000),
        json("data"),
        string("source_key", 80),
        timestamp("created_at"),
        timestamp("read_at", nullable=True),
        fk("account_id", "accounts.id"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "source_key", "kind", name="uq_notifications_source"),
    )
    create_index("notifications", "ix_notifications_account", ["account_id", "created_at"])


def _codes_and_deliveries() -> None:
    """Offline codes and notification deliveries."""
    op.create_table(
        "offline_codes",
        integer("id"),
        device_id(),
        string("name", 100),
        string("kind", 16),
        string("code_ref", 64),
        timestamp("valid_from"),
        timestamp("valid_until"),
        json("weekly", nullable=True),
        integer("uses"),
        timestamp("last_used_at", nullable=True),
        creator(),
        timestamp("created_at"),
        creator_fk(),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "code_ref", name="uq_offline_codes_ref"),
    )
    op.create_table(
        "notification_deliveries",
        integer("id"),
        integer("notification_id"),
        integer("channel_id"),
        string("status", 8),
        integer("attempts"),
        timestamp("next_attempt_at"),
        string("last_error", 300, nullable=True),
        timestamp("sent_at", nullable=True),
        fk("channel_id", "notification_channels.id"),
        fk("notification_id", "notifications.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    create_index("notification_deliveries", "ix_deliveries_due", ["status", "next_attempt_at"])


def _scene_runs_and_temp_state() -> None:
    """Scene runs and the state of a temp password on the lock."""
    op.create_table(
        "scene_runs",
        integer("id"),
        integer("scene_id"),
        device_id(),
        json("trigger"),
        string("fire_key", 80),
        string("chain_id", 32),
        integer("depth"),
        string("outcome", 16),
        string("error", 500, nullable=True),
        json("results"),
        timestamp("started_at"),
        timestamp("finished_at", nullable=True),
        fk("device_id", "devices.id"),
        fk("scene_id", "scenes.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scene_id", "fire_key", name="uq_scene_runs_fire"),
    )
    create_index("scene_runs", "ix_scene_runs_scene", ["scene_id", "started_at"])

    with op.batch_alter_table("temp_passwords", schema=None) as batch_op:
        batch_op.add_column(string("status", 16, server_default="active"))
        batch_op.add_column(string("lock_ref", 32, server_default=""))
        batch_op.add_column(string("code_hash", 64, nullable=True))
        batch_op.add_column(string("command_id", 32, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("temp_passwords", schema=None) as batch_op:
        batch_op.drop_column("command_id")
        batch_op.drop_column("code_hash")
        batch_op.drop_column("lock_ref")
        batch_op.drop_column("status")

    drop_index("scene_runs", "ix_scene_runs_scene")

    op.drop_table("scene_runs")
    drop_index("notification_deliveries", "ix_deliveries_due")

    op.drop_table("notification_deliveries")
    op.drop_table("offline_codes")
    drop_index("notifications", "ix_notifications_account")

    op.drop_table("notifications")
    op.drop_table("notification_channels")
    op.drop_table("notification_accounts")
