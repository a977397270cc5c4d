"""Tables of the app features (A-TEMP offline codes, A-NOTIFY, A-SCENE runs).

They live beside ``models.py`` (imported at its end, so ``Base.metadata`` and the
Alembic check always see them); migration ``0002_app_features`` creates them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartlock.cloud.models_base import Base, owned_by, utcnow


class OfflineCode(Base):
    """An issued offline visitor code (A-TEMP): its window, never its digits."""

    __tablename__ = "offline_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = owned_by("devices")
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # one_time | period | weekly
    # The lock's name for the code (offline_codes Verdict.code_id): journal uses match it.
    code_ref: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[dt.datetime]
    valid_until: Mapped[dt.datetime]
    weekly: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    uses: Mapped[int] = mapped_column(default=0)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("device_id", "code_ref", name="uq_offline_codes_ref"),)


class NotificationAccount(Base):
    """Account-wide notification switches (A-NOTIFY): kinds switched off, and a mute
    that quiets outbound delivery of everything but duress.
    """

    __tablename__ = "notification_accounts"

    account_id: Mapped[int] = owned_by("accounts", primary_key=True)
    disabled_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)


class Notification(Base):
    """One entry of an account's notification centre; one per (account, event, kind)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = owned_by("accounts")
    device_id: Mapped[str | None] = owned_by("devices", default=None)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(8), default="normal")  # normal | high
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Makes ingestion idempotent: "event:<id>" or "scene-run:<id>:<n>".
    source_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("account_id", "source_key", "kind", name="uq_notifications_source"),
        Index("ix_notifications_account", "account_id", "created_at"),
    )


class NotificationChannel(Base):
    """An outbound target of an account: an apprise URL, sealed with the master key."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = owned_by("accounts")
    label: Mapped[str] = mapped_column(String(100), default="")
    url_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    url_hint: Mapped[str] = mapped_column(String(80))  # scheme://host… only, for display
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NotificationDelivery(Base):
    """The outbox: one row per notification and channel, retried off the request path."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = owned_by("notifications")
    channel_id: Mapped[int] = owned_by("notification_channels")
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)


class SceneRun(Base):
    """One evaluation of a scene that fired (A-SCENE): what, why, how it ended."""

    __tablename__ = "scene_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = owned_by("scenes")
    device_id: Mapped[str] = owned_by("devices")
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What fired it, once: "event:<id>", "time:<date>", "open:<event id>", "manual:<uuid>".
    fire_key: Mapped[str] = mapped_column(String(80))
    chain_id: Mapped[str] = mapped_column(String(32))
    depth: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")  # ok|error|pending
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("scene_id", "fire_key", name="uq_scene_runs_fire"),
        Index("ix_scene_runs_scene", "scene_id", "started_at"),
    )


__all__ = [
    "Notification",
    "NotificationAccount",
    "NotificationChannel",
    "NotificationDelivery",
    "OfflineCode",
    "SceneRun",
]
