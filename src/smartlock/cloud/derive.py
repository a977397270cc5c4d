"""From the stored journal to the app's data: lock users, visitor-password uses,
notifications, scene runs (A-USERS, A-TEMP, A-NOTIFY, A-SCENE).

Ingestion only stores events (``ingest``); this drains them, per lock in journal
order, and moves the lock's ``derive_cursors.derived_seq`` in the SAME transaction as
the rows it writes. So a worker killed at any point leaves either nothing or
everything of an event's consequences, and the next drain (any worker: the cursor
rows are claimed with ``SKIP LOCKED`` on PostgreSQL) continues from the cursor; no
user, notification or scene run is lost or written twice. Slow outbound work
(apprise, webhooks) is not done here either: notifications and scene runs are rows
that the features worker delivers later, so a slow webhook never slows the journal.

A lock whose journal says it was reset or unpaired (D-RESET, D-PAIR) is unbound here,
after the events before it were derived.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud import crud, features_hook
from smartlock.cloud.lockops import set_broker_user
from smartlock.cloud.models import DeriveCursor, Device, Event
from smartlock.cloud.outcome import Live, Outcome, Outgoing
from smartlock.cloud.services import Services
from smartlock.cloud.unit_of_work import atomic
from smartlock.device.vocab import EventKind
from smartlock.link.topics import Channel, topic

log = logging.getLogger(__name__)

USER_KINDS = frozenset(
    {
        EventKind.USER_ADDED,
        EventKind.USER_DELETED,
        EventKind.CREDENTIAL_ADDED,
        EventKind.CREDENTIAL_DELETED,
    }
)
# The lock ended the binding on its side (D-RESET, D-PAIR).
UNBINDING_KINDS = frozenset({EventKind.FACTORY_RESET, EventKind.UNPAIRED})

EVENTS_PER_LOCK = 200  # per drain; a long backlog is taken in several transactions


def pending(services: Services, *, limit: int = 500) -> list[str]:
    """Locks whose journal is ahead of their derived data (the recovery sweep)."""
    with services.sessionmaker() as session:
        derived = (
            select(DeriveCursor.derived_seq)
            .where(DeriveCursor.device_id == Device.id)
            .scalar_subquery()
        )
        rows = session.scalars(
            select(Device.id)
            .where(Device.acked_seq > 0)
            .where((derived.is_(None)) | (derived < Device.acked_seq))
            .order_by(Device.id)
            .limit(limit)
        )
        return list(rows)


def drain(services: Services, *, device_ids: Sequence[str]) -> Outcome:
    """Derive what is new for these locks; returns the live updates and messages."""
    out = Outcome()
    unbound: list[Device] = []
    ids = sorted(set(device_ids))
    if not ids:
        return out
    with atomic(services.engine) as session:
        for device, cursor in _claim(session, ids):
            events = list(
                session.scalars(
                    select(Event)
                    .where(Event.device_id == device.id, Event.seq > cursor.derived_seq)
                    .order_by(Event.seq)
                    .limit(EVENTS_PER_LOCK)
                )
            )
            if not events:
                cursor.derived_seq = max(cursor.derived_seq, device.acked_seq)
                continue
            cut = next((i for i, e in enumerate(events) if e.kind in UNBINDING_KINDS), None)
            _derive(session, device, events if cut is None else events[: cut + 1], out.live)
            if cut is not None:
                unbound.append(device)
                crud.unbind_device(session, device_id=device.id)
                continue
            cursor.derived_seq = events[-1].seq
            if len(events) == EVENTS_PER_LOCK:
                out.derive.add(device.id)  # more to do: the caller drains again
            session.commit()
    for device in unbound:
        # The lock forgot us: forget it too, and clear what we left retained for it.
        services.lock_keys.forget(device.serial)
        set_broker_user(services, device.serial, None)
        out.publish.append(Outgoing(topic(device.serial, Channel.SHADOW_DESIRED), b"", True))
        out.live.append((device.id, {"type": "unbound"}))
    return out


def _claim(session: Session, ids: list[str]) -> list[tuple[Device, DeriveCursor]]:
    """Lock the cursors of these locks (skipping ones another worker is deriving)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(DeriveCursor)
        .from_select(
            ["device_id", "derived_seq"],
            select(Device.id, literal(0)).where(Device.id.in_(ids)),
        )
        .on_conflict_do_nothing(index_elements=["device_id"])
    )
    cursors = session.scalars(
        select(DeriveCursor)
        .where(DeriveCursor.device_id.in_(ids))
        .order_by(DeriveCursor.device_id)
        .with_for_update(skip_locked=True)
    ).all()
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(ids)))}
    return [(devices[c.device_id], c) for c in cursors if c.device_id in devices]


def _derive(session: Session, device: Device, events: list[Event], live: Live) -> None:
    users_changed = False
    for event in events:
        if event.kind in USER_KINDS and event.user_number:
            try:
                users_changed |= crud.apply_user_event(
                    session,
                    device_id=device.id,
                    kind=event.kind,
                    number=event.user_number,
                    details=event.data,
                )
            except Exception:  # a bad event never blocks the journal (D-LOG)
                session.rollback()
                log.exception("lock users: event %s of %s failed", event.seq, device.id)
    # Visitor passwords, notifications, scenes (A-TEMP, A-NOTIFY, A-SCENE).
    features_hook.on_new_events(session, device=device, events=events, live=live)
    if users_changed:
        live.append((device.id, {"type": "users"}))
