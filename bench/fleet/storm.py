"""One real ``LockClient`` per lock, each on its own MQTT connection with its own
login and last will, all in this process (for the online and reconnect storms).

The lock side is ``provision.SimSide``: in memory, remote unlock on. Home Assistant
discovery is off and the idle poll is long (60 s), so 10,000 idle clients cost little;
everything else is ``LinkOptions``' defaults (resend after 5 s with backoff and
jitter, reconnect with backoff). Commands are checked by the client's own code
(signature, expiry, nonce) and answered with a signed CommandResult.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient

from .provision import FleetLock

OPTIONS = LinkOptions(ha_discovery=False, poll_s=60.0)
# Sessions being opened at once. 10,000 real locks connect in parallel, each on its own
# CPU; here one process opens them all, and 10,000 at once made every connect wait in
# aiomqtt's thread pool past its 10 s timeout, retry, and time out again: 0 connected
# in the whole storm (session 6). A lock whose turn has not come is not yet connected,
# so the storm's times still count from its start.
CONNECTING = 200


class LockFleet:
    def __init__(self, locks: list[FleetLock], port: int) -> None:
        self.locks = locks
        self.broker = BrokerConfig("127.0.0.1", port)
        self.clients: list[LockClient] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.connected_at: list[float] = []
        # Thousands of clients would each log their connection at INFO.
        logging.getLogger("smartlock.link").setLevel(logging.ERROR)

    def start(self) -> None:
        """Every lock connects now, as fast as this process can open sessions."""
        self.connected_at = []
        self.clients = [
            LockClient(self.broker, lock.credentials, lock.side, OPTIONS) for lock in self.locks
        ]
        self._tasks.append(asyncio.create_task(self._open_all()))

    async def _open_all(self) -> None:
        gate = asyncio.Semaphore(CONNECTING)
        for client in self.clients:
            await gate.acquire()
            self._tasks.append(asyncio.create_task(client.run()))
            self._tasks.append(asyncio.create_task(self._watch(client, gate)))

    async def _watch(self, client: LockClient, gate: asyncio.Semaphore) -> None:
        try:
            async with asyncio.timeout(15.0):  # a lock that cannot connect gives its turn
                await client.connected.wait()
        except TimeoutError:
            gate.release()
            await client.connected.wait()
        else:
            gate.release()
        self.connected_at.append(time.monotonic())

    def connected_device_ids(self) -> list[str]:
        """The locks whose session is up now (all of them while none is yet)."""
        up = [
            lock.device_id
            for lock, client in zip(self.locks, self.clients, strict=False)
            if client.connected.is_set()
        ]
        return up or [lock.device_id for lock in self.locks]

    def all_connected(self) -> bool:
        return len(self.connected_at) == len(self.clients)

    def last_connected(self) -> float | None:
        return max(self.connected_at) if self.all_connected() and self.connected_at else None

    def all_acked(self) -> bool:
        return all(lock.side.acked >= len(lock.side.journal) for lock in self.locks)

    async def wait_acked(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.all_acked():
                return True
            await asyncio.sleep(0.2)
        return self.all_acked()

    async def stop(self) -> None:
        """Disconnect every lock (a clean disconnect: no last will)."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait(self._tasks, timeout=120)
        self._tasks = []
        self.clients = []
