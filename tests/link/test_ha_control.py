"""Home Assistant drives the real lock (core + store + runtime + virtual hardware) over a
real broker, as HA's MQTT lock / update entities publish: the owner's switch, the code
rule, every refusal visible, availability, state on change only, the device's name and
firmware through the signed path.

Rules proved here (named in the tests' names): A-HA, A-REMOTE, A-OTA, D-LOCKOUT,
D-DURESS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.device import open_lock
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock
from smartlock.link import firmware as fw
from smartlock.link import homeassistant as ha
from smartlock.link.codec import parse
from smartlock.link.connection import BrokerConfig
from smartlock.link.errors import MalformedMessage
from smartlock.link.firmware_install import OtaConfig
from smartlock.link.ha_link import HaLink
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import Command, Event, FirmwareOffer, ShadowReported, StateReport
from smartlock.link.signing import new_lock_key, new_nonce, sign_message
from smartlock.link.topics import Channel, ha_discovery_topic, topic
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Source

from .harness import (
    FakeCloud,
    clear_retained,
    cloud_client,
    new_lock_id,
    raw_client,
    running,
    wait_for,
)

PIN = "246813"
IMAGE = b"\x7fSMARTLOCK firmware image for HA " + bytes(range(256)) * 4
pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


@dataclass
class HaSide:
    """What Home Assistant would see: every message on the lock's HA topics."""

    client: aiomqtt.Client
    lock_id: str
    seen: dict[str, list[tuple[bytes, bool]]] = field(default_factory=lambda: defaultdict(list))

    def payloads(self, channel: Channel) -> list[bytes]:
        return [p for p, _ in self.seen[topic(self.lock_id, channel)]]

    def json(self, channel: Channel) -> list[dict[str, Any]]:
        return [json.loads(p) for p in self.payloads(channel) if p]

    def refusals(self) -> list[str]:
        return [r["event_type"] for r in self.json(Channel.HA_REFUSED)]

    def docs(self) -> list[dict[str, Any]]:
        return [json.loads(p) for p, _ in self.seen[ha_discovery_topic(self.lock_id)] if p]

    async def command(self, action: str, code: str | None = None, at: float | None = None) -> bytes:
        """Exactly what HA's MQTT lock renders from the discovery command_template."""
        body = {"action": action, "code": str(code), "at": round(at or time.time(), 3)}
        payload = json.dumps(body).encode()
        await self.send(payload)
        return payload

    async def send(self, payload: bytes) -> None:
        await self.client.publish(topic(self.lock_id, Channel.HA_COMMAND), payload, qos=1)

    async def collect(self) -> None:
        async for m in self.client.messages:
            payload = m.payload if isinstance(m.payload, bytes) else b""
            self.seen[m.topic.value].append((payload, bool(m.retain)))


class RealLock:
    def __init__(self, path: Path, ota: OtaConfig | None = None) -> None:
        self.durable = open_lock(path / "lock.db", serial="SLHATEST0001", verification_code="A1")
        self.hw = VirtualLock()
        self.runtime = LockRuntime(
            core=self.durable, hardware=self.hw.hardware, clock=FastForwardClock()
        )
        self.runtime.boot()
        self.hw.keypad.type(f"1#{PIN}#{PIN}#")  # D-FIRST: master 001
        self.side = RuntimeLockSide(self.runtime, self.durable, path / "link.json", ota=ota)
        self.version = 0

    def settings(self, **values: Any) -> ShadowReported:
        """As the cloud's desired shadow does (A-SETTINGS)."""
        self.version += 1
        return self.side.apply_settings(self.version, values)

    @property
    def bolt(self) -> BoltState:
        return self.hw.bolt.state


@contextlib.asynccontextmanager
async def _connected(
    broker: BrokerConfig, lock: RealLock, *, with_cloud: bool = False
) -> AsyncIterator[Any]:
    """`with_cloud`: a cloud that acks the journal, which a firmware trial needs to
    confirm itself (D-OTA-CONFIRM)."""
    lock_id, cloud = new_lock_id(), FakeCloud()
    creds = cloud.enrol(lock_id)
    client = LockClient(broker, creds, lock.side, LinkOptions(poll_s=0.2, ack_timeout_s=1))
    remove = lock.side.watch(client.notify, asyncio.get_running_loop())
    acks = running(cloud_client(broker, cloud).run()) if with_cloud else contextlib.nullcontext()
    try:
        async with acks, raw_client(broker) as raw:
            await raw.subscribe(f"smartlock/v1/{lock_id}/ha/#", qos=1)
            await raw.subscribe(topic(lock_id, Channel.AVAILABILITY), qos=1)
            await raw.subscribe(ha_discovery_topic(lock_id), qos=1)
            side = HaSide(raw, lock_id)
            async with running(side.collect()):
                task = asyncio.create_task(client.run())
                try:
                    await asyncio.wait_for(client.connected.wait(), 15)
                    await wait_for(lambda: side.json(Channel.HA_STATE), what="HA state")
                    yield side, client, task, creds
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        remove()
        await clear_retained(broker, lock_id)
        async with raw_client(broker) as raw:
            for channel in (Channel.HA_DURESS, Channel.HA_FIRMWARE, Channel.FIRMWARE_OFFER):
                await raw.publish(topic(lock_id, channel), b"", qos=1, retain=True)
            await raw.publish(ha_discovery_topic(lock_id), b"", qos=1, retain=True)


