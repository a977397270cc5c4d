"""Handling of what locks send (the cloud worker's logic, broker-free).

``handle_batch(services, messages)`` takes a micro-batch of (topic, payload) as the
broker delivered them, from many locks at once: it verifies each message with its
lock's key (cached, ``lock_keys``), then writes everything the batch says in ONE
transaction (every journal event in one multi-row insert, the acks' high-water marks,
availability, state, command results) and returns what to publish (acks, desired
settings), the live updates, and which locks have new journal events for
``cloud.derive``. A message that fails to parse or verify is logged with its topic and
dropped without touching the others (bad input never stalls other locks).

Idempotent: a redelivered message changes nothing twice, so several workers on one
shared subscription are safe, and a worker killed before the commit loses nothing
(the lock resends until acked; D-LOG). Derived app data (lock users, visitor-password
uses, notifications, scenes) is not written here but by ``cloud.derive``, which moves
a per-lock cursor in the same transaction as what it writes.

``handle(services, topic, payload)`` is the one-message form that also derives at
once: for tests and tools that speak as a lock without a broker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from smartlock.cloud import crud, snapshots, wire
from smartlock.cloud.crud import commands as command_rows
from smartlock.cloud.crud import ingest_rows
from smartlock.cloud.crud.ingest_rows import DeviceBatch, StoredEvent
from smartlock.cloud.crud.records import IncomingEvent
from smartlock.cloud.lock_keys import LockEntry
from smartlock.cloud.models import CommandStatus, Device, Event, SettingsShadow, utcnow
from smartlock.cloud.outcome import Live, Outcome, Outgoing, Settled
from smartlock.cloud.services import Services
from smartlock.cloud.unit_of_work import atomic
from smartlock.cloud.views import event_public
from smartlock.link import codec, schemas
from smartlock.link.errors import AuthError, LinkError
from smartlock.link.topics import Channel

log = logging.getLogger(__name__)

__all__ = ["Outcome", "Outgoing", "Settled", "handle", "handle_batch"]


@dataclass(frozen=True, slots=True)
class _Verified:
    lock_id: str
    entry: LockEntry | None
    inbound: codec.Inbound


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch > 0 else utcnow()


def _number(user_no: int | None) -> str | None:
    return None if user_no is None else f"{user_no:03d}"


def handle(services: Services, topic_name: str, payload: bytes) -> Outcome:
    """One message, then its derived data at once. LinkError if it is malformed."""
    from smartlock.cloud import derive

    out = Outcome()
    verified = _verify_all(services, [(topic_name, payload)], out, raise_first=True)
    out.extend(_store_all(services, verified))
    if out.derive:
        out.extend(derive.drain(services, device_ids=sorted(out.derive)))
    return out


def handle_batch(services: Services, messages: Sequence[tuple[str, bytes]]) -> Outcome:
    """Many messages (many locks) in one transaction; bad ones are logged and dropped."""
    out = Outcome()
    verified = _verify_all(services, messages, out)
    if not verified:
        return out
    try:
        out.extend(_store_all(services, verified))
    except Exception:
        if len(verified) == 1:
            raise
        # One message the database (or the clock) cannot take must not stall the other
        # locks of its batch: store them one by one and drop only what fails.
        log.warning("a batch of %d failed; storing its messages one by one", len(verified))
        for v in verified:
            try:
                out.extend(_store_all(services, [v]))
            except Exception:
                log.exception("dropped message on %s: could not store it", v.inbound.topic)
                out.dropped += 1
    return out


# --- verification ------------------------------------------------------------------


def _verify_all(
    services: Services,
    messages: Sequence[tuple[str, bytes]],
    out: Outcome,
    *,
    raise_first: bool = False,
) -> list[_Verified]:
    serials: set[str] = set()
    for name, _ in messages:
        with contextlib.suppress(LinkError):
            serials.add(wire.lock_id_of(name))
    with services.sessionmaker() as session:
        keys = services.lock_keys.lookup(session, serials)
        verified: list[_Verified] = []
        for name, payload in messages:
            try:
                verified.append(_verify_one(services, session, keys, name, payload))
            except LinkError as exc:
                if raise_first:
                    raise
                log.warning("dropped message on %s: %s", name, exc)
                out.dropped += 1
            except Exception:  # one bad message never stops the batch
                if raise_first:
                    raise
                log.exception("dropped message on %s: could not decode it", name)
                out.dropped += 1
    return verified


def _verify_one(
    services: Services,
    session: Session,
    keys: dict[str, LockEntry],
    name: str,
    payload: bytes,
) -> _Verified:
    lock_id = wire.lock_id_of(name)
    entry = keys.get(lock_id)
    try:
        inbound = wire.decode(entry.key if entry else None, name, payload)
    except AuthError:
        # The cached key may be stale (re-paired, or bound a moment ago elsewhere).
        fresh = services.lock_keys.refresh(session, lock_id)
        if fresh is None or fresh == entry:
            raise
        entry = keys[lock_id] = fresh
        inbound = wire.decode(entry.key, name, payload)
    return _Verified(lock_id, entry, inbound)


# --- storage -----------------------------------------------------------------------


def _store_all(services: Services, verified: list[_Verified]) -> Outcome:
    """The batch in one transaction; again without locks unbound meanwhile, and
    again after a deadlock or serialization failure (the database chose us).
    """
    for attempt in range(1, 5):
        out = Outcome()
        try:
            with atomic(services.engine) as session:
                went_offline = _store(services, session, verified, out)
            _notify_offline(services, went_offline, out)
            return out
        except IntegrityError:
            if attempt >= 2:
                raise
            # A lock was unbound while we wrote (its events' device row is gone).
            with services.sessionmaker() as session:
                alive = ingest_rows.existing_devices(
                    session, (v.entry.device_id for v in verified if v.entry is not None)
                )
            for v in verified:
                if v.entry is not None and v.entry.device_id not in alive:
                    services.lock_keys.forget(v.lock_id)
            verified = [v for v in verified if v.entry is None or v.entry.device_id in alive]
        except OperationalError as exc:
            if not _retryable(exc) or attempt == 4:
                raise
            log.warning("batch of %d retried after: %s", len(verified), exc.orig)
    raise AssertionError("unreachable")


def _retryable(exc: OperationalError) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or a busy SQLite."""
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40P01", "40001") or "database is locked" in str(exc.orig)


