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
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Table, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud.crud.common import update_each
from smartlock.cloud.crud.records import IncomingEvent
from smartlock.cloud.models import Device, Event, SettingsShadow, utcnow
from smartlock.device.core.journal_chain import GENESIS

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
    # The newest settings report: (settings, the desired version it applied).
    reported: tuple[dict[str, Any], int] | None = None

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
    """Insert every new event of every lock in one statement; return the rows inserted,
    in insert (id) order.

    A batch is a gap-free slice of a lock's journal (D-LOG): events at or below what
    the lock says was acknowledged are skipped; any other seq already present is a
    redelivery and the unique key drops it.
    """
    now = utcnow()
    rows = [
        {
            "device_id": b.device_id,
            "seq": e.seq,
            "kind": e.kind,
            "occurred_at": e.occurred_at,
            "received_at": now,
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
    if _postgres(session):
        return _store_events_pg(session, rows)
    stmt = (
        sqlite_insert(Event)
        .on_conflict_do_nothing(index_elements=["device_id", "seq"])
        .returning(Event.id, Event.device_id, Event.seq, Event.kind, sort_by_parameter_order=True)
    )
    result = session.execute(stmt, rows)
    return [StoredEvent(r.id, r.device_id, r.seq, r.kind) for r in result]


# PostgreSQL takes a whole batch as one array per column: one small statement that
# the driver need not rewrite, where a multi-row VALUES of a 2,000-message batch is a
# query of 20,000 placeholders that psycopg parses again for every batch (measured:
# a third of the worker's CPU, bench/ingest_cpu.py).
_PG_INSERT_EVENTS = text(
    """
    INSERT INTO events (device_id, seq, kind, occurred_at, received_at, user_number,
                        method, source, data, chain_hash, prev_hash)
    SELECT * FROM unnest(
        CAST(:device_id AS varchar[]), CAST(:seq AS integer[]), CAST(:kind AS varchar[]),
        CAST(:occurred_at AS timestamptz[]), CAST(:received_at AS timestamptz[]),
        CAST(:user_number AS varchar[]), CAST(:method AS varchar[]),
        CAST(:source AS varchar[]), CAST(:data AS json[]), CAST(:chain_hash AS varchar[]),
        CAST(:prev_hash AS varchar[]))
    ON CONFLICT (device_id, seq) DO NOTHING
    RETURNING id, device_id, seq, kind
    """
)


def _store_events_pg(session: Session, rows: list[dict[str, Any]]) -> list[StoredEvent]:
    columns: dict[str, list[Any]] = {name: [r[name] for r in rows] for name in rows[0]}
    columns["data"] = [json.dumps(d) for d in columns["data"]]
    for name in ("occurred_at", "received_at"):
        columns[name] = [t.astimezone(dt.UTC) for t in columns[name]]
    result = session.execute(_PG_INSERT_EVENTS, columns)
    stored = [StoredEvent(r.id, r.device_id, r.seq, r.kind) for r in result]
    stored.sort(key=lambda row: row.id)
    return stored


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


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
    acks = {b.device_id: b.ack_seq() for b in batches if b.events or b.lock_acked_through}
    if _postgres(session):
        if acks:
            session.execute(_PG_RAISE_ACKS, {"ids": sorted(acks), "acks": _by_id(acks)})
        if last:
            session.execute(_PG_LAST_EVENT, {"ids": sorted(last), "last": _by_id(last)})
        return
    if acks:
        update_each(session, DEVICES.c.id, "acked_seq", acks, _never_back)
    if last:
        update_each(session, DEVICES.c.id, "last_event_id", last)


def _never_back(ack: BindParameter[Any]) -> ColumnElement[Any]:
    """An ack mark only rises (a late, smaller ack changes nothing)."""
    return func.max(DEVICES.c.acked_seq, ack)


def _by_id(values: dict[str, Any]) -> list[Any]:
    return [values[k] for k in sorted(values)]


_PG_RAISE_ACKS = text(
    """
    UPDATE devices SET acked_seq = greatest(devices.acked_seq, v.ack)
    FROM unnest(CAST(:ids AS varchar[]), CAST(:acks AS integer[])) AS v(id, ack)
    WHERE devices.id = v.id
    """
)
_PG_LAST_EVENT = text(
    """
    UPDATE devices SET last_event_id = v.last
    FROM unnest(CAST(:ids AS varchar[]), CAST(:last AS integer[])) AS v(id, last)
    WHERE devices.id = v.id
    """
)


def apply_states(session: Session, batches: Sequence[DeviceBatch]) -> set[str]:
    """Keep each lock's newest state report (an older one, redelivered late, or the
    retained copy a starting worker is handed again, writes nothing); return the
    devices whose stored state changed.
    """
    reports = sorted(
        ((b.device_id, b.state) for b in batches if b.state is not None), key=lambda r: r[0]
    )
    if not reports:
        return set()
    if _postgres(session):
        params = {
            "ids": [d for d, _ in reports],
            "states": [json.dumps(state) for _, (state, _, _) in reports],
            "ats": [at.astimezone(dt.UTC) for _, (_, at, _) in reports],
            "fws": [fw or None for _, (_, _, fw) in reports],
        }
        return set(session.scalars(_PG_APPLY_STATES, params))
    changed: set[str] = set()
    table = DEVICES
    for device_id, (state, at, firmware) in reports:
        values = {"state": state, "state_at": at, "online": True, "last_seen_at": at}
        if firmware:
            values["firmware"] = firmware
        result = session.execute(
            update(table)
            .where(table.c.id == device_id)
            .where(table.c.state_at.is_(None) | (table.c.state_at < at))
            .values(**values)
            .returning(table.c.id)
        )
        if result.first() is not None:
            changed.add(device_id)
    return changed


_PG_APPLY_STATES = text(
    """
    UPDATE devices SET state = v.state, state_at = v.at, online = true,
                       last_seen_at = v.at, firmware = coalesce(v.fw, devices.firmware)
    FROM unnest(CAST(:ids AS varchar[]), CAST(:states AS json[]),
                CAST(:ats AS timestamptz[]), CAST(:fws AS varchar[])) AS v(id, state, at, fw)
    WHERE devices.id = v.id AND (devices.state_at IS NULL OR devices.state_at < v.at)
    RETURNING devices.id
    """
)


def apply_reported(session: Session, batches: Sequence[DeviceBatch]) -> set[str]:
    """Each lock's newest settings report into its shadow (A-SETTINGS), the whole batch
    in one read and one flush; returns the devices whose shadow changed. A report equal
    to the stored one (every lock sends its settings again on each connect) writes
    nothing: an online storm of 10,000 locks is not 10,000 updates. Once a lock has
    applied the newest desired version, a value it reports (also one changed at the
    lock itself) becomes the desired one.
    """
    reports = {b.device_id: b.reported for b in batches if b.reported is not None}
    if not reports:
        return set()
    changed: set[str] = set()
    shadows = session.scalars(
        select(SettingsShadow).where(SettingsShadow.device_id.in_(sorted(reports)))
    )
    now = utcnow()
    for shadow in shadows:
        settings, applied = reports[shadow.device_id]
        version = max(shadow.reported_version, applied)
        desired = shadow.desired
        if version >= shadow.version:
            desired = {k: settings.get(k, v) for k, v in shadow.desired.items()}
        if (shadow.reported, shadow.reported_version, shadow.desired) == (
            settings,
            version,
            desired,
        ):
            continue
        shadow.reported = dict(settings)
        shadow.reported_version = version
        shadow.desired = desired
        shadow.updated_at = now
        changed.add(shadow.device_id)
    session.flush()
    return changed


def apply_availability(
    session: Session, batches: Sequence[DeviceBatch], *, now: dt.datetime
) -> dict[str, bool]:
    """Record each lock's last availability; return {device: online} where it changed."""
    last = {b.device_id: b.availability[-1] for b in batches if b.availability}
    if not last:
        return {}
    if _postgres(session):
        params = {"ids": sorted(last), "online": _by_id(last), "now": now.astimezone(dt.UTC)}
        changed = {row.id: row.online for row in session.execute(_PG_AVAILABILITY, params)}
        seen = [d for d, online in sorted(last.items()) if online and d not in changed]
        if seen:
            session.execute(_PG_SEEN, {"ids": seen, "now": now.astimezone(dt.UTC)})
        return changed
    result: dict[str, bool] = {}
    table = DEVICES
    for device_id, online in sorted(last.items()):
        values: dict[str, Any] = {"online": online}
        if online:
            values["last_seen_at"] = now
        found = session.execute(
            update(table)
            .where(table.c.id == device_id, table.c.online != online)
            .values(**values)
            .returning(table.c.id)
        )
        if found.first() is not None:
            result[device_id] = online
        elif online:
            session.execute(update(table).where(table.c.id == device_id).values(last_seen_at=now))
    return result


_PG_AVAILABILITY = text(
    """
    UPDATE devices SET online = v.online,
        last_seen_at = CASE WHEN v.online THEN :now ELSE devices.last_seen_at END
    FROM unnest(CAST(:ids AS varchar[]), CAST(:online AS boolean[])) AS v(id, online)
    WHERE devices.id = v.id AND devices.online <> v.online
    RETURNING devices.id, v.online
    """
)
_PG_SEEN = text("UPDATE devices SET last_seen_at = :now WHERE id = ANY(CAST(:ids AS varchar[]))")
