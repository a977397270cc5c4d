"""The app's "enrol fingerprint" over the real link to the real lock with its virtual
fingerprint module: the command starts the enrolment, two touches enrol, the journal
reaches the cloud, and no message carries anything of the finger (D-FINGER-PRIV).

Rules proved here (named in the tests' names): D-FINGER-ENROL, D-FINGER-PRIV.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smartlock.device import open_lock
from smartlock.device.inputs import RemoteAction
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.finger_sim import features
from smartlock.hal.virtual import VirtualLock
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.vocab import EventKind

from .harness import FakeCloud, clear_retained, cloud_client, new_lock_id, running, wait_for

PIN = "123456"
pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def test_the_app_enrols_a_finger_and_only_the_fact_reaches_the_cloud_D_FINGER_PRIV(
    tmp_path: Path, any_broker: BrokerConfig
) -> None:
    durable = open_lock(tmp_path / "lock.db", serial="SL-TEST-FP", verification_code="ABC123")
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
            journal = [e.seq for e in durable.store.events(0, 1000)]  # the lock is linked
            await wait_for(lambda: cloud.seqs(lock_id) == journal, what="journal in cloud")
            await wait_for(lambda: durable.store.acked_seq() == journal[-1], what="acked")
            cmd = await cc.send_command(
                creds.lock_key, lock_id, RemoteAction.ENROL_FINGERPRINT, {"user_no": 1}
            )
            result = await cc.wait_result(cmd.request_id, 10)
            assert result is not None and result.ok, result
            await asyncio.to_thread(hw.fingerprint.touch, 7)  # the person at the door
            await asyncio.to_thread(hw.fingerprint.touch, 7)

            def seen(kind: EventKind, **wanted: object) -> bool:
                return any(
                    e.kind is kind
                    and all(e.details.get(k, getattr(e, k, None)) == v for k, v in wanted.items())
                    for e in cloud.store.events.get(lock_id, [])
                )

            await wait_for(
                lambda: seen(EventKind.CREDENTIAL_ADDED, cred_type="fingerprint"), what="enrolled"
            )
            await asyncio.to_thread(hw.fingerprint.touch, 7)
            await wait_for(
                lambda: seen(EventKind.UNLOCK, method="fingerprint", user_no=1),
                what="finger unlock",
            )
            events = cloud.store.events[lock_id]
            template = features(7)
            wire = "".join(e.model_dump_json() for e in events)
            assert template.hex() not in wire and "slot" not in wire
            assert hw.fingerprint.module.uploads == 0
    finally:
        remove()
        await clear_retained(any_broker, lock_id)