def _notify_offline(services: Services, device_ids: list[str], out: Outcome) -> None:
    """After the batch's commit, in a transaction of its own (``derive.notify_offline``)."""
    if not device_ids:
        return
    from smartlock.cloud import derive

    try:
        derive.notify_offline(services, device_ids, out.live)
    except Exception:  # a notification never costs the batch (D-LOG)
        log.exception("offline notifications for %d locks failed", len(device_ids))


def _store(
    services: Services, session: Session, verified: list[_Verified], out: Outcome
) -> list[str]:
    """Write the batch; returns the locks it saw go offline (notified after the commit)."""
    batches, rare, locks = _gather(services, session, verified)
    alive = ingest_rows.lock_devices(session, batches)
    for device_id in set(batches) - alive:  # unbound since the key was cached
        services.lock_keys.forget(locks[device_id].lock_id)
    kept = [b for b in batches.values() if b.device_id in alive]

    stored = ingest_rows.store_events(session, kept)
    for row in ingest_rows.check_chain(session, stored):
        # An edited, deleted or reordered journal on the lock (or a stolen store
        # put back): flagged on the event, which the app's records show.
        log.warning("lock %s: journal hash chain broken at seq %d", row.device_id, row.seq)
    ingest_rows.raise_acks(session, kept, stored)
    states = ingest_rows.apply_states(session, kept)
    availability = ingest_rows.apply_availability(session, kept, now=utcnow())
    settings = ingest_rows.apply_reported(session, kept)
    session.commit()

    out.stored_events += len(stored)
    out.derive |= {row.device_id for row in stored}
    _live_events(session, kept, stored, out.live)
    for device_id in sorted(states | set(availability)):
        out.live.append((device_id, {"type": "status"}))
    for device_id in sorted(settings):
        out.live.append((device_id, {"type": "settings"}))
    came_online = [b.device_id for b in kept if b.availability and b.availability[-1]]
    out.publish += _desired_if_pending(session, came_online, locks)
    out.publish += _acks(kept, locks)
    for v in rare:
        if v.entry is not None and v.entry.device_id in alive:
            _rare(session, v, out)
    return sorted(device_id for device_id, online in availability.items() if not online)


def _gather(
    services: Services, session: Session, verified: list[_Verified]
) -> tuple[dict[str, DeviceBatch], list[_Verified], dict[str, _Verified]]:
    """The batch by lock: what each lock said (folded), the rare messages, and each
    lock's last message (its key for the answers). Pairing hellos are recorded here.
    """
    batches: dict[str, DeviceBatch] = {}
    rare: list[_Verified] = []
    locks: dict[str, _Verified] = {}
    for v in verified:
        if v.inbound.channel is Channel.PAIRING_HELLO:
            _hello(services, session, v.lock_id, v.inbound.message)
            continue
        if v.entry is None:
            continue  # availability of an unknown lock: nothing to keep
        locks[v.entry.device_id] = v
        batch = batches.setdefault(v.entry.device_id, DeviceBatch(v.entry.device_id))
        if not _fold(batch, v.inbound):
            rare.append(v)
    return batches, rare, locks


