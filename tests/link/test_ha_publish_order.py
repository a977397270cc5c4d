"""Home Assistant's retained topics have one writer at a time (issue 14): a payload
made earlier never reaches the broker after one made later. No broker: a stand-in
session holds each publish as a QoS 1 publish waits for the broker's PUBACK, so the
interleaving that lost the update entity's final state is played exactly.

Rules proved here (named in the tests' names): A-HA, A-OTA.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import LockCredentials
from smartlock.link.schemas import Command, CommandResult, LinkAction
from smartlock.link.signing import new_lock_key
from smartlock.link.topics import Channel, ha_discovery_topic, topic

LOCK_ID = "SLTEST0014"
RELEASE = {"manifest": {"version": "9.0.0", "notes": "Faster unlock"}, "signature": "x"}


class HeldSession:
    """Stands in for the MQTT session; while `open` is clear every publish waits."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bool]] = []
        self.open = asyncio.Event()
        self.open.set()
        self.waiting = 0

    async def publish(self, name: str, payload: bytes, qos: int = 0, retain: bool = False) -> None:
        self.waiting += 1
        await self.open.wait()
        await asyncio.sleep(0)  # the round trip: other tasks run meanwhile
        self.waiting -= 1
        self.sent.append((name, payload, retain))

    def last(self, name: str) -> bytes:
        return [p for t, p, _ in self.sent if t == name][-1]


class InstallingLock(FakeLock):
    """A firmware update that installs, then returns while the send loop (woken by
    the install's journal event) is still publishing to the broker."""

    session: HeldSession
    client: LockClient
    send_loop: asyncio.Task[None] | None = None

    async def submit(self, command: Command) -> CommandResult:
        if command.action is not LinkAction.FIRMWARE_UPDATE:
            return await super().submit(command)
        self.install_firmware("9.0.0")
        self.session.open.clear()
        self.send_loop = asyncio.create_task(
            self.client._publish_state_if_changed(self.session)  # type: ignore[arg-type]
        )
        while self.session.waiting == 0:  # its first publish is out, not yet acknowledged
            await asyncio.sleep(0)
        return CommandResult(request_id=command.request_id, ok=True, data={"version": "9.0.0"})


async def test_update_entity_ends_on_the_new_version_when_publishes_overlap_A_OTA_A_HA() -> None:
    lock = InstallingLock()
    creds = LockCredentials(
        lock_id=LOCK_ID,
        broker_username=LOCK_ID,
        broker_password="pw-" + "x" * 20,
        lock_key=new_lock_key(),
    )
    client = LockClient(BrokerConfig(), creds, lock, LinkOptions())
    session = HeldSession()
    lock.session, lock.client = session, client
    s: Any = session
    await client.ha.publish_discovery(s)
    client.ha.view.offer = RELEASE

    install = asyncio.create_task(client.ha.install(s, time.time()))
    await asyncio.sleep(0.05)  # the install's own state is made (and waits) meanwhile
    session.open.set()
    await asyncio.wait_for(install, 5)
    assert lock.send_loop is not None
    await asyncio.wait_for(lock.send_loop, 5)

    firmware = topic(LOCK_ID, Channel.HA_FIRMWARE)
    states = [json.loads(p) for t, p, _ in session.sent if t == firmware]
    assert any(s["in_progress"] for s in states)  # progress was shown while installing
    final = json.loads(session.last(firmware))
    assert (final["installed_version"], final["latest_version"]) == ("9.0.0", "9.0.0")
    assert final["in_progress"] is False
    assert json.loads(session.last(ha_discovery_topic(LOCK_ID)))["dev"]["sw"] == "9.0.0"
    # ... and the link's memory agrees with the broker, so nothing is left to resend.
    assert await _changes_after(client, session) == []


async def _changes_after(client: LockClient, session: HeldSession) -> list[str]:
    before = len(session.sent)
    s: Any = session
    await client._publish_state_if_changed(s)
    return [t for t, _, _ in session.sent[before:] if "/ha/" in t]
