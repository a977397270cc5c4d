"""The cloud's half of the link as pure functions: no broker, no database.

The cloud worker (tests/link/cloud_stub.py in the lock's tests) calls these to
verify what a lock sent, to build signed commands, acks and desired settings, and
to decide which events of a batch are new (`accept_batch`).

Exactly once, in order (D-LOG): the lock resends unacknowledged events until acked;
the cloud keeps one number per lock, `acked_through`, and stores a batch's events
above it in the *same transaction* that raises it (lock the lock's row first, so two
workers of a shared subscription cannot both store one batch). A batch is a
gap-free slice of the lock's journal, so any seq above `acked_through` in it is the
next event: nothing can be skipped, and a duplicate is always at or below the mark.

>>> from smartlock.link.schemas import Event, EventBatch
>>> batch = EventBatch(acked_through=0, events=[
...     Event(seq=1, at=1.0, kind="boot"), Event(seq=2, at=2.0, kind="doorbell")])
>>> outcome = accept_batch(1, batch)
>>> [e.seq for e in outcome.new_events], outcome.ack_seq, outcome.duplicates
([2], 2, 1)
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smartlock.device.core.inputs import RemoteAction
from smartlock.link.codec import Inbound, encode, parse
from smartlock.link.errors import AuthError
from smartlock.link.pairing import LockCredentials, seal_credentials
from smartlock.link.schemas import (
    Ack,
    Command,
    Event,
    EventBatch,
    LinkAction,
    PairingHello,
    ShadowDesired,
)
from smartlock.link.signing import (
    SEALED_SUFFIX,
    b64e,
    new_lock_key,
    new_nonce,
    seal_secret,
    sign_message,
    verify_message,
)
from smartlock.link.topics import SIGNED, Channel, parse_topic, topic

DEFAULT_COMMAND_TTL_S = 30.0

_LINK_ACTIONS = frozenset(a.value for a in LinkAction)


def lock_id_of(topic_name: str) -> str:
    """The lock a topic belongs to (to look its key up before verifying)."""
    return parse_topic(topic_name)[0]


def decode_lock_message(lock_key: str | None, topic_name: str, payload: bytes) -> Inbound:
    """Parse one message received from a lock and check its signature.

    Raises MalformedMessage or AuthError (both LinkError): log and drop. Unsigned
    channels (availability, pairing hello, HA) need no key; signed ones refuse
    `lock_key=None` (an unknown or unbound lock).
    """
    inbound = parse(topic_name, payload)
    if inbound.channel in SIGNED:
        if lock_key is None:
            raise AuthError(f"no key for lock {inbound.lock_id}: not bound")
        verify_message(lock_key, inbound)
    return inbound


def build_command(
    lock_key: str,
    lock_id: str,
    action: RemoteAction | LinkAction | str,
    params: Mapping[str, Any] | None = None,
    *,
    secret_params: Mapping[str, str] | None = None,
    now: float | None = None,
    ttl_s: float = DEFAULT_COMMAND_TTL_S,
    request_id: str | None = None,
) -> tuple[Command, str, bytes]:
    """A signed, single-use command: (command, topic, payload). Publish at QoS 1.

    `secret_params` (e.g. `{"digits": "123456"}` for SET_PASSWORD) are sealed for the
    lock and travel as `digits_sealed`; keep only the command, never the secret.
    """
    now = time.time() if now is None else now
    request_id = request_id or uuid.uuid4().hex
    merged: dict[str, Any] = dict(params or {})
    for name, secret in (secret_params or {}).items():
        merged[name + SEALED_SUFFIX] = seal_secret(lock_key, lock_id, request_id, name, secret)
    command = Command(
        request_id=request_id,
        action=LinkAction(action) if action in _LINK_ACTIONS else RemoteAction(action),
        params=merged,
        issued_at=now,
        expires_at=now + ttl_s,
        nonce=new_nonce(),
    )
    name, payload = sign_message(lock_key, lock_id, command)
    return command, name, payload


def build_ack(lock_key: str, lock_id: str, up_to_seq: int) -> tuple[str, bytes]:
    """(topic, payload) of a signed ack: the lock may forget events up to `up_to_seq`."""
    return sign_message(lock_key, lock_id, Ack(up_to_seq=up_to_seq))


def build_desired(
    lock_key: str, lock_id: str, version: int, settings: Mapping[str, Any]
) -> tuple[str, bytes]:
    """(topic, payload) of signed desired settings; publish *retained* at QoS 1 so a
    lock that is offline applies them when it reconnects (A-SETTINGS).
    """
    desired = ShadowDesired(version=version, settings=dict(settings))
    return sign_message(lock_key, lock_id, desired)


def new_credentials(lock_id: str, owner: str = "", name: str = "") -> LockCredentials:
    """Fresh broker identity (username = lock id) and link key for a lock being bound.

    Register the broker user (broker_accounts.add_user) and keep the key encrypted.
    """
    return LockCredentials(
        lock_id=lock_id,
        broker_username=lock_id,
        broker_password=b64e(secrets.token_bytes(24)),
        lock_key=new_lock_key(),
        owner=owner,
        name=name[:100],
    )


def pairing_reply(
    hello: PairingHello, code: str, credentials: LockCredentials, now: float | None = None
) -> tuple[str, bytes]:
    """(topic, payload) of the sealed credentials for a verified hello (D-PAIR).

    Call `pairing.verify_hello` first; publish at QoS 1, not retained.
    """
    now = time.time() if now is None else now
    box = seal_credentials(hello, code, credentials, now)
    return topic(hello.serial, Channel.PAIRING_CREDENTIALS), encode(box)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What to store from one batch and what to ack."""

    new_events: tuple[Event, ...]
    ack_seq: int
    duplicates: int


def accept_batch(acked_through: int, batch: EventBatch) -> BatchOutcome:
    """Events of `batch` that are new given the cloud's `acked_through`, and the ack.

    The lock's own `batch.acked_through` may be ahead (events before pairing, or a
    cloud restored from backup); the lock is authoritative about its journal.
    """
    base = max(acked_through, batch.acked_through)
    new = tuple(e for e in batch.events if e.seq > base)
    last = batch.events[-1].seq
    return BatchOutcome(new, max(base, last), len(batch.events) - len(new))


@dataclass
class MemoryEventStore:
    """In-memory per-lock event store using `accept_batch` (demo and tests).

    A real cloud does the same in one database transaction per batch.
    """

    events: dict[str, list[Event]] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)

    def store_batch(self, lock_id: str, batch: EventBatch) -> BatchOutcome:
        """Store the new events of `batch`; return what to ack."""
        outcome = accept_batch(self.acked.get(lock_id, 0), batch)
        self.events.setdefault(lock_id, []).extend(outcome.new_events)
        self.acked[lock_id] = outcome.ack_seq
        return outcome


__all__ = [
    "BatchOutcome",
    "Channel",
    "MemoryEventStore",
    "accept_batch",
    "build_ack",
    "build_command",
    "build_desired",
    "decode_lock_message",
    "lock_id_of",
    "new_credentials",
    "pairing_reply",
]
