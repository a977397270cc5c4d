"""From a lock event (or a scene) to notification rows, outbox rows and live pushes.

Runs inside ``ingest`` for each newly stored event, so a redelivered batch adds
nothing twice (and the (account, source, kind) key backs that up).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from smartlock.cloud.crud import notifications as ncrud
from smartlock.cloud.memo import remembered
from smartlock.cloud.models import Device, Event, LockUser, utcnow
from smartlock.cloud.notify.kinds import FROM_EVENT, HIGH, IGNORES_MUTE, NotifyKind, describe
from smartlock.cloud.notify.schemas import NotificationPublic
from smartlock.vocab import EventKind

Live = list[tuple[str, dict[str, Any]]]


class Message(NamedTuple):
    """What a notification says."""

    kind: NotifyKind
    title: str
    body: str
    data: dict[str, Any]


def live_key(account_id: int) -> str:
    """The live-hub channel of one account (shares the broker fan-out of devices)."""
    return f"account-{account_id}"


def notify(
    session: Session,
    *,
    device: Device,
    kind: NotifyKind,
    source_key: str,
    title: str,
    body: str,
    data: dict[str, Any],
    live: Live,
    only: list[int] | None = None,
) -> int:
    """Create the notification for each account with access whose switch is on."""
    made = 0
    for account_id in only if only is not None else ncrud.recipients(session, device=device):
        if not ncrud.wants(session, account_id=account_id, device_id=device.id, kind=kind):
            continue
        row = ncrud.add_notification(
            session,
            account_id=account_id,
            device_id=device.id,
            kind=kind.value,
            priority="high" if kind in HIGH else "normal",
            title=title,
            body=body,
            data=data,
            source_key=source_key,
        )
        if row is None:
            continue
        made += 1
        muted = ncrud.account_settings(session, account_id=account_id).muted
        if not muted or kind in IGNORES_MUTE:
            ncrud.enqueue_deliveries(session, notification=row)
        public = NotificationPublic.model_validate(row).model_dump(mode="json")
        live.append((live_key(account_id), {"type": "notification", "notification": public}))
    session.commit()
    return made


def on_event(session: Session, *, device: Device, event: Event, live: Live) -> int:
    said = _event_message(session, device, event)
    if said is None:
        return 0
    return notify(
        session, device=device, source_key=f"event:{event.id}", live=live, **said._asdict()
    )


def planned_for_event(session: Session, *, device: Device, event: Event) -> list[dict[str, Any]]:
    """The notification rows one new journal event makes (A-NOTIFY), not yet written:
    the derive path writes a whole chunk's rows in one statement (``store_planned``).
    """
    said = _event_message(session, device, event)
    return [] if said is None else _planned(session, device, f"event:{event.id}", said)


def _event_message(session: Session, device: Device, event: Event) -> Message | None:
    """What a journal event's notification says (kind, title, body, data), or None for
    an event that notifies nobody; the same for the direct and the derive path.
    """
    try:
        kind = FROM_EVENT[EventKind(event.kind)]
    except (KeyError, ValueError):
        return None
    user = event.user_number
    if user:
        key = (device.id, user)
        named = remembered(session, ("lock-user", *key), lambda: session.get(LockUser, key))
        if named is not None and named.name:
            user = f"{user} {named.name}"
    battery = event.data.get("level", (device.state or {}).get("battery"))
    title, body = describe(
        kind, device.name, user=user, method=event.method, battery=battery, details=event.data
    )
    data = {"event_seq": event.seq, "event_kind": event.kind, "user": event.user_number}
    if event.method:
        data["method"] = event.method
    return Message(kind, title, body, data)


def planned_offline(session: Session, *, device: Device) -> list[dict[str, Any]]:
    """A-NOTIFY "lock offline", once per offline spell (keyed by when it was last seen):
    the rows, not yet written (a batch's locks at once, ``store_planned``).
    """
    kind = NotifyKind.DEVICE_OFFLINE
    title, body = describe(kind, device.name, user=None, method=None, battery=None)
    return _planned(session, device, _offline_key(device), Message(kind, title, body, {}))


def _offline_key(device: Device) -> str:
    seen = device.last_seen_at.isoformat() if device.last_seen_at else "never"
    return f"offline:{seen}"[:80]


def _planned(
    session: Session, device: Device, source_key: str, message: Message
) -> list[dict[str, Any]]:
    kind, title, body, data = message
    now = utcnow()
    return [
        {
            "account_id": account_id,
            "device_id": device.id,
            "kind": kind.value,
            "priority": "high" if kind in HIGH else "normal",
            "title": title,
            "body": body,
            "data": data,
            "source_key": source_key,
            "created_at": now,
        }
        for account_id in ncrud.recipients(session, device=device)
        if ncrud.wants(session, account_id=account_id, device_id=device.id, kind=kind)
    ]


def store_planned(session: Session, rows: list[dict[str, Any]], *, live: Live) -> int:
    """Write planned notifications (once per (account, source, kind)), their outbox
    rows and live pushes; returns how many were new.
    """
    made = ncrud.add_notifications(session, rows)
    for row in made:
        kind = NotifyKind(row.kind)
        muted = ncrud.account_settings(session, account_id=row.account_id).muted
        if not muted or kind in IGNORES_MUTE:
            ncrud.enqueue_deliveries(session, notification=row)
        public = NotificationPublic.model_validate(row).model_dump(mode="json")
        live.append((live_key(row.account_id), {"type": "notification", "notification": public}))
    session.commit()
    return len(made)
