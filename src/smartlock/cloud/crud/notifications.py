"""Database side of notifications (A-NOTIFY): switches, the centre, channels, outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud.crud.common import added
from smartlock.cloud.memo import remembered
from smartlock.cloud.models import Device, Membership, NotificationPreference, utcnow
from smartlock.cloud.models_features import (
    Notification,
    NotificationAccount,
    NotificationChannel,
    NotificationDelivery,
)

MAX_ATTEMPTS = 5


def recipients(session: Session, *, device: Device) -> list[int]:
    """Every account with access to the lock: the owner and each share."""

    def query() -> list[int]:
        shared = session.scalars(
            select(Membership.account_id).where(Membership.device_id == device.id)
        ).all()
        return [device.owner_id, *shared]

    return remembered(session, ("recipients", device.id), query)


def account_settings(session: Session, *, account_id: int) -> NotificationAccount:
    def query() -> NotificationAccount:
        row = session.get(NotificationAccount, account_id)
        return row or NotificationAccount(account_id=account_id, disabled_kinds=[], muted=False)

    return remembered(session, ("notify-account", account_id), query)


def save_account_settings(
    session: Session, *, account_id: int, disabled_kinds: list[str], muted: bool
) -> NotificationAccount:
    row = session.get(NotificationAccount, account_id)
    if row is None:
        row = NotificationAccount(account_id=account_id)
        session.add(row)
    row.disabled_kinds, row.muted = sorted(set(disabled_kinds)), muted
    session.commit()
    return row


def device_switches(session: Session, *, account_id: int, device_id: str) -> dict[str, bool]:
    rows = session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.account_id == account_id,
            NotificationPreference.device_id == device_id,
        )
    )
    return {r.kind: r.enabled for r in rows}


def save_device_switches(
    session: Session, *, account_id: int, device_id: str, switches: dict[str, bool]
) -> dict[str, bool]:
    for kind, enabled in switches.items():
        row = session.get(NotificationPreference, (account_id, device_id, kind))
        if row is None:
            session.add(
                NotificationPreference(
                    account_id=account_id, device_id=device_id, kind=kind, enabled=enabled
                )
            )
        else:
            row.enabled = enabled
    session.commit()
    return device_switches(session, account_id=account_id, device_id=device_id)


def wants(session: Session, *, account_id: int, device_id: str | None, kind: str) -> bool:
    """Absent switches mean on; the account-wide and the per-lock switch must both be on."""
    if kind in account_settings(session, account_id=account_id).disabled_kinds:
        return False
    if device_id is None:
        return True
    row = remembered(
        session,
        ("notify-switch", account_id, device_id, kind),
        lambda: session.get(NotificationPreference, (account_id, device_id, kind)),
    )
    return row is None or row.enabled


def add_notification(session: Session, **fields: Any) -> Notification | None:
    """Insert once per (account, source, kind); None if it was already there."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    fields.setdefault("created_at", utcnow())
    stmt = (
        insert(Notification)
        .values(**fields)
        .on_conflict_do_nothing(index_elements=["account_id", "source_key", "kind"])
        .returning(Notification)
    )
    return session.scalars(stmt).one_or_none()


def add_notifications(session: Session, rows: list[dict[str, Any]]) -> list[Notification]:
    """Many ``add_notification`` in one statement; returns the rows that were new."""
    if not rows:
        return []
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Notification)
        .on_conflict_do_nothing(index_elements=["account_id", "source_key", "kind"])
        .returning(Notification)
    )
    return list(session.scalars(stmt, rows))


def enqueue_deliveries(session: Session, *, notification: Notification) -> int:
    channels = remembered(
        session,
        ("notify-channels", notification.account_id),
        lambda: session.scalars(
            select(NotificationChannel).where(
                NotificationChannel.account_id == notification.account_id,
                NotificationChannel.enabled.is_(True),
            )
        ).all(),
    )
    for channel in channels:
        session.add(NotificationDelivery(notification_id=notification.id, channel_id=channel.id))
    return len(channels)


def list_notifications(
    session: Session, *, account_id: int, unread: bool, limit: int, before_id: int | None
) -> list[Notification]:
    query = select(Notification).where(Notification.account_id == account_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, *, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.account_id == account_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, *, account_id: int, notification_id: int | None) -> int:
    """Mark one (or with None all) of the account's notifications read."""
    stmt = update(Notification).where(
        Notification.account_id == account_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    count = getattr(session.execute(stmt.values(read_at=utcnow())), "rowcount", 0)
    session.commit()
    return int(count or 0)


def get_notification(
    session: Session, *, account_id: int, notification_id: int
) -> Notification | None:
    row = session.get(Notification, notification_id)
    return row if row is not None and row.account_id == account_id else None


# --- channels and the outbox -------------------------------------------------------------


def add_channel(
    session: Session, *, account_id: int, label: str, url_sealed: bytes, url_hint: str
) -> NotificationChannel:
    row = NotificationChannel(
        account_id=account_id, label=label, url_sealed=url_sealed, url_hint=url_hint
    )
    return added(session, row)


def list_channels(session: Session, *, account_id: int) -> list[NotificationChannel]:
    return list(
        session.scalars(
            select(NotificationChannel)
            .where(NotificationChannel.account_id == account_id)
            .order_by(NotificationChannel.id)
        )
    )


def get_channel(
    session: Session, *, account_id: int, channel_id: int
) -> NotificationChannel | None:
    row = session.get(NotificationChannel, channel_id)
    return row if row is not None and row.account_id == account_id else None


def delete_channel(session: Session, *, account_id: int, channel_id: int) -> bool:
    row = session.get(NotificationChannel, channel_id)
    if row is None or row.account_id != account_id:
        return False
    session.delete(row)
    session.commit()
    return True


LEASE_S = 60  # a claimed delivery is left alone this long by other workers


def claim_due_deliveries(session: Session, *, limit: int = 20) -> list[NotificationDelivery]:
    """Due deliveries, each leased to this worker by a compare-and-set (no double send)."""
    due = list(
        session.scalars(
            select(NotificationDelivery)
            .where(
                NotificationDelivery.status == "pending",
                NotificationDelivery.next_attempt_at <= utcnow(),
            )
            .order_by(NotificationDelivery.id)
            .limit(limit)
        )
    )
    claimed = []
    now = utcnow()
    for row in due:
        result = session.execute(
            update(NotificationDelivery)
            .where(
                NotificationDelivery.id == row.id,
                NotificationDelivery.status == "pending",
                NotificationDelivery.next_attempt_at == row.next_attempt_at,
            )
            .values(next_attempt_at=now + dt.timedelta(seconds=LEASE_S))
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(row)
    session.commit()
    return claimed


def settle_delivery(session: Session, *, delivery_id: int, error: str | None) -> None:
    """Record one attempt; retry with exponential back-off, give up after MAX_ATTEMPTS."""
    row = session.get_one(NotificationDelivery, delivery_id)
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    else:
        row.last_error = error[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
        else:
            row.next_attempt_at = utcnow() + dt.timedelta(seconds=2 ** (row.attempts - 1))
    session.commit()