async def test_ha_commands_are_refused_visibly_until_the_owner_allows_them_A_HA_A_REMOTE(
    tmp_path: Path, mosquitto_broker: BrokerConfig
) -> None:
    lock = RealLock(tmp_path)
    async with _connected(mosquitto_broker, lock) as (side, _client, _task, _creds):
        # Off by default: HA sees the state, its commands do nothing, and it is told why.
        assert side.json(Channel.HA_STATE)[-1]["lock"] == "LOCKED"
        await side.command("UNLOCK", PIN)
        await wait_for(lambda: side.refusals() == ["ha_control_disabled"], what="refusal")
        assert lock.bolt is BoltState.THROWN
        states_before = len(side.payloads(Channel.HA_STATE))
        await side.command("LOCK")
        await wait_for(lambda: len(side.refusals()) == 2, what="second refusal")
        # ... and the lock entity is given its real state again at once (right after
        # the refusal event, on another topic: give the subscriber a moment to read it).
        await wait_for(
            lambda: len(side.payloads(Channel.HA_STATE)) > states_before, 2, "state again"
        )
        assert side.json(Channel.HA_STATE)[-1]["lock"] == "LOCKED"

        # The owner switches it on; the password is asked for by default.
        assert lock.settings(ha_control=True).rejected == {}
        await side.command("UNLOCK", None)  # HA renders a missing code as "None"
        await wait_for(lambda: side.refusals()[-1:] == ["code_required"], what="no code")
        await side.command("UNLOCK", "000000")
        await wait_for(lambda: side.refusals()[-1:] == ["wrong_code"], what="wrong code")
        assert lock.bolt is BoltState.THROWN
        unlock = await side.command("UNLOCK", PIN)
        await wait_for(lambda: lock.bolt is BoltState.RETRACTED, what="bolt retracted")
        await wait_for(lambda: side.json(Channel.HA_STATE)[-1]["lock"] == "UNLOCKED", what="state")
        await wait_for(lambda: side.json(Channel.HA_ACCESS), what="access event")
        access = side.json(Channel.HA_ACCESS)[-1]
        assert access["event_type"] == "remote" and access["user_no"] == 1

        # Locking never needs a code.
        await side.command("LOCK", None)
        await wait_for(lambda: lock.bolt is BoltState.THROWN, what="bolt thrown")
        await wait_for(lambda: side.json(Channel.HA_STATE)[-1]["lock"] == "LOCKED", what="state")

        # A-REMOTE: the same message twice, or a late one, does nothing.
        await side.send(unlock)
        await wait_for(lambda: side.refusals()[-1:] == ["duplicate_request"], what="replay")
        await side.command("UNLOCK", PIN, at=time.time() - 120)
        await wait_for(lambda: side.refusals()[-1:] == ["expired_request"], what="late")
        # Anti-lock mode refuses it as it refuses the app's remote unlock.
        lock.settings(anti_lock=True)
        await side.command("UNLOCK", PIN)
        await wait_for(lambda: side.refusals()[-1:] == ["anti_lock_mode"], what="anti-lock")
        assert lock.bolt is BoltState.THROWN
        refused = side.json(Channel.HA_REFUSED)[-1]
        assert refused == {
            "event_type": "anti_lock_mode",
            "action": "unlock",
            "reason": refused["reason"],
        }
        assert set(side.refusals()) <= set(ha.REFUSAL_TYPES)


async def test_wrong_codes_from_ha_lock_out_and_state_is_sent_on_change_only_A_HA_D_LOCKOUT(
    tmp_path: Path, mosquitto_broker: BrokerConfig
) -> None:
    lock = RealLock(tmp_path)
    lock.settings(ha_control=True)
    async with _connected(mosquitto_broker, lock) as (side, _client, _task, _creds):
        for n in range(5):
            await side.command("UNLOCK", f"97531{n}")
            await wait_for(lambda n=n: len(side.refusals()) == n + 1, what=f"wrong code {n}")
        assert side.refusals() == ["wrong_code"] * 5
        await wait_for(lambda: side.json(Channel.HA_STATE)[-1]["problem"] == "ON", what="lockout")
        state = side.json(Channel.HA_STATE)[-1]
        assert state["problem_reason"] == "lockout" and state["lockout_until"] > time.time() + 60
        await side.command("UNLOCK", PIN)  # even the right code: D-LOCKOUT
        await wait_for(lambda: side.refusals()[-1:] == ["locked_out"], what="locked out")
        assert lock.bolt is BoltState.THROWN
        # During the lockout the countdown runs, but HA's state does not move: no
        # history entry per second (the lock polls every 0.2 s here).
        await asyncio.sleep(0.5)  # the refusal's own state message has gone out
        count = len(side.payloads(Channel.HA_STATE))
        await asyncio.sleep(2.5)
        assert len(side.payloads(Channel.HA_STATE)) == count


