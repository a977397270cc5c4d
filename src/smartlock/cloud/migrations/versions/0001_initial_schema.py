"""initial schema"""

import sqlalchemy as sa
from alembic import op

from smartlock.cloud.migrations.columns import (
    binary,
    boolean,
    creator,
    creator_fk,
    device_id,
    enum,
    fk,
    integer,
    json,
    string,
    timestamp,
)
from smartlock.cloud.migrations.indexes import create_index, drop_index

revision = "0001"
down_revision = None


def upgrade() -> None:
    _accounts()
    _devices()
    _journal_and_users()
    _lock_features()


def _accounts() -> None:
    """Accounts and what signs them in or throttles them."""
    op.create_table(
        "accounts",
        integer("id"),
        string("email", 254),
        string("password_hash", 255),
        timestamp("created_at"),
        timestamp("password_changed_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "pairing_hellos",
        string("serial", 64),
        json("payload"),
        timestamp("received_at"),
        timestamp("expires_at"),
        sa.PrimaryKeyConstraint("serial"),
    )
    op.create_table(
        "throttles",
        string("key", 300),
        integer("failures"),
        timestamp("window_start"),
        timestamp("locked_until", nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "auth_tokens",
        integer("id"),
        integer("account_id"),
        enum("kind", "tokenkind", "session", "bearer", "confirm"),
        string("token_hash", 64),
        string("name", 100),
        timestamp("created_at"),
        timestamp("expires_at"),
        timestamp("last_used_at", nullable=True),
        fk("account_id", "accounts.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    create_index("auth_tokens", "ix_auth_tokens_account", ["account_id"])


def _devices() -> None:
    """Locks and the commands sent to them."""
    op.create_table(
        "devices",
        string("id", 32),
        string("serial", 64),
        string("name", 100),
        integer("owner_id"),
        binary("key_encrypted"),
        string("broker_username", 100),
        string("broker_password_hash", 255),
        timestamp("bound_at"),
        string("firmware", 50),
        boolean("online"),
        timestamp("last_seen_at", nullable=True),
        json("state"),
        timestamp("state_at", nullable=True),
        integer("acked_seq"),
        integer("last_event_id", nullable=True),
        fk("owner_id", "accounts.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("broker_username"),
        sa.UniqueConstraint("serial"),
    )
    create_index("devices", "ix_devices_owner", ["owner_id"])

    op.create_table(
        "commands",
        string("id", 32),
        device_id(),
        integer("account_id", nullable=True),
        string("request_id", 64),
        string("action", 40),
        enum("status", "commandstatus", "pending", "done", "refused", "offline"),
        string("reason", 100, nullable=True),
        timestamp("created_at"),
        timestamp("expires_at"),
        timestamp("completed_at", nullable=True),
        fk("account_id", "accounts.id", "SET NULL"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "request_id", name="uq_commands_device_request"),
    )


def _journal_and_users() -> None:
    """The journal, the lock users and who shares a lock."""
    op.create_table(
        "events",
        integer("id"),
        device_id(),
        integer("seq"),
        string("kind", 40),
        timestamp("occurred_at"),
        timestamp("received_at"),
        string("user_number", 8, nullable=True),
        string("method", 32, nullable=True),
        string("source", 32, nullable=True),
        json("data"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "seq", name="uq_events_device_seq"),
    )
    create_index("events", "ix_events_device_time", ["device_id", "occurred_at"])

    op.create_table(
        "lock_users",
        device_id(),
        string("number", 8),
        string("user_type", 16),
        string("name", 100),
        json("credentials"),
        timestamp("updated_at"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("device_id", "number"),
    )
    op.create_table(
        "memberships",
        device_id(),
        integer("account_id"),
        enum("role", "role", "owner", "admin", "member", "viewer"),
        boolean("may_remote_unlock"),
        timestamp("created_at"),
        fk("account_id", "accounts.id"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("device_id", "account_id"),
    )


def _lock_features() -> None:
    """Notification switches, scenes, settings and visitor passwords."""
    op.create_table(
        "notification_preferences",
        integer("account_id"),
        device_id(),
        string("kind", 40),
        boolean("enabled"),
        fk("account_id", "accounts.id"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("account_id", "device_id", "kind"),
    )
    op.create_table(
        "scenes",
        integer("id"),
        device_id(),
        string("name", 100),
        json("trigger", nullable=True),
        json("condition", nullable=True),
        json("actions"),
        boolean("enabled"),
        creator(),
        timestamp("created_at"),
        creator_fk(),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "settings_shadows",
        device_id(),
        json("desired"),
        json("reported"),
        integer("version"),
        integer("reported_version"),
        timestamp("updated_at"),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "temp_passwords",
        integer("id"),
        device_id(),
        string("name", 100),
        timestamp("valid_from"),
        timestamp("valid_until"),
        integer("max_uses", nullable=True),
        integer("uses"),
        boolean("revoked"),
        creator(),
        timestamp("created_at"),
        creator_fk(),
        fk("device_id", "devices.id"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("temp_passwords")
    op.drop_table("settings_shadows")
    op.drop_table("scenes")
    op.drop_table("notification_preferences")
    op.drop_table("memberships")
    op.drop_table("lock_users")
    drop_index("events", "ix_events_device_time")

    op.drop_table("events")
    op.drop_table("commands")
    drop_index("devices", "ix_devices_owner")

    op.drop_table("devices")
    drop_index("auth_tokens", "ix_auth_tokens_account")

    op.drop_table("auth_tokens")
    op.drop_table("throttles")
    op.drop_table("pairing_hellos")
    op.drop_table("accounts")
