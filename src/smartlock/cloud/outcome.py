"""What handling a batch of lock messages asks of the worker around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smartlock.cloud.models import CommandStatus

Live = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    payload: bytes
    retain: bool = False
    # Acks go at QoS 0: a lost one costs the lock a resend, which the cloud answers
    # again (D-LOG), while QoS 1 cost the worker a PUBACK to track per event and held
    # acks behind paho's 20 in flight under load (fleet profile, session 6).
    qos: int = 1


@dataclass(frozen=True, slots=True)
class Settled:
    """A command whose outcome this batch recorded (for the request waiting on it)."""

    command_id: str
    device_id: str
    status: CommandStatus


@dataclass
class Outcome:
    publish: list[Outgoing] = field(default_factory=list)
    # (device id or account key, live update) for SSE clients of every worker.
    live: Live = field(default_factory=list)
    # Locks with journal events not yet derived (cloud.derive).
    derive: set[str] = field(default_factory=set)
    settled: list[Settled] = field(default_factory=list)
    stored_events: int = 0
    dropped: int = 0

    def extend(self, other: Outcome) -> None:
        self.publish += other.publish
        self.live += other.live
        self.derive |= other.derive
        self.settled += other.settled
        self.stored_events += other.stored_events
        self.dropped += other.dropped
