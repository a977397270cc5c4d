"""The link over the real lock (core + SQLite store + runtime + virtual hardware).

Rules proved here (named in the tests' names): D-LOG.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartlock.device.core.inputs import RemoteAction
from smartlock.link.connection import BrokerConfig
from smartlock.vocab import BoltState, EventKind

from .harness import linked_real_lock, wait_for

PIN = "123456"
pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def test_real_lock_journal_reaches_cloud_and_remote_unlock_obeys_settings_D_LOG_A_REMOTE(
    tmp_path: Path, any_broker: BrokerConfig
) -> None:
    async with linked_real_lock(tmp_path, any_broker, "SL-TEST", PIN) as linked:
        creds, lock_id, cloud, cc = linked.creds, linked.lock_id, linked.cloud, linked.cloud_client
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
        assert linked.hw.bolt.state is BoltState.RETRACTED
        await wait_for(
            lambda: (
                EventKind.REMOTE_COMMAND in [e.kind for e in cloud.store.events.get(lock_id, [])]
            ),
            what="remote command event",
        )
