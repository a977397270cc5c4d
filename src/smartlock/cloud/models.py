"""The cloud's tables (SQLAlchemy 2 typed ORM). Alembic migrations in ``migrations/``
are the source of the schema in a database; keep the two in step.

Tables for sharing (A-SHARE), temporary passwords (A-TEMP), notification preferences
(A-NOTIFY) and scenes (A-SCENE) exist already so later features only add routes.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartlock.cloud.models_base import Base, owned_by, utcnow


def new_id() -> str:
    """Random, unguessable ids for rows a URL names (devices, commands)."""
    return uuid.uuid4().hex


def _enum(cls: type[enum.StrEnum]) -> Enum:
    """Store the enum's wire value (not its Python name) as a plain string."""
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Role(enum.StrEnum):
    """What an account may do with a lock (A-SHARE); ordered by power."""

    OWNER = "owner"
    ADMIN = "admin"  # manage users, settings, sharing (not delete the device)
    MEMBER = "member"  # status, records, remote unlock when allowed
    VIEWER = "viewer"  # status and records


class TokenKind(enum.StrEnum):
    SESSION = "session"  # web app cookie
    BEARER = "bearer"  # API clients
    CONFIRM = "confirm"  # short-lived re-confirmation for remote unlock (A-REMOTE)


class CommandStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    REFUSED = "refused"
    OFFLINE = "offline"  # no answer within the timeout, or the lock is offline


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuthToken(Base):
    """Sessions, bearer tokens and confirmations; only a SHA-256 of the secret is kept."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = owned_by("accounts")
    kind: Mapped[TokenKind] = mapped_column(_enum(TokenKind))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_auth_tokens_account", "account_id"),)


class Throttle(Base):
    """Failure counters keyed by subject ("login-account:…", "login-address:…", "pair:…");
    in the database so every worker sees the same count.
    """

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class PairingHello(Base):
    """The latest hello of a lock in pairing mode (D-PAIR), as received from the broker."""

    __tablename__ = "pairing_hellos"

    serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class Device(Base):
    """A bound lock. Deleting the row ends the binding (D-PAIR) and drops its data."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = owned_by("accounts")
    # Per-lock key, AES-GCM encrypted with the server master key.
    key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    broker_username: Mapped[str] = mapped_column(String(100), unique=True)
    broker_password_hash: Mapped[str] = mapped_column(String(255))
    bound_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    firmware: Mapped[str] = mapped_column(String(50), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Latest reported state (door, bolt, modes, battery, lockout ...), as the lock sent it.
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Highest contiguous journal seq stored: what the cloud acks (D-LOG).
    acked_seq: Mapped[int] = mapped_column(default=0)
    last_event_id: Mapped[int | None] = mapped_column(default=None)

    members: Mapped[list[Membership]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    shadow: Mapped[SettingsShadow | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (Index("ix_devices_owner", "owner_id"),)


class Membership(Base):
    """A lock shared with another account (A-SHARE). The owner is on the device row."""

    __tablename__ = "memberships"

    device_id: Mapped[str] = owned_by("devices", primary_key=True)
    account_id: Mapped[int] = owned_by("accounts", primary_key=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    may_remote_unlock: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SettingsShadow(Base):
    """Desired settings (the app) vs reported (the lock) with an optimistic version."""

    __tablename__ = "settings_shadows"

    device_id: Mapped[str] = owned_by("devices", primary_key=True)
    desired: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reported: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=0)
    reported_version: Mapped[int] = mapped_column(default=0)  # desired version last applied
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Event(Base):
    """One journal entry of a lock (D-LOG); (device_id, seq) makes delivery exactly-once."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = owned_by("devices")
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_number: Mapped[str | None] = mapped_column(String(8), default=None)
    method: Mapped[str | None] = mapped_column(String(32), default=None)
    source: Mapped[str | None] = mapped_column(String(32), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The tamper-evident journal (docs/link.md): this event's hash as the lock sent it,
    # the hash of the one before that the lock claims, and whether that matches what
    # the cloud stored for seq - 1 (None: nothing to check against yet).
    chain_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    chain_break: Mapped[bool | None] = mapped_column(Boolean, default=None)

    __table_args__ = (
        UniqueConstraint("device_id", "seq", name="uq_events_device_seq"),
        Index("ix_events_device_time", "device_id", "occurred_at"),
    )


class BrokerLogin(Base):
    """A lock's broker login for a broker that authenticates from SQL (EMQX at fleet
    scale, deploy/emqx): no password file to copy and reload. PBKDF2-SHA512 as hex;
    the password itself is 128 random bits known only to the lock.
    """

    __tablename__ = "broker_logins"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(128))
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeriveCursor(Base):
    """How far a lock's journal has been turned into app data (``cloud.derive``).

    Lock users, visitor-password uses, notifications and scene runs are written in the
    same transaction that moves ``derived_seq``, so a worker killed at any point writes
    each of them exactly once. A table of its own, so ingestion (which updates
    ``devices``) and derivation never wait on each other's row locks.
    """

    __tablename__ = "derive_cursors"

    device_id: Mapped[str] = owned_by("devices", primary_key=True)
    derived_seq: Mapped[int] = mapped_column(default=0)


class LockUser(Base):
    """A user of the lock as the lock reports it; only ``name`` is the cloud's own."""

    __tablename__ = "lock_users"

    device_id: Mapped[str] = owned_by("devices", primary_key=True)
    number: Mapped[str] = mapped_column(String(8), primary_key=True)
    user_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    # [{"type": "pin", "duress": false}, ...] — types only, never secrets (A-USERS).
    credentials: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Command(Base):
    """A signed command sent to a lock and its outcome; idempotent per request_id."""

    __tablename__ = "commands"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    device_id: Mapped[str] = owned_by("devices")
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    request_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[CommandStatus] = mapped_column(
        _enum(CommandStatus), default=CommandStatus.PENDING
    )
    reason: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("device_id", "request_id", name="uq_commands_device_request"),
    )


class TempPassword(Base):
    """A visitor password (A-TEMP); the secret itself lives on the lock only."""

    __tablename__ = "temp_passwords"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = owned_by("devices")
    name: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[dt.datetime]
    valid_until: Mapped[dt.datetime]
    max_uses: Mapped[int | None] = mapped_column(default=None)  # None: unlimited
    uses: Mapped[int] = mapped_column(default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Added by 0002_app_features (A-TEMP): the lock's confirmation state, the lock-side
    # id, a keyed hash of the code (to re-add it on an edit), the last command sent.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    lock_ref: Mapped[str] = mapped_column(String(32), default="")
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    command_id: Mapped[str | None] = mapped_column(String(32), default=None)


class NotificationPreference(Base):
    """One switch per (account, device, event kind) (A-NOTIFY); absent means on."""

    __tablename__ = "notification_preferences"

    account_id: Mapped[int] = owned_by("accounts", primary_key=True)
    device_id: Mapped[str] = owned_by("devices", primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Scene(Base):
    """A smart or manual scene (A-SCENE): trigger, optional condition, actions as JSON."""

    __tablename__ = "scenes"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = owned_by("devices")
    name: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)  # None: manual
    condition: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


__all__ = [
    "Account",
    "AuthToken",
    "Base",
    "BrokerLogin",
    "Command",
    "CommandStatus",
    "DeriveCursor",
    "Device",
    "Event",
    "LockUser",
    "Membership",
    "NotificationPreference",
    "PairingHello",
    "Role",
    "Scene",
    "SettingsShadow",
    "TempPassword",
    "Throttle",
    "TokenKind",
    "utcnow",
]

# The app features' tables (A-TEMP, A-NOTIFY, A-SCENE) and firmware releases and
# update attempts (A-OTA) and face-masked snapshots (A-LIVE) register on the same Base.
from smartlock.cloud import models_features, models_firmware, models_snapshots  # noqa: E402, F401
