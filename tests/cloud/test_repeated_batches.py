"""A cloud worker answers a lock's resent copy of a batch it has stored from memory
(issue 11: in a reconnect storm copies outnumber new batches), and nothing else."""

from __future__ import annotations

from typing import Any

from smartlock.cloud.link_worker import RepeatedBatches
from smartlock.cloud.outcome import Outcome, Outgoing
from smartlock.link.topics import Channel, topic

LOCK = "SL7K3MQ9TX2A"
EVENTS = topic(LOCK, Channel.EVENTS)
ACK = topic(LOCK, Channel.ACK)


class Wire:
    """Stands in for the paho client under aiomqtt: records what is published."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self._client = self

    def publish(self, name: str, payload: bytes, qos: int, retain: bool) -> Any:
        self.sent.append((name, payload))
        return type("Info", (), {"rc": 0})()


def _stored(ack: bytes) -> Outcome:
    return Outcome(publish=[Outgoing(ACK, ack)])


def test_a_copy_of_a_stored_batch_gets_the_locks_latest_ack_D_LOG() -> None:
    repeats, wire = RepeatedBatches(), Wire()
    first, second = b'{"batch":1}', b'{"batch":2}'
    assert not repeats.answer(EVENTS, first, wire)  # type: ignore[arg-type]
    repeats.remember([(EVENTS, first)], _stored(b"ack-1"))
    repeats.remember([(EVENTS, second)], _stored(b"ack-2"))
    assert repeats.answer(EVENTS, first, wire)  # type: ignore[arg-type]
    # The newest ack says everything up to it is stored, the copy's events included.
    assert wire.sent == [(ACK, b"ack-2")]
    # A batch never seen, or seen but not stored (no ack went out), goes to the database.
    assert not repeats.answer(EVENTS, b'{"batch":3}', wire)  # type: ignore[arg-type]
    repeats.remember([(EVENTS, b'{"batch":4}')], Outcome())
    assert not repeats.answer(EVENTS, b'{"batch":4}', wire)  # type: ignore[arg-type]


def test_only_event_batches_are_answered_and_memory_stays_bounded_D_LOG() -> None:
    repeats, wire = RepeatedBatches(capacity=3), Wire()
    state = topic(LOCK, Channel.STATE)
    repeats.remember([(state, b"{}")], _stored(b"ack"))
    assert not repeats.answer(state, b"{}", wire)  # type: ignore[arg-type]
    for i in range(5):
        repeats.remember([(EVENTS, b"%d" % i)], _stored(b"ack"))
    assert not repeats.answer(EVENTS, b"0", wire)  # type: ignore[arg-type]  # evicted
    assert repeats.answer(EVENTS, b"4", wire)  # type: ignore[arg-type]
