"""A-REMOTE: a lock's answer to a command leaves at once.

Without TCP_NODELAY the lock's CommandResult, written right after its PUBACK of the
command, waited for the broker's delayed ACK: ~40 ms of every remote unlock (traced
in the fleet bench, session 6: lock round trip 43 ms before, 3-5 ms after).
"""

from __future__ import annotations

import asyncio
import socket

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LockClient

from .harness import FakeCloud, clear_retained, new_lock_id


async def test_the_lock_session_sends_small_packets_at_once_A_REMOTE(
    any_broker: BrokerConfig,
) -> None:
    lock_id, cloud = new_lock_id(), FakeCloud()
    client = LockClient(any_broker, cloud.enrol(lock_id), FakeLock())
    task = asyncio.create_task(client.run())
    try:
        await asyncio.wait_for(client.connected.wait(), 10)
        assert client._mqtt is not None
        sock = client._mqtt._client.socket()
        assert isinstance(sock, socket.socket)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await clear_retained(any_broker, lock_id)
