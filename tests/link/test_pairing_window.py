"""Issue 12, item 7: a pairing mode that ends without a bind must not stall a bound
lock's link (D-PAIR, A-REMOTE, D-LOG).

Found by hand: hold the settings key 3 s on a bound lock, let pairing mode time out,
and every command got `no_answer` until the process restarted while events still
went out. The pairing session and the lock's own session used the same MQTT client
id (the serial) at once. On the embedded broker (amqtt) the two connections share
one session: the lock's commands and acks went to the pairing connection, and when
it closed at the window's end its clean session took the lock's subscriptions with
it, leaving the lock connected and deaf. On Mosquitto each connect took the other's
over: the lock's reconnect killed the pairing session within a second, so a bound
lock could never be paired again in that window, and its availability flapped.

These run a real `LockProcess` (core, store, runtime, link) on a real broker with a
short pairing window (`pairing_window_s`, the core's `pairing_window_s`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from smartlock.demo.lockproc import LockProcess
from smartlock.device.core.inputs import KeyPress, RemoteAction, SettingsKey
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions
from smartlock.link.schemas import PairingHello
from smartlock.vocab import EventKind

from .harness import FakeCloud, clear_retained, cloud_client, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

WINDOW_S = 4.0
HELLO_EVERY_S = 0.25
FAST = LinkOptions(poll_s=0.2, ack_timeout_s=1.0, reconnect_min_s=0.05, reconnect_max_s=0.5)


@contextlib.asynccontextmanager
async def lock_process(path: Path, broker: BrokerConfig) -> AsyncIterator[LockProcess]:
    lock = LockProcess(
        path,
        broker,
        hello_every_s=HELLO_EVERY_S,
        link_options=FAST,
        pairing_window_s=WINDOW_S,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(lock.run(stop))
    try:
        yield lock
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def _first_master(lock: LockProcess) -> None:
    """D-FIRST on the keypad (pairing mode needs a master)."""
    for key in "*#123456#123456#":
        await lock.runtime.asubmit(KeyPress(key))
    assert lock.durable.core.state.masters()


async def _hold_settings_key(lock: LockProcess) -> None:
    await lock.runtime.asubmit(SettingsKey(held_s=3.0))
    assert lock.status()["pairing"] is True


async def test_a_pairing_window_that_ends_without_a_bind_leaves_the_link_working_issue12_item7(
    any_broker: BrokerConfig, tmp_path: Path
) -> None:
    broker = any_broker
    cloud = FakeCloud()
    hellos: list[tuple[float, PairingHello]] = []
    seen = cloud.hellos  # what the cloud heard, in order
    cc = cloud_client(broker, cloud)
    async with running(cc.run()), lock_process(tmp_path / "lock", broker) as lock:
        serial = lock.serial
        try:
            await asyncio.wait_for(cc.connected.wait(), 15)
            # First pairing (unbound lock): the cloud answers the hello, the lock binds.
            await _first_master(lock)
            await _hold_settings_key(lock)
            await wait_for(lambda: seen, what="the first hello")
            creds = cloud.enrol(serial)
            await cc.send_pairing_reply(seen[-1], lock.label.code, creds)
            await wait_for(lambda: lock.bound and lock.link_connected, what="bound and linked")
            command = await cc.send_command(creds.lock_key, serial, RemoteAction.LOCK)
            assert (answer := await cc.wait_result(command.request_id, 10)) is not None
            assert answer.ok, answer

            # Pairing mode again on the bound lock; nobody binds; the window ends.
            seen.clear()
            opened = time.monotonic()
            await _hold_settings_key(lock)
            while time.monotonic() - opened < WINDOW_S + 1.0:
                n = len(seen)
                await asyncio.sleep(0.05)
                hellos.extend((time.monotonic() - opened, h) for h in seen[n:])
            await wait_for(lambda: lock.status()["pairing"] is False, what="window closed")
            # The pairing session lived through the window (it was not taken over):
            # hellos kept coming until its last second, so the lock could have bound.
            late = [at for at, _ in hellos if at >= WINDOW_S - 1.0]
            assert late, f"no hello in the window's last second: {[a for a, _ in hellos]}"

            # After the window the lock's own link hears the cloud again.
            await wait_for(lambda: lock.link_connected, what="the link back after pairing")
            for _ in range(3):
                command = await cc.send_command(creds.lock_key, serial, RemoteAction.LOCK)
                answer = await cc.wait_result(command.request_id, 5)
                assert answer is not None, "no_answer after the pairing window (item 7)"
                assert answer.ok, answer
            # And the journal is acked through its end (the second PAIRING_MODE too).
            await wait_for(lambda: not lock.side.unacked_events(1), what="journal acked")
            kinds = [e.kind for e in cloud.store.events[serial]]
            assert kinds.count(EventKind.PAIRING_MODE) == 2, kinds
        finally:
            await clear_retained(broker, serial)
