"""The app's "enrol fingerprint" over the real link to the real lock with its virtual
fingerprint module: the command starts the enrolment, two touches enrol, the journal
reaches the cloud, and no message carries anything of the finger (D-FINGER-PRIV).

Rules proved here (named in the tests' names): D-FINGER-ENROL, D-FINGER-PRIV.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smartlock.device.core.inputs import RemoteAction
from smartlock.hal.finger_sim import features
from smartlock.link.connection import BrokerConfig
from smartlock.vocab import EventKind

from .harness import linked_real_lock, wait_for

PIN = "123456"
pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def test_the_app_enrols_a_finger_and_only_the_fact_reaches_the_cloud_D_FINGER_PRIV(
    tmp_path: Path, any_broker: BrokerConfig
) -> None:
    async with linked_real_lock(tmp_path, any_broker, "SL-TEST-FP", PIN) as linked:
        creds, lock_id, cloud, cc = linked.creds, linked.lock_id, linked.cloud, linked.cloud_client
        hw = linked.hw
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