async def test_availability_duress_and_name_for_ha_A_HA_D_DURESS(
    tmp_path: Path, mosquitto_broker: BrokerConfig
) -> None:
    lock = RealLock(tmp_path)
    async with _connected(mosquitto_broker, lock) as (side, client, task, _creds):
        avail = side.payloads(Channel.AVAILABILITY)
        assert avail[-1] == b"online"
        # Every binary sensor has a retained state from the start (duress: OFF).
        assert side.seen[topic(side.lock_id, Channel.HA_DURESS)][0] == (b"OFF", False) or (
            side.payloads(Channel.HA_DURESS)[0] == b"OFF"
        )
        # The device's name follows the app's (shadow device_name); the code rule too.
        assert side.docs()[-1]["dev"]["name"] == ha.DEFAULT_NAME
        lock.settings(device_name="Front door", ha_unlock_code=False)
        await wait_for(lambda: side.docs()[-1]["dev"]["name"] == "Front door", what="name")
        assert "code_format" not in side.docs()[-1]["cmps"]["lock"]
        # A clean stop says offline (the will covers only a crash).
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await wait_for(lambda: side.payloads(Channel.AVAILABILITY)[-1] == b"offline", what="off")
        del client


async def test_a_clean_stop_while_the_session_starts_still_says_offline_A_HA(
    mosquitto_broker: BrokerConfig,
) -> None:
    """Stopped after `online` went out but before the session was up (here: a broker
    slow to acknowledge the discovery document), the lock must still say `offline`:
    the will covers only a crash, so HA would show a stopped lock as available.
    """
    lock_id, cloud = new_lock_id(), FakeCloud()
    client = LockClient(mosquitto_broker, cloud.enrol(lock_id), FakeLock(), LinkOptions())
    entered = asyncio.Event()

    async def slow_discovery(_session: Any) -> None:
        entered.set()
        await asyncio.Event().wait()  # never acknowledged

    client.ha.publish_discovery = slow_discovery  # type: ignore[method-assign]
    seen: list[bytes] = []
    try:
        async with raw_client(mosquitto_broker) as raw:
            await raw.subscribe(topic(lock_id, Channel.AVAILABILITY), qos=1)

            async def read() -> None:
                async for m in raw.messages:
                    seen.append(m.payload if isinstance(m.payload, bytes) else b"")

            async with running(read()):
                task = asyncio.create_task(client.run())
                await asyncio.wait_for(entered.wait(), 15)
                await wait_for(lambda: seen[-1:] == [b"online"], what="online")
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await wait_for(lambda: seen[-1:] == [b"offline"], 5, "offline after the stop")
    finally:
        await clear_retained(mosquitto_broker, lock_id)


async def test_retained_topics_are_what_a_restarted_ha_reads_A_HA_D_DURESS(
    tmp_path: Path, mosquitto_broker: BrokerConfig
) -> None:
    """A new subscriber (HA after a restart) gets duress, state and firmware retained."""
    lock = RealLock(tmp_path)
    async with _connected(mosquitto_broker, lock) as (side, _client, _task, _creds):
        async with raw_client(mosquitto_broker) as late:
            await late.subscribe(f"smartlock/v1/{side.lock_id}/ha/#", qos=1)
            got: dict[str, bytes] = {}

            async def read() -> None:
                async for m in late.messages:
                    assert m.retain
                    got[m.topic.value] = m.payload  # type: ignore[assignment]

            async with running(read()):
                want = {Channel.HA_STATE, Channel.HA_DURESS, Channel.HA_FIRMWARE}
                await wait_for(
                    lambda: {topic(side.lock_id, c) for c in want} <= set(got), what="retained"
                )
        assert got[topic(side.lock_id, Channel.HA_DURESS)] == b"OFF"