def _fold(batch: DeviceBatch, inbound: codec.Inbound) -> bool:
    """Add one message to its lock's batch: the latest state and settings win, events
    add up. False for a message that is not folded (pictures, command results).
    """
    message = inbound.message
    if inbound.channel is Channel.AVAILABILITY:
        batch.availability.append(message == "online")
    elif isinstance(message, schemas.StateReport):
        at = _when(message.sent_at)
        if batch.state is None or at >= batch.state[1]:
            batch.state = (message.model_dump(mode="json"), at, message.firmware or None)
    elif isinstance(message, schemas.EventBatch):
        batch.events.extend(_incoming(message))
        batch.lock_acked_through = max(batch.lock_acked_through, message.acked_through)
    elif isinstance(message, schemas.ShadowReported):
        if batch.reported is None or message.version >= batch.reported[1]:
            batch.reported = (dict(message.settings), message.version)
    else:
        return False
    return True


def _acks(batches: list[DeviceBatch], locks: dict[str, _Verified]) -> list[Outgoing]:
    """An ack to every lock that sent events (or said what it has acked)."""
    out: list[Outgoing] = []
    for b in batches:
        if b.events or b.lock_acked_through:
            v = locks[b.device_id]
            assert v.entry is not None
            name, ack = wire.ack_message(v.lock_id, v.entry.key, up_to_seq=b.ack_seq())
            out.append(Outgoing(name, ack, qos=0))
    return out


def _incoming(batch: schemas.EventBatch) -> list[IncomingEvent]:
    return [
        IncomingEvent(
            seq=e.seq,
            kind=e.kind.value,
            occurred_at=_when(e.at),
            user_number=_number(e.user_no),
            method=e.method.value if e.method else None,
            source=e.source.value if e.source else None,
            data=dict(e.details),
            chain_hash=schemas.event_hash(e),
            prev_hash=e.prev_hash,
        )
        for e in batch.events
    ]


def _live_events(
    session: Session, batches: list[DeviceBatch], stored: list[StoredEvent], live: Live
) -> None:
    """A live update per stored event, built from what the lock sent (no re-read)."""
    if not stored:
        return
    sent = {(b.device_id, e.seq): e for b in batches for e in b.events}
    for row in stored:
        e = sent[(row.device_id, row.seq)]
        event = Event(id=row.id, device_id=row.device_id, **e.columns())
        public = event_public(event).model_dump(mode="json")
        live.append((row.device_id, {"type": "event", "event": public}))


def _desired_if_pending(
    session: Session, device_ids: list[str], locks: dict[str, _Verified]
) -> list[Outgoing]:
    """On reconnect, send desired settings again if the lock has not reported them."""
    if not device_ids:
        return []
    shadows = session.scalars(
        select(SettingsShadow).where(
            SettingsShadow.device_id.in_(sorted(device_ids)),
            SettingsShadow.version > SettingsShadow.reported_version,
        )
    )
    out: list[Outgoing] = []
    for shadow in shadows:
        if not crud.pending_settings(shadow):
            continue
        v = locks[shadow.device_id]
        assert v.entry is not None
        name, payload = wire.desired_message(
            v.lock_id, v.entry.key, desired=shadow.desired, version=shadow.version
        )
        out.append(Outgoing(name, payload, retain=True))
    return out


def _hello(services: Services, session: Session, lock_id: str, message: Any) -> None:
    assert isinstance(message, schemas.PairingHello)
    if message.serial != lock_id:
        log.warning("dropped a pairing hello for %s on %s's topic", message.serial, lock_id)
        return
    expires = utcnow() + dt.timedelta(seconds=services.settings.pairing_hello_seconds)
    crud.record_hello(
        session, serial=lock_id, payload=message.model_dump(mode="json"), expires_at=expires
    )


def _rare(session: Session, v: _Verified, out: Outcome) -> None:
    """Pictures and command results: few, one at a time."""
    assert v.entry is not None
    device_id, message = v.entry.device_id, v.inbound.message
    if isinstance(message, schemas.Snapshot):
        device = session.get(Device, device_id)
        row = snapshots.store(session, device=device, message=message) if device else None
        if row is not None:  # A-LIVE, D-PRIV
            out.live.append((device_id, snapshots.live_update(row)))
    elif isinstance(message, schemas.CommandResult):
        status = CommandStatus.DONE if message.ok else CommandStatus.REFUSED
        reason = None if message.ok else (message.reason or "refused")
        if command_rows.settle_result(
            session,
            command_id=message.request_id,
            device_id=device_id,
            status=status,
            reason=reason,
        ):
            out.settled.append(Settled(message.request_id, device_id, status))
            out.live.append(
                (device_id, {"type": "command", "id": message.request_id, "status": status.value})
            )
    else:
        log.info("ignored %s from %s", v.inbound.channel, v.lock_id)
