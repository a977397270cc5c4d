"""Unacknowledged journal batches are resent with exponential backoff and jitter
(D-LOG, fleet): after a cloud outage a fleet does not resend in lock-step, and a slow
cloud is not buried under copies. Driven with an injected clock, no broker."""

from __future__ import annotations

import itertools
import random
from typing import Any

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import LockCredentials
from smartlock.link.signing import new_lock_key
from smartlock.link.topics import Channel, topic
from smartlock.vocab import EventKind


class Recorder:
    """Stands in for the MQTT session: records what was published, when."""

    def __init__(self, now: list[float]) -> None:
        self.now = now
        self.sent: list[tuple[float, str]] = []

    async def publish(self, name: str, payload: bytes, **_: Any) -> None:
        self.sent.append((self.now[0], name))


def _client(lock: FakeLock, now: list[float], seed: int, **options: Any) -> LockClient:
    creds = LockCredentials(
        lock_id="SLTEST0001",
        broker_username="SLTEST0001",
        broker_password="pw-" + "x" * 20,
        lock_key=new_lock_key(),
    )
    opts = LinkOptions(ha_discovery=False, **options)
    return LockClient(
        BrokerConfig(), creds, lock, opts, monotonic=lambda: now[0], rng=random.Random(seed)
    )


async def _resend_times(seed: int, until: float, **options: Any) -> list[float]:
    lock = FakeLock()
    lock.record(EventKind.DOORBELL)
    now = [0.0]
    client = _client(lock, now, seed, **options)
    session = Recorder(now)
    while now[0] < until:  # the send loop's polls, every 0.5 s of fake time
        await client.events.send_if_due(session)  # type: ignore[arg-type]
        now[0] += 0.5
    events = topic("SLTEST0001", Channel.EVENTS)
    return [t for t, name in session.sent if name == events]


async def test_resends_back_off_exponentially_up_to_the_cap_D_LOG() -> None:
    times = await _resend_times(1, 600.0, ack_timeout_s=5.0, ack_timeout_max_s=60.0)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert times[0] == 0.0  # the first send is at once
    # Each wait is 5 s x 2^n (capped at 60 s) within +-25 % jitter (+ the 0.5 s poll).
    for n, gap in enumerate(gaps):
        base = min(60.0, 5.0 * 2**n)
        assert 0.75 * base <= gap <= 1.25 * base + 0.5, (n, gap)
    # Ten minutes unacknowledged: a dozen copies, not the 120 a fixed 5 s would send.
    assert 10 <= len(times) <= 16


async def test_resend_times_differ_between_locks_so_a_fleet_spreads_out_D_LOG() -> None:
    a = await _resend_times(1, 200.0)
    b = await _resend_times(2, 200.0)
    assert a[0] == b[0] == 0.0
    assert a[1:] != b[1:]


async def test_an_ack_resets_the_backoff_for_the_next_batch_D_LOG() -> None:
    lock = FakeLock()
    first = lock.record(EventKind.DOORBELL)
    now = [0.0]
    client = _client(lock, now, 3, ack_timeout_s=5.0)
    session = Recorder(now)
    for _ in range(200):  # 100 s without an ack: several resends, long waits now
        await client.events.send_if_due(session)  # type: ignore[arg-type]
        now[0] += 0.5
    assert client.events.resends >= 3
    client.events.on_ack(type("Ack", (), {"up_to_seq": first.seq})())  # type: ignore[arg-type]
    lock.record(EventKind.DOORBELL)
    await client.events.send_if_due(session)  # type: ignore[arg-type]
    assert client.events.resends == 0
    assert 3.75 <= client.events.deadline - now[0] <= 6.25
