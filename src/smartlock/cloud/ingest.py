"""Handling of every message a lock sends (the cloud worker's logic, broker-free).

``handle(services, topic, payload)`` verifies the message with that lock's key, stores
what it says, and returns what to publish (acks, desired settings) and which devices
changed for live clients. Idempotent: a redelivered message changes nothing twice,
so several workers on one shared subscription are safe.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from smartlock.cloud import crud, features_hook, snapshots, wire
from smartlock.cloud.crud.records import IncomingEvent
from smartlock.cloud.lockops import lock_key, set_broker_user
from smartlock.cloud.models import CommandStatus, Device, utcnow
from smartlock.cloud.services import Services
from smartlock.cloud.views import event_public
from smartlock.device.vocab import EventKind
from smartlock.link import schemas
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


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    payload: bytes
    retain: bool = False


@dataclass
class Outcome:
    publish: list[Outgoing] = field(default_factory=list)
    # (device id, live update) for SSE clients of every worker.
    live: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch > 0 else utcnow()


def _number(user_no: int | None) -> str | None:
    return None if user_no is None else f"{user_no:03d}"


def handle(services: Services, topic_name: str, payload: bytes) -> Outcome:
    """Process one message; LinkError (bad topic, payload or signature) means drop it."""
    out = Outcome()
    lock_id = wire.lock_id_of(topic_name)
    with services.sessionmaker() as session:
        device = crud.get_device_by_serial(session, serial=lock_id)
        key = lock_key(services, device) if device is not None else None
        inbound = wire.decode(key, topic_name, payload)
        message = inbound.message
        if inbound.channel is Channel.PAIRING_HELLO:
            assert isinstance(message, schemas.PairingHello)
            if message.serial != lock_id:
                raise wire.LinkError("hello on another lock's topic")
            expires = utcnow() + dt.timedelta(seconds=services.settings.pairing_hello_seconds)
            crud.record_hello(
                session, serial=lock_id, payload=message.model_dump(mode="json"), expires_at=expires
            )
            return out
        if device is None or key is None:
            return out  # availability of an unknown lock: nothing to keep
        if inbound.channel is Channel.AVAILABILITY:
            online = message == "online"
            if crud.set_online(session, device_id=device.id, online=online):
                out.live.append((device.id, {"type": "status"}))
                features_hook.on_availability(session, device=device, online=online, live=out.live)
            if online:
                out.publish.extend(_desired_if_pending(services, session, device, key))
        elif isinstance(message, schemas.StateReport):
            state = message.model_dump(mode="json")
            if crud.set_state(
                session,
                device_id=device.id,
                state=state,
                at=_when(message.sent_at),
                firmware=message.firmware or None,
            ):
                out.live.append((device.id, {"type": "status"}))
        elif isinstance(message, schemas.EventBatch):
            _events(services, session, device, key, message, out)
        elif isinstance(message, schemas.ShadowReported):
            crud.apply_reported(
                session,
                device_id=device.id,
                reported=dict(message.settings),
                applied_version=message.version,
            )
            out.live.append((device.id, {"type": "settings"}))
        elif isinstance(message, schemas.Snapshot):
            row = snapshots.store(session, device=device, message=message)  # A-LIVE, D-PRIV
            if row is not None:
                out.live.append((device.id, snapshots.live_update(row)))
        elif isinstance(message, schemas.CommandResult):
            crud.finish_command(
                session,
                command_id=message.request_id,
                device_id=device.id,
                status=CommandStatus.DONE if message.ok else CommandStatus.REFUSED,
                reason=None if message.ok else (message.reason or "refused"),
            )
        else:
            log.info("ignored %s from %s", inbound.channel, lock_id)
    return out


def _events(
    services: Services,
    session: Any,
    device: Device,
    key: str,
    batch: schemas.EventBatch,
    out: Outcome,
) -> None:
    incoming = [
        IncomingEvent(
            seq=e.seq,
            kind=e.kind.value,
            occurred_at=_when(e.at),
            user_number=_number(e.user_no),
            method=e.method.value if e.method else None,
            source=e.source.value if e.source else None,
            data=dict(e.details),
        )
        for e in batch.events
    ]
    new, acked = crud.store_events(
        session, device_id=device.id, events=incoming, lock_acked_through=batch.acked_through
    )
    name, ack = wire.ack_message(device.serial, key, up_to_seq=acked)
    out.publish.append(Outgoing(name, ack))
    for event in new:
        if event.kind in USER_KINDS and event.user_number:
            crud.apply_user_event(
                session,
                device_id=device.id,
                kind=event.kind,
                number=event.user_number,
                details=event.data,
            )
        out.live.append(
            (device.id, {"type": "event", "event": event_public(event).model_dump(mode="json")})
        )
    # Visitor passwords, notifications, scenes (A-TEMP, A-NOTIFY, A-SCENE).
    features_hook.on_new_events(session, device=device, events=new, live=out.live)
    if any(e.kind in UNBINDING_KINDS for e in new):
        # The lock forgot us: forget it too, and clear what we left retained for it.
        crud.unbind_device(session, device_id=device.id)
        set_broker_user(services, device.serial, None)
        out.publish.append(Outgoing(topic(device.serial, Channel.SHADOW_DESIRED), b"", True))
        out.live.append((device.id, {"type": "unbound"}))


def _desired_if_pending(
    services: Services, session: Any, device: Device, key: str
) -> list[Outgoing]:
    """On reconnect, send desired settings again if the lock has not reported them."""
    shadow = crud.get_shadow(session, device_id=device.id)
    if not crud.pending_settings(shadow):
        return []
    name, payload = wire.desired_message(
        device.serial, key, desired=shadow.desired, version=shadow.version
    )
    return [Outgoing(name, payload, retain=True)]
