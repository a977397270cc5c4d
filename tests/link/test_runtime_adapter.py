"""The link over the real lock (core + SQLite store + runtime + virtual hardware).

Rules proved here (named in the tests' names): D-LOG.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smartlock.device import open_lock
from smartlock.device.inputs import RemoteAction
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.vocab import BoltState, EventKind

from .harness import FakeCloud, clear_retained, cloud_client, new_lock_id, running, wait_for

PIN = "123456"
pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def test_real_lock_journal_reaches_cloud_and_remote_unlock_obeys_settings_D_LOG_A_REMOTE(
    tmp_path: Path, any_broker: BrokerConfig
) -> None:
    durable = open_lock(tmp_path / "lock.db", serial="SL-TEST", verification_code="ABC123")
    hw = VirtualLock()
    runtime = LockRuntime(core=durable, hardware=hw.hardware, clock=FastForwardClock())
    runtime.boot()
    hw.keypad.type(f"1#{PIN}#{PIN}#")  # D-FIRST: master 001
    side = RuntimeLockSide(runtime, durable, tmp_path / "link.json")
    lock_id, cloud = new_lock_id(), FakeCloud()
    creds = cloud.enrol(lock_id)
    client = LockClient(any_broker, creds, side, LinkOptions(poll_s=0.2, ack_timeout_s=1))
    remove = side.watch(client.notify, asyncio.get_running_loop())
    cc = cloud_client(any_broker, cloud)
    try:
        async with running(cc.run()), running(client.run()):
            await asyncio.wait_for(cc.connected.wait(), 15)
            journal = [e.seq for e in durable.store.events(0, 1000)]
            await wait_for(lambda: cloud.seqs(lock_id) == journal, what="journal in cloud")
            await wait_for(lambda: durable.store.acked_seq() == journal[-1], what="acked")
            # A-REMOTE: refused while remote unlock is off (the default), with the reason.
            cmd = await cc.send_command(creds.lock_key, lock_id, RemoteAction.UNLOCK)
            result = await cc.wait_result(cmd.request_id, 10)
            assert result is not None and not result.ok
            assert result.reason == "remote_unlock_disabled"
            # A-SETTINGS via the shadow: switch remote unlock on, then it works.
            await cc.send_desired(creds.lock_key, lock_id, 1, {"remote_unlock": True})
            await wait_for(lambda: any(r.version == 1 for _, r in cloud.reported))
            cmd = await cc.send_command(creds.lock_key, lock_id, RemoteAction.UNLOCK)
            result = await cc.wait_result(cmd.request_id, 10)
            assert result is not None and result.ok, result
            assert hw.bolt.state is BoltState.RETRACTED
            await wait_for(
                lambda: (
                    EventKind.REMOTE_COMMAND
                    in [e.kind for e in cloud.store.events.get(lock_id, [])]
                ),
                what="remote command event",
            )
    finally:
        remove()
        await clear_retained(any_broker, lock_id)
