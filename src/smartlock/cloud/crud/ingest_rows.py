"""Set-based writes of what many locks sent at once (fleet ingestion, D-LOG, A-STATUS).

The worker hands a whole micro-batch of messages to these functions inside one
transaction (``unit_of_work.atomic``): one statement locking the batch's device rows in
id order (so two workers' batches never deadlock), one multi-row INSERT for every
journal event of every lock in it, and one executemany per kind of device update.
Exactly-once rests on the (device, seq) unique key and on updates that only move
forward (``acked_seq`` = the larger of the two, the newest ``state_at`` wins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud.crud.records import IncomingEvent
from smartlock.cloud.models import Device, Event, utcnow
from smartlock.device.journal_chain import GENESIS

# The devices table itself (Core statements: executemany, no ORM identity map).
DEVICES: Table = Device.__table__  # type: ignore[assignment]
EVENTS: Table = Event.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A journal row this call inserted (a redelivered one is not returned)."""

    id: int
    device_id: str
    seq: int
    kind: str


@dataclass
class DeviceBatch:
    """What one micro-batch says about one lock, in arrival order."""

    device_id: str
    events: list[IncomingEvent] = field(default_factory=list)
    lock_acked_through: int = 0
    # The newest state report: (state, sent at, firmware or None).
    state: tuple[dict[str, Any], dt.datetime, str | None] | None = None
    availability: list[bool] = field(default_factory=list)

    def ack_seq(self) -> int:
        """The seq to acknowledge once the batch is stored: every event up to it is."""
        return max([self.lock_acked_through, *(e.seq for e in self.events)])


def existing_devices(session: Session, device_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(device_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Device.id).where(Device.id.in_(ids))))


def lock_devices(session: Session, device_ids: Iterable[str]) -> set[str]:
    """Lock every device row the batch will write, in one statement and in id order,
    and return those that still exist. Each later update of the batch touches only
    rows already held, so two workers' batches can wait on each other but never
    deadlock (they would if each update pass took its locks as it went). The
    ``NO KEY`` lock does not block the events' foreign-key checks.
    """
    ids = sorted(set(device_ids))
    if not ids:
        return set()
    query = select(Device.id).where(Device.id.in_(ids)).order_by(Device.id)
    return set(session.scalars(query.with_for_update(key_share=True)))


def store_events(session: Session, batches: Sequence[DeviceBatch]) -> list[StoredEvent]:
    """Insert every new event of every lock in one statement; return the rows inserted.

    A batch is a gap-free slice of a lock's journal (D-LOG): events at or below what
    the lock says was acknowledged are skipped; any other seq already present is a
    redelivery and the unique key drops it.
    """
    rows = [
        {
            "device_id": b.device_id,
            "seq": e.seq,
            "kind": e.kind,
            "occurred_at": e.occurred_at,
            "received_at": utcnow(),
            "user_number": e.user_number,
            "method": e.method,
            "source": e.source,
            "data": e.data or {},
            "chain_hash": e.chain_hash,
            "prev_hash": e.prev_hash,
        }
        for b in batches
        for e in sorted(b.events, key=lambda e: e.seq)
        if e.seq > b.lock_acked_through
    ]
    if not rows:
        return []
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Event)
        .on_conflict_do_nothing(index_elements=["device_id", "seq"])
        .returning(Event.id, Event.device_id, Event.seq, Event.kind, sort_by_parameter_order=True)
    )
    result = session.execute(stmt, rows)
    return [StoredEvent(r.id, r.device_id, r.seq, r.kind) for r in result]


def check_chain(session: Session, stored: list[StoredEvent]) -> list[StoredEvent]:
    """Mark each stored event whose ``prev_hash`` does not match the hash the cloud
    holds for seq - 1 (or, for seq 1, is not the genesis hash); return the breaks.
    Two set statements for the whole batch (the journal's hash chain, docs/link.md).
    """
    if not stored:
        return []
    ids = [row.id for row in stored]
    e, p = EVENTS, EVENTS.alias("previous")
    session.execute(
        update(e)
        .where(e.c.id.in_(ids), e.c.prev_hash.is_not(None))
        .where(p.c.device_id == e.c.device_id, p.c.seq == e.c.seq - 1)
        .where(p.c.chain_hash.is_not(None))
        .values(chain_break=p.c.chain_hash.is_distinct_from(e.c.prev_hash))
    )
    session.execute(
        update(e)
        .where(e.c.id.in_(ids), e.c.seq == 1, e.c.prev_hash.is_not(None))
        .values(chain_break=e.c.prev_hash != GENESIS)
    )
    broken = set(session.scalars(select(e.c.id).where(e.c.id.in_(ids), e.c.chain_break.is_(True))))
    return [row for row in stored if row.id in broken]


def raise_acks(session: Session, batches: Sequence[DeviceBatch], stored: list[StoredEvent]) -> None:
    """Move each lock's ``acked_seq`` forward (never back) and its last event."""
    last: dict[str, int] = {}
    for row in stored:  # in insert order, so the last per device is its newest
        last[row.device_id] = row.id
    greatest = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    params = [
        {"b_id": b.device_id, "b_ack": b.ack_seq()}
        for b in sorted(batches, key=lambda b: b.device_id)
        if b.events or b.lock_acked_through
    ]
    if params:
        session.execute(
            update(DEVICES)
            .where(DEVICES.c.id == bindparam("b_id"))
            .values(acked_seq=greatest(DEVICES.c.acked_seq, bindparam("b_ack"))),
            params,
        )
    if last:
        session.execute(
            update(DEVICES)
            .where(DEVICES.c.id == bindparam("b_id"))
            .values(last_event_id=bindparam("b_last")),
            [{"b_id": d, "b_last": i} for d, i in sorted(last.items())],
        )


def apply_states(session: Session, batches: Sequence[DeviceBatch]) -> set[str]:
    """Keep each lock's newest state report (an older one, redelivered late, or the
    retained copy a starting worker is handed again, writes nothing); return the
    devices whose stored state changed.
    """
    changed: set[str] = set()
    table = DEVICES
    for b in sorted(batches, key=lambda b: b.device_id):
        if b.state is None:
            continue
        state, at, firmware = b.state
        values: dict[str, Any] = {
            "state": state,
            "state_at": at,
            "online": True,
            "last_seen_at": at,
        }
        if firmware:
            values["firmware"] = firmware
        result = session.execute(
            update(table)
            .where(table.c.id == b.device_id)
            .where(table.c.state_at.is_(None) | (table.c.state_at < at))
            .values(**values)
            .returning(table.c.id)
        )
        if result.first() is not None:
            changed.add(b.device_id)
    return changed


def apply_availability(
    session: Session, batches: Sequence[DeviceBatch], *, now: dt.datetime
) -> dict[str, bool]:
    """Record each lock's last availability; return {device: online} where it changed."""
    changed: dict[str, bool] = {}
    table = DEVICES
    for b in sorted(batches, key=lambda b: b.device_id):
        if not b.availability:
            continue
        online = b.availability[-1]
        values: dict[str, Any] = {"online": online}
        if online:
            values["last_seen_at"] = now
        result = session.execute(
            update(table)
            .where(table.c.id == b.device_id, table.c.online != online)
            .values(**values)
            .returning(table.c.id)
        )
        if result.first() is not None:
            changed[b.device_id] = online
        elif online:
            session.execute(update(table).where(table.c.id == b.device_id).values(last_seen_at=now))
    return changed
