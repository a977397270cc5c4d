"""The cloud with a real broker (embedded amqtt and the local Mosquitto), a real uvicorn
server and a simulated lock on the link's own lock client (D-PAIR, D-LOG, A-STATUS,
A-SETTINGS, A-REMOTE, A-USERS).

Rules proved here (named in the tests' names): A-SHARE, D-RESET, A-OTA (with the real
lock core behind the link instead of the simulated one).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.orm import Session

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.cli import main
from smartlock.cloud.app import create_app
from smartlock.cloud.core.config import Settings
from smartlock.cloud.models import PairingHello
from smartlock.device import open_lock
from smartlock.device.core.inputs import FactoryReset, RemoteAction, RemoteCommand
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock
from smartlock.link.broker import EmbeddedBroker, free_port
from smartlock.link.broker_accounts import verify_line
from smartlock.link.connection import BrokerConfig, mqtt_client
from smartlock.link.firmware_install import OtaConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import Label, LockCredentials, generate_label
from smartlock.link.pairing_client import pair
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.signing import new_lock_key, sign_message
from smartlock.link.slot_update import SELF_TEST_FAIL_MARK
from smartlock.link.topics import Channel, topic

from .helpers import API, PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["amqtt", "mosquitto"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[BrokerConfig]:
    if request.param == "mosquitto":
        if not _reachable("127.0.0.1", 1883):
            if os.environ.get("CI"):
                pytest.fail("CI needs Mosquitto at 127.0.0.1:1883")
            pytest.skip("no Mosquitto at 127.0.0.1:1883")
        yield BrokerConfig("127.0.0.1", 1883)
        return
    embedded = EmbeddedBroker(port=0)
    await embedded.start()
    try:
        yield embedded.broker_config()
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(embedded.stop(), 10)


class ServerThread:
    """uvicorn on 127.0.0.1 in its own thread and event loop."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                timeout_graceful_shutdown=2,  # open SSE streams must not hold teardown
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def __aenter__(self) -> str:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return f"http://127.0.0.1:{self.port}"
            await asyncio.sleep(0.05)
        raise RuntimeError("uvicorn did not start")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.thread.join, 5)
        if self.thread.is_alive():
            self.server.force_exit = True
            await asyncio.to_thread(self.thread.join, 5)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


