"""The lock journal in the cloud: exactly-once storage and filtered pages (D-LOG, A-RECORDS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud.models import Device, Event, utcnow


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """One journal entry as the lock sent it (already verified)."""

    seq: int
    kind: str
    occurred_at: dt.datetime
    user_number: str | None = None
    method: str | None = None
    source: str | None = None
    data: dict[str, Any] | None = None
    chain_hash: str | None = None  # link.schemas.event_hash of the event as received
    prev_hash: str | None = None

    def columns(self) -> dict[str, Any]:
        """The ``events`` row's columns from the lock's entry, received now."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "occurred_at": self.occurred_at,
            "received_at": utcnow(),
            "user_number": self.user_number,
            "method": self.method,
            "source": self.source,
            "data": self.data or {},
        }


def store_events(
    session: Session, *, device_id: str, events: list[IncomingEvent], lock_acked_through: int = 0
) -> tuple[list[Event], int]:
    """Store a batch exactly once, in order (D-LOG); return the new rows and the seq to ack.

    Same rule as ``link.cloud_side.accept_batch``: a batch is a gap-free slice of the
    lock's journal, so every seq above the mark is new, and the mark rises to the last
    seq. The device row is locked first, so two workers cannot both store one batch;
    the (device, seq) unique key is the backstop where row locks do not exist (SQLite).
    """
    device = session.get(Device, device_id, with_for_update=True)
    if device is None:
        return [], 0
    base = max(device.acked_seq, lock_acked_through)
    fresh = [e for e in sorted(events, key=lambda e: e.seq) if e.seq > base]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    new: list[Event] = []
    for e in fresh:
        stmt = (
            insert(Event)
            .values(device_id=device_id, **e.columns())
            .on_conflict_do_nothing(index_elements=["device_id", "seq"])
            .returning(Event.id)
        )
        inserted_id = session.execute(stmt).scalar_one_or_none()
        if inserted_id is not None:
            new.append(session.get_one(Event, inserted_id))
    ack = max([base, *(e.seq for e in events)])
    if ack > device.acked_seq:
        device.acked_seq = ack
    if new:
        device.last_event_id = new[-1].id
    session.commit()
    return new, device.acked_seq


def last_event(session: Session, *, device: Device) -> Event | None:
    if device.last_event_id is None:
        return None
    return session.get(Event, device.last_event_id)


_ANY: Mapping[str, str | None] = {}


def query_events(
    session: Session,
    *,
    device_id: str,
    equal: Mapping[str, str | None] = _ANY,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 50,
    before_seq: int | None = None,
) -> tuple[list[Event], int, int | None]:
    """A page of events, newest first; the total matching; the cursor of the next page.
    ``equal``: the value an ``events`` column must have (``None``: any), e.g.
    ``{"user_number": "007", "method": None}``.
    """
    where: list[ColumnElement[bool]] = [Event.device_id == device_id]
    where += [getattr(Event, name) == value for name, value in equal.items() if value is not None]
    if since is not None:
        where.append(Event.occurred_at >= since)
    if until is not None:
        where.append(Event.occurred_at < until)
    total = session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    if before_seq is not None:
        where.append(Event.seq < before_seq)
    page = list(
        session.scalars(select(Event).where(*where).order_by(Event.seq.desc()).limit(limit + 1))
    )
    next_cursor = page[limit - 1].seq if len(page) > limit else None
    return page[:limit], total, next_cursor