def test_duress_turns_on_then_off_after_its_delay_and_lockout_does_not_tick_D_DURESS() -> None:
    view = HaLink("SLHAUNIT0001")
    state = StateReport(
        door=DoorState.LOCKED, bolt=BoltState.THROWN, battery=80, lockout_remaining_s=180
    )
    now = 1_700_000_000.0
    first = view.state_messages(state, now)
    assert {t.rsplit("/", 2)[-1] for t, _, _ in first} == {"state", "duress", "firmware"}
    for second in range(1, 60):  # the countdown runs; nothing HA shows changes
        later = state.model_copy(update={"lockout_remaining_s": 180 - second})
        assert view.state_messages(later, now + second) == []

    def at(second: int) -> StateReport:
        return state.model_copy(update={"lockout_remaining_s": 180 - second})

    duress = Event(
        seq=9, at=now + 59, kind=EventKind.DURESS, method=Method.PASSWORD, source=Source.KEYPAD
    )
    assert view.event_messages(duress, now + 59) == [(view.duress_topic, b"ON")]
    assert view.state_messages(at(60), now + 60) == []  # still on: nothing new
    off = view.state_messages(at(120), now + 59 + ha.DURESS_OFF_DELAY_S + 1)
    assert off == [(view.duress_topic, b"OFF", True)]
    # A new (longer) lockout moves its end, once.
    again = view.state_messages(at(-300), now + 121)
    assert [json.loads(p)["lockout_until"] for _, p, _ in again] == [round(now + 121 + 480)]


def test_a_cloud_command_cannot_pose_as_home_assistant_A_HA() -> None:
    """Only the lock's link sets `origin`: the HA rules must not be a way around
    A-REMOTE's remote-unlock switch for a command from the cloud.
    """
    key, now = new_lock_key(), time.time()
    forged = Command(
        request_id="r1",
        action="unlock",
        params={"origin": "home_assistant"},
        issued_at=now,
        expires_at=now + 30,
        nonce=new_nonce(),
    )
    where, payload = sign_message(key, "SLHAUNIT0001", forged)
    with pytest.raises(MalformedMessage):
        parse(where, payload)


async def test_ha_update_entity_installs_the_offered_release_through_the_signed_path_A_OTA(
    tmp_path: Path, mosquitto_broker: BrokerConfig
) -> None:
    vendor = fw.new_private_key()
    image = tmp_path / "image.bin"
    image.write_bytes(IMAGE)
    ota = OtaConfig(fw.public_key_text(vendor), image_dir=tmp_path / "installed")
    lock = RealLock(tmp_path, ota)
    installed = lock.durable.core.firmware
    good = fw.sign_manifest(
        vendor, fw.manifest_for(IMAGE, version="9.0.0", url=str(image), notes="Faster unlock")
    ).model_dump(mode="json")
    forged = json.loads(json.dumps(good))
    forged["manifest"]["version"] = "9.1.0"  # no longer what the vendor signed
    connected = _connected(mosquitto_broker, lock, with_cloud=True)
    async with connected as (side, _client, _task, creds):
        # The update entity's state is published with the others, not before the state.
        await wait_for(lambda: side.json(Channel.HA_FIRMWARE), what="HA firmware state")
        fw_state = side.json(Channel.HA_FIRMWARE)[-1]
        assert fw_state["installed_version"] == fw_state["latest_version"] == installed
        # Nothing offered yet: an install from HA is refused visibly.
        await side.send(ha.INSTALL_PAYLOAD.encode())
        await wait_for(lambda: side.refusals() == ["no_update_available"], what="no update")

        async def offer(release: dict[str, Any]) -> None:
            name, payload = sign_message(
                creds.lock_key, side.lock_id, FirmwareOffer(release=release)
            )
            await side.client.publish(name, payload, qos=1, retain=True)

        # A tampered offer shows, but the lock's own check refuses it.
        await offer(forged)
        await wait_for(
            lambda: side.json(Channel.HA_FIRMWARE)[-1]["latest_version"] == "9.1.0", what="offer"
        )
        await side.send(ha.INSTALL_PAYLOAD.encode())
        await wait_for(lambda: side.refusals()[-1:] == ["bad_signature"], what="bad signature")
        assert lock.durable.core.firmware == installed
        # The real release: notes shown, progress while installing, then the new version.
        await offer(good)
        await wait_for(
            lambda: side.json(Channel.HA_FIRMWARE)[-1]["latest_version"] == "9.0.0", what="offer"
        )
        assert side.json(Channel.HA_FIRMWARE)[-1]["release_summary"] == "Faster unlock"
        await side.send(ha.INSTALL_PAYLOAD.encode())
        await wait_for(lambda: lock.durable.core.firmware == "9.0.0", what="installed")
        await wait_for(
            lambda: (
                side.json(Channel.HA_FIRMWARE)[-1]
                | {"installed_version": "9.0.0", "in_progress": False}
                == side.json(Channel.HA_FIRMWARE)[-1]
            ),
            what="HA sees the new version, no longer in progress",
        )
        assert any(s["in_progress"] for s in side.json(Channel.HA_FIRMWARE))
        assert side.docs()[-1]["dev"]["sw"] == "9.0.0"
