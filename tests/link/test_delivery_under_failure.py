"""D-LOG: every event reaches the cloud exactly once and in order, whatever dies.

Rules proved here (named in the tests' names): A-STATUS.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.vocab import EventKind

from .fakes import CuttableProxy
from .harness import FakeCloud, clear_retained, cloud_client, new_lock_id, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(120)]
FAST = LinkOptions(
    batch_size=7, poll_s=0.1, ack_timeout_s=0.5, reconnect_min_s=0.05, reconnect_max_s=0.3
)
TOTAL = 240


async def test_events_arrive_exactly_once_in_order_when_link_cloud_and_lock_die_D_LOG(
    any_broker: BrokerConfig,
) -> None:
    rng = random.Random(7)
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), FakeLock()
    creds = cloud.enrol(lock_id)
    proxy = CuttableProxy(any_broker.host, any_broker.port)
    await proxy.start()
    via_proxy = BrokerConfig(
        "127.0.0.1",
        proxy.port,
        mqtt5=any_broker.mqtt5,
        shared_subscriptions=any_broker.shared_subscriptions,
    )
    cloud_task = asyncio.create_task(cloud_client(any_broker, cloud).run())
    lock_client = LockClient(via_proxy, creds, lock, FAST)
    lock_task = asyncio.create_task(lock_client.run())
    try:
        produced = cloud_restarts = lock_restarts = 0
        while produced < TOTAL:
            burst = rng.randint(1, 15)
            for _ in range(min(burst, TOTAL - produced)):
                lock.record(rng.choice([EventKind.DOORBELL, EventKind.UNLOCK, EventKind.LOCKED]))
                produced += 1
            lock_client.notify()
            await asyncio.sleep(rng.uniform(0.0, 0.08))
            roll = rng.random()
            if roll < 0.25:
                proxy.cut()  # the network drops mid-stream
            elif roll < 0.30:
                cloud_task.cancel()  # the cloud worker dies; the store (its DB) survives
                await asyncio.gather(cloud_task, return_exceptions=True)
                cloud_task = asyncio.create_task(cloud_client(any_broker, cloud).run())
                cloud_restarts += 1
            elif roll < 0.35:
                lock_task.cancel()  # the lock reboots; its journal and ack mark survive
                await asyncio.gather(lock_task, return_exceptions=True)
                lock_client = LockClient(via_proxy, creds, lock, FAST)
                lock_task = asyncio.create_task(lock_client.run())
                lock_restarts += 1
        last = lock.last_event.seq  # the boot, TOTAL events, the unlocks before a lock
        await wait_for(lambda: lock.acked == last, timeout=60, what="all events acked")
        assert cloud.seqs(lock_id) == list(range(1, last + 1))  # none lost, none twice
        stored = cloud.store.events[lock_id]
        assert [e.kind for e in stored] == [e.kind for e in lock.journal]
        assert proxy.cuts > 5
        # The will told the cloud the lock went offline, and it came back online.
        # (Other tests' locks may show up too, retained on the shared broker.)
        mine = [a for i, a in cloud.availability if i == lock_id]
        assert False not in mine or mine[-1] is True
    finally:
        lock_task.cancel()
        cloud_task.cancel()
        await asyncio.gather(lock_task, cloud_task, return_exceptions=True)
        await proxy.stop()
        await clear_retained(any_broker, lock_id)


async def test_lock_will_marks_it_offline_when_the_connection_dies_A_STATUS(
    any_broker: BrokerConfig,
) -> None:
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), FakeLock()
    creds = cloud.enrol(lock_id)
    proxy = CuttableProxy(any_broker.host, any_broker.port)
    await proxy.start()
    via_proxy = BrokerConfig(
        "127.0.0.1",
        proxy.port,
        mqtt5=any_broker.mqtt5,
        shared_subscriptions=any_broker.shared_subscriptions,
    )
    client = LockClient(via_proxy, creds, lock, LinkOptions(reconnect_min_s=30))
    try:
        async with running(cloud_client(any_broker, cloud).run()) as _, running(client.run()):
            await wait_for(lambda: (lock_id, True) in cloud.availability, what="online")
            proxy.cut()
            await wait_for(lambda: (lock_id, False) in cloud.availability, what="offline will")
    finally:
        await proxy.stop()
        await clear_retained(any_broker, lock_id)