@dataclass
class World:
    http: httpx.AsyncClient
    headers: dict[str, str]
    broker: BrokerConfig
    label: Label
    credentials: LockCredentials
    lock: FakeLock
    device_id: str
    lock_task: asyncio.Task[None] | None = None
    password_file: Path | None = None

    def start_lock(self) -> None:
        client = LockClient(
            self.broker,
            self.credentials,
            self.lock,
            LinkOptions(ha_discovery=False, poll_s=0.2, ack_timeout_s=1.0),
        )
        self.lock_task = asyncio.create_task(client.run())

    async def stop_lock(self) -> None:
        assert self.lock_task is not None
        self.lock_task.cancel()
        # Bounded: a broker that never confirms the disconnect must not hang the test.
        await asyncio.wait([self.lock_task], timeout=5)

    async def get(self, path: str) -> Any:
        r = await self.http.get(f"{API}/devices/{self.device_id}{path}", headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def send(self, method: str, path: str, body: Any) -> httpx.Response:
        url = f"{API}/devices/{self.device_id}{path}"
        return await self.http.request(method, url, json=body, headers=self.headers)


@pytest.fixture
async def world(broker: BrokerConfig, database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    mqtt5 = broker.mqtt5
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        broker_url=f"mqtt://{broker.host}:{broker.port}",
        broker_mqtt5=mqtt5,
        shared_subscriptions=broker.shared_subscriptions,
        worker_group=f"test-{secrets.token_hex(4)}",
        command_timeout_seconds=3.0,
        broker_password_file=tmp_path / "passwd",
        live_recheck_seconds=0.5,
    )
    app = create_app(settings)
    async with ServerThread(app) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        await http.post(
            f"{API}/auth/signup", json={"email": "ann@example.org", "password": PASSWORD}
        )
        r = await http.post(
            f"{API}/auth/tokens", json={"email": "ann@example.org", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        label = generate_label()  # a fresh serial: Mosquitto keeps retained messages
        pairing = asyncio.create_task(
            pair(broker, label, username=label.serial, password="provisioning", hello_every_s=0.3)
        )
        bound: dict[str, Any] = {}

        # Bind once the cloud holds the lock's hello: binding before it arrives is an
        # attempt at a lock not in pairing mode, and those are throttled (D-PAIR).
        engine = sa.create_engine(database_url)

        async def hello_stored() -> bool:
            with Session(engine) as session:
                return session.get(PairingHello, label.serial) is not None

        try:
            await eventually(hello_stored, timeout=20)
        finally:
            engine.dispose()
        r = await http.post(
            f"{API}/devices", json={"serial": label.serial, "code": label.code}, headers=headers
        )
        assert r.status_code == 201, r.text
        bound.update(r.json())
        credentials = await asyncio.wait_for(pairing, 10)
        w = World(http, headers, broker, label, credentials, FakeLock(), bound["id"])
        w.password_file = settings.broker_password_file
        try:
            yield w
        finally:
            if w.lock_task is not None:
                await w.stop_lock()


async def test_paired_lock_reports_state_and_events_exactly_once_D_PAIR_D_LOG_A_STATUS(
    world: World,
) -> None:
    assert world.credentials.lock_id == world.label.serial
    # The lock's broker login is registered for Mosquitto, hashed (deploy/mosquitto).
    assert world.password_file is not None
    line = world.password_file.read_text().strip()
    assert line.startswith(f"{world.label.serial}:$7$")
    assert verify_line(line, world.credentials.broker_password)
    assert world.credentials.broker_password not in line
    world.lock.ring()  # after its boot: two events
    world.start_lock()

    async def online_with_events() -> bool:
        device = await world.get("")
        records = await world.get("/records")
        return bool(device["status"]["online"] and records["count"] == 2)

    await eventually(online_with_events)
    status = await world.get("/status")
    assert status["door"] == "locked" and status["battery"] == 90
    assert status["last_event"]["kind"] == "doorbell"
    await eventually(lambda: _acked(world, 2))
    # After a reconnect nothing is stored twice.
    await world.stop_lock()
    world.lock.forget_acks()  # the lock lost its ack pointer: it resends everything
    world.start_lock()
    await eventually(lambda: _acked(world, 2))
    assert (await world.get("/records"))["count"] == 2


async def _acked(world: World, seq: int) -> bool:
    return world.lock.acked >= seq


async def test_settings_changed_offline_apply_on_reconnect_A_SETTINGS(world: World) -> None:
    r = await world.send("PATCH", "/settings", {"version": 0, "changes": {"remote_unlock": True}})
    assert r.status_code == 200 and r.json()["pending"] == {"remote_unlock": True}
    assert world.lock.settings["remote_unlock"] is False  # offline: not applied yet
    world.start_lock()

    async def in_sync() -> bool:
        return bool((await world.get("/settings"))["in_sync"])

    await eventually(in_sync)
    assert world.lock.settings["remote_unlock"] is True


async def test_remote_unlock_done_replayed_refused_and_offline_A_REMOTE(world: World) -> None:
    world.start_lock()
    r = await world.send("PATCH", "/settings", {"version": 0, "changes": {"remote_unlock": True}})
    assert r.status_code == 200

    async def ready() -> bool:
        s = await world.get("/settings")
        d = await world.get("")
        return bool(s["in_sync"] and d["status"]["online"])

    await eventually(ready)
    body = {"request_id": "unlock-0001", "password": PASSWORD}
    r = await world.send("POST", "/unlock", body)
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    assert world.lock.door == "unlocked"
    # The same request again does nothing more on the lock.
    again = await world.send("POST", "/unlock", body)
    assert again.json()["id"] == r.json()["id"] and again.json()["status"] == "done"
    assert len(world.lock.commands) == 1

    # The lock refuses what the cloud could not know yet (a mode it has not reported).
    world.lock.set_anti_lock(True)  # changed at the lock, not reported yet
    r = await world.send("POST", "/unlock", {"request_id": "unlock-0002", "password": PASSWORD})
    assert r.json()["status"] == "refused"
    assert r.json()["reason"] == "anti_lock_mode"

    # The lock reports the mode soon after: wait for the cloud to have seen it, or the
    # report still in flight would arrive after the "off" below and refuse 0003 at the
    # cloud with a stale anti_lock (the flake of session 4).
    async def anti_lock_is(on: bool) -> bool:
        return bool((await world.get("/status"))["modes"].get("anti_lock")) is on

    await eventually(lambda: anti_lock_is(True))

    # Lock gone (silently, no last will yet): the request ends as offline after the timeout.
    world.lock.set_anti_lock(False)
    await eventually(lambda: anti_lock_is(False))
    await world.stop_lock()
    r = await world.send("POST", "/unlock", {"request_id": "unlock-0003", "password": PASSWORD})
    assert r.json()["status"] == "offline", r.text


async def test_forged_and_replayed_commands_do_nothing_A_REMOTE(world: World) -> None:
    world.lock = FakeLock(settings={"remote_unlock": True})
    world.start_lock()
    await eventually(lambda: _online(world))
    spy = mqtt_client(world.broker, f"spy-{secrets.token_hex(4)}", "", "", None)
    captured: list[bytes] = []
    cmd_topic = topic(world.label.serial, Channel.CMD)
    async with spy:
        await spy.subscribe(cmd_topic, qos=1)

        async def capture() -> None:
            async for message in spy.messages:
                if isinstance(message.payload, bytes):
                    captured.append(message.payload)

        listener = asyncio.create_task(capture())
        r = await world.send(
            "POST", "/unlock", {"request_id": "unlock-spy-1", "password": PASSWORD}
        )
        assert r.json()["status"] == "done"
        await eventually(lambda: _true(bool(captured)))
        world.lock.lock_by_hand()
        # Replay of the captured command: the lock's guard drops it.
        await spy.publish(cmd_topic, captured[0], qos=1)
        # A command signed with another key: dropped too.
        from smartlock.link.cloud_side import build_command

        _, name, forged = build_command(new_lock_key(), world.label.serial, "unlock")
        await spy.publish(name, forged, qos=1)
        await asyncio.sleep(1.0)
        listener.cancel()
    assert len(world.lock.commands) == 1
    assert world.lock.door == "locked"


async def test_password_set_remotely_reaches_the_lock_sealed_A_USERS(world: World) -> None:
    # User 002 added at the lock (its master, 001, was set up before the cloud knew it).
    world.lock.feed(RemoteCommand("u2", RemoteAction.ADD_USER, {"user_type": "normal"}))
    world.start_lock()

    async def has_user() -> bool:
        return bool((await world.get("/users"))["count"] == 1)

    await eventually(has_user)
    r = await world.send("PATCH", "/users/002", {"name": "Ann"})
    assert r.status_code == 200 and r.json()["name"] == "Ann"
    r = await world.send(
        "PUT", "/users/002/password", {"request_id": "pw-000001", "password": "246813"}
    )
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    assert world.lock.knows_pin("246813")

    async def has_pin() -> bool:
        users = (await world.get("/users"))["data"]
        return [c["type"] for c in users[0]["credentials"]] == ["pin"]

    await eventually(has_pin)


async def test_factory_reset_reported_by_the_lock_ends_the_binding_D_RESET_D_PAIR(
    world: World,
) -> None:
    world.lock.feed(FactoryReset())
    world.start_lock()

    async def gone() -> bool:
        r = await world.http.get(f"{API}/devices/{world.device_id}", headers=world.headers)
        return bool(r.status_code == 404)

    await eventually(gone)


async def test_forged_state_from_the_broker_is_ignored_A_STATUS(world: World) -> None:
    world.start_lock()

    async def reported() -> bool:
        return bool((await world.get("/status"))["battery"] == 90)

    await eventually(reported)
    from smartlock.link.schemas import StateReport

    forged = StateReport(door="open", bolt="retracted", battery=1)  # type: ignore[arg-type]
    name, payload = sign_message(new_lock_key(), world.label.serial, forged)
    spy = mqtt_client(world.broker, f"spy-{secrets.token_hex(4)}", "", "", None)
    async with spy:
        await spy.publish(name, payload, qos=1)
    await asyncio.sleep(0.5)
    assert (await world.get("/status"))["battery"] == 90


async def _online(world: World) -> bool:
    return bool((await world.get(""))["status"]["online"])


async def _true(value: bool) -> bool:
    return value


async def _next_event(lines: AsyncIterator[str], wanted: str) -> dict[str, Any]:
    """The data of the next server-sent event named ``wanted``."""
    import json

    name = ""
    async for line in lines:
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and name == wanted:
            return json.loads(line.split(":", 1)[1])  # type: ignore[no-any-return]
    raise AssertionError("stream ended")


async def test_live_status_reaches_the_app_without_reload_A_STATUS(world: World) -> None:
    world.start_lock()

    async def locked() -> bool:
        return bool((await world.get("/status"))["door"] == "locked")

    await eventually(locked)
    url = f"{API}/devices/{world.device_id}/live"
    async with world.http.stream("GET", url, headers=world.headers) as stream:
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        first = await asyncio.wait_for(_next_event(lines, "status"), 5)
        assert first["door"] == "locked"
        world.lock.open_door()

        async def door_open() -> dict[str, Any]:
            while True:
                update = await _next_event(lines, "status")
                if update["door"] == "open":
                    return update

        update = await asyncio.wait_for(door_open(), 10)
        assert update["online"] is True


async def test_live_status_is_refused_to_another_account_A_STATUS_A_SHARE(world: World) -> None:
    await world.http.post(
        f"{API}/auth/signup", json={"email": "eve@example.org", "password": PASSWORD}
    )
    r = await world.http.post(
        f"{API}/auth/tokens", json={"email": "eve@example.org", "password": PASSWORD}
    )
    eve = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await world.http.get(f"{API}/devices/{world.device_id}/live", headers=eve)
    assert r.status_code == 404


async def test_last_will_marks_the_lock_offline_A_STATUS(world: World) -> None:
    world.start_lock()
    await eventually(lambda: _online(world))
    await world.stop_lock()
    # What the broker publishes for the lock's last will when its connection dies.
    spy = mqtt_client(world.broker, f"spy-{secrets.token_hex(4)}", "", "", None)
    async with spy:
        await spy.publish(topic(world.label.serial, Channel.AVAILABILITY), b"offline", qos=1)

    async def offline() -> bool:
        return not await _online(world)

    await eventually(offline)
    r = await world.send("POST", "/unlock", {"request_id": "unlock-off-1", "password": PASSWORD})
    assert r.json()["status"] in {"offline", "refused"}


async def test_live_stream_ends_when_the_share_is_revoked_A_SHARE_A_STATUS(world: World) -> None:
    await world.http.post(
        f"{API}/auth/signup", json={"email": "vic@example.org", "password": PASSWORD}
    )
    r = await world.http.post(
        f"{API}/auth/tokens", json={"email": "vic@example.org", "password": PASSWORD}
    )
    vic = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await world.send("POST", "/shares", {"email": "vic@example.org", "role": "viewer"})
    assert r.status_code == 201
    vic_id = r.json()["account_id"]
    url = f"{API}/devices/{world.device_id}/live"
    async with world.http.stream("GET", url, headers=vic) as stream:
        lines = stream.aiter_lines()
        await asyncio.wait_for(_next_event(lines, "status"), 5)
        assert (await world.send("DELETE", f"/shares/{vic_id}", None)).status_code == 200
        await asyncio.wait_for(_next_event(lines, "revoked"), 5)


async def test_signed_firmware_update_end_to_end_A_OTA(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    """Publish a vendor-signed release → the app offers it → the owner starts it → the real
    lock verifies the signature and the image, installs, reports the new version → the
    app shows it, and the lock's journal of the update reaches the records.
    """
    # The vendor: a key, an image, a signed release published into the cloud's database.
    key_file, image = tmp_path / "vendor.key", tmp_path / "fw-0.2.0.bin"
    image.write_bytes(b"\x7fsmartlock 0.2.0 " * 64)
    assert main(["firmware", "keygen", "--out", str(key_file)]) == 0
    public = capsys.readouterr().out.split("public key: ", 1)[1].strip()
    db = ["--data-dir", str(tmp_path / "vendor-cloud"), "--database-url", database_url]
    for version in ("0.0.9", "0.2.0"):
        release = tmp_path / f"rel-{version}.json"
        sign = ["--key", str(key_file), "--image", str(image), "--version", version]
        assert main(["firmware", "sign", *sign, "--out", str(release)]) == 0
        assert main(["firmware", "publish", str(release), *db, "--vendor-key", public]) == 0

    # The lock: the real core and store, trusting only the vendor's public key.
    durable = open_lock(
        tmp_path / "lock.db", serial=world.label.serial, verification_code=world.label.code
    )
    runtime = LockRuntime(core=durable, hardware=VirtualLock().hardware, clock=FastForwardClock())
    runtime.boot()
    ota = OtaConfig(public, image_dir=tmp_path / "installed")
    world.lock = RuntimeLockSide(runtime, durable, tmp_path / "link.json", ota=ota)  # type: ignore[assignment]
    world.start_lock()
    try:

        async def reports(version: str) -> bool:
            device = await world.get("")
            return bool(device["status"]["online"] and device["firmware"] == version)

        await eventually(lambda: reports("0.1.0"))
        offer = await world.get("/firmware")
        assert offer["current"] == "0.1.0"
        assert offer["available"]["version"] == "0.2.0"  # newest, never the older 0.0.9

        r = await world.send("POST", "/firmware/update", {"request_id": "fw-update-0001"})
        assert r.status_code == 200, r.text
        assert r.json()["update"]["status"] in ("installing", "installed"), r.text
        assert durable.core.firmware == "0.2.0"
        # D-OTA-AB: written to the inactive slot, confirmed there (the cloud acked its trial)
        assert (tmp_path / "installed" / "slot-b.bin").read_bytes() == image.read_bytes()

        await eventually(lambda: reports("0.2.0"))
        shown = await world.get("/firmware")
        assert shown["current"] == "0.2.0" and shown["available"] is None
        assert shown["update"]["status"] == "installed"
        assert shown["update"]["from_version"] == "0.1.0"

        async def journal_reached_records() -> bool:
            records = await world.get("/records")
            steps = [e["kind"] for e in records["data"] if e["kind"].startswith("firmware_")]
            newest_first = ["firmware_updated", "firmware_update_trial", "firmware_update_started"]
            return steps[:3] == newest_first

        await eventually(journal_reached_records)
        # Nothing more to offer: starting again is refused by the cloud itself.
        r = await world.send("POST", "/firmware/update", {"request_id": "fw-update-0002"})
        assert (r.status_code, r.json()["code"]) == (409, "no_update_available")

        # D-OTA-ROLLBACK: a signed 0.3.0 that boots but fails its self-test goes back.
        bad = tmp_path / "fw-0.3.0.bin"
        bad.write_bytes(image.read_bytes() + SELF_TEST_FAIL_MARK)
        sign = ["--key", str(key_file), "--image", str(bad), "--version", "0.3.0"]
        assert main(["firmware", "sign", *sign, "--out", str(tmp_path / "rel-0.3.0.json")]) == 0
        assert (
            main(
                [
                    "firmware",
                    "publish",
                    str(tmp_path / "rel-0.3.0.json"),
                    *db,
                    "--vendor-key",
                    public,
                ]
            )
            == 0
        )
        r = await world.send("POST", "/firmware/update", {"request_id": "fw-update-0003"})
        assert r.status_code == 200, r.text

        async def rolled_back() -> bool:
            update = (await world.get("/firmware"))["update"]
            said = (update["status"], update["version"], update["reason"])
            return bool(said == ("rolled_back", "0.3.0", "self_test_failed"))  # and why

        await eventually(rolled_back)
        shown = await world.get("/firmware")
        assert shown["current"] == "0.2.0" and durable.core.firmware == "0.2.0"
    finally:
        await world.stop_lock()
        world.lock_task = None
        await asyncio.to_thread(runtime.stop)
        durable.store.close()
