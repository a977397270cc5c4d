"""A real Home Assistant against `smartlock demo` (A-HA): run by `make test-ha`.

Home Assistant runs from its own virtualenv outside the repo (tests/ha/ensure_ha.sh,
`$SMARTLOCK_HA_PYTHON`), headless on 127.0.0.1 with a temp config folder; it is
onboarded and given the MQTT integration through its REST API with its defaults
(MQTT 5) and the demo's printed `homeassistant` login. The demo runs in this process
(its broker is Mosquitto), so the test can look at the virtual lock's bolt.

The update entity (A-OTA): a release signed with the demo's vendor key and published
with `smartlock firmware sign` / `publish` reaches HA through the cloud's offer; HA's
install runs it through the lock's own signed path, and HA ends on the new installed
version, no longer in progress (issue 14). The camera (A-LIVE, D-PRIV): a photo with
a face in front of the lock, the doorbell, and HA's picture has no face left.

Rules proved here (named in the tests' names): A-HA, A-OTA, A-LIVE, D-PRIV.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiomqtt
import httpx
import pytest

from smartlock.cli import main as smartlock_cli
from smartlock.demo.orchestrator import Demo, DemoOptions
from smartlock.hardware import ButtonId
from smartlock.link.broker import free_port
from smartlock.link.topics import Channel, topic
from smartlock.vocab import BoltState

HA_PYTHON = os.environ.get("SMARTLOCK_HA_PYTHON", "")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(420),
    pytest.mark.skipif(not HA_PYTHON, reason="run by `make test-ha` (needs Home Assistant)"),
]
HA_START_S = 180.0
ENTITY_WAIT_S = 60.0
UPDATE = "update.front_door_firmware"
NEW_FIRMWARE, NOTES = "9.0.0", "Faster unlock at night"
# A photo with a face (shared with the face tests; outside the repo like the LFW set).
FACE_PHOTO = Path(__file__).resolve().parents[2].parent / "shared/faces/camera/obama.jpg"
# Entity ids follow the device's name, which is the app's name for the lock.
EXPECTED = {
    "lock.front_door": None,
    "sensor.front_door_battery": "battery",
    "binary_sensor.front_door_door": "door",
    "binary_sensor.front_door_tamper": "tamper",
    "binary_sensor.front_door_problem": "problem",
    "binary_sensor.front_door_duress": "safety",
    "event.front_door_doorbell": "doorbell",
    "event.front_door_access": None,
    "event.front_door_command_refused": None,
    "camera.front_door_doorbell_picture": None,
    "update.front_door_firmware": "firmware",
}
CONFIG = """\
homeassistant:
  name: smartlock test
  latitude: 0
  longitude: 0
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: DE
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
logger:
  default: warning
"""


class HomeAssistant:
    """A Home Assistant process and an authenticated REST client for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30)
        self.version = ""

    @property
    def log_text(self) -> str:
        path = self.folder / "home-assistant.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "configuration.yaml").write_text(CONFIG.format(port=self.port))
        self.version = subprocess.run(
            [HA_PYTHON, "-c", "import homeassistant.const as c; print(c.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"Home Assistant {self.version} ({HA_PYTHON})")
        hass = str(Path(HA_PYTHON).with_name("hass"))
        self.proc = subprocess.Popen(
            [hass, "-c", str(self.folder), "--skip-pip", "--ignore-os-check", "--log-no-color"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + HA_START_S
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "Home Assistant exited:\n" + self.log_text[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                r = await self.http.get("/api/onboarding")
                if r.status_code == 200:
                    return
            await asyncio.sleep(1)
        raise AssertionError("Home Assistant did not answer:\n" + self.log_text[-3000:])

    async def onboard(self) -> None:
        client_id = f"{self.base}/"
        r = await self.http.post(
            "/api/onboarding/users",
            json={
                "client_id": client_id,
                "name": "Test",
                "username": "test",
                "password": "test-password-123",
                "language": "en",
            },
        )
        assert r.status_code == 200, r.text
        token = await self.http.post(
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": r.json()["auth_code"],
                "client_id": client_id,
            },
        )
        assert token.status_code == 200, token.text
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    async def add_mqtt(self, host: str, port: int, username: str, password: str) -> None:
        """Settings → Devices → Add integration → MQTT, with its defaults (MQTT 5)."""
        r = await self.http.post("/api/config/config_entries/flow", json={"handler": "mqtt"})
        assert r.status_code == 200, r.text
        step = r.json()
        for _ in range(3):
            if step.get("type") == "create_entry":
                return
            if step.get("type") == "menu":
                body: dict[str, Any] = {"next_step_id": "broker"}
            else:
                assert step.get("type") == "form", step
                body = {"broker": host, "port": port, "username": username, "password": password}
            r = await self.http.post(
                f"/api/config/config_entries/flow/{step['flow_id']}", json=body
            )
            assert r.status_code == 200, r.text
            step = r.json()
            assert not step.get("errors"), step
        assert step.get("type") == "create_entry", step

    async def states(self) -> dict[str, dict[str, Any]]:
        r = await self.http.get("/api/states")
        assert r.status_code == 200, r.text
        return {s["entity_id"]: s for s in r.json()}

    async def state(self, entity_id: str) -> dict[str, Any]:
        r = await self.http.get(f"/api/states/{entity_id}")
        assert r.status_code == 200, (entity_id, r.text)
        data: dict[str, Any] = r.json()
        return data

    async def call(self, domain: str, service: str, **data: Any) -> httpx.Response:
        return await self.http.post(f"/api/services/{domain}/{service}", json=data)

    async def until(self, what: str, check: Any, timeout: float = ENTITY_WAIT_S) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            last = await check()
            if last:
                return last
            await asyncio.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; last {last!r}")

    async def stop(self) -> None:
        await self.http.aclose()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.to_thread(proc.wait), 30)
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
            await asyncio.to_thread(proc.wait)


@contextlib.asynccontextmanager
async def demo_running(folder: Path) -> AsyncIterator[Demo]:
    demo = Demo(DemoOptions(data_dir=folder, http_port=free_port(), mqtt_port=free_port()))
    task = asyncio.create_task(demo.run())
    try:
        async with asyncio.timeout(120):
            while not demo.ready.is_set():
                assert not task.done(), task.result()
                await asyncio.sleep(0.1)
        assert demo.broker.kind == "mosquitto", demo.broker.warning
        yield demo
    finally:
        demo.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 60)


async def app_settings(demo: Demo, **changes: Any) -> None:
    """The owner's security settings in the app (A-SETTINGS), through its API."""
    assert demo.account is not None and demo.account.password is not None
    async with httpx.AsyncClient(base_url=demo.base_url + "/api/v1", timeout=30) as app:
        r = await app.post(
            "/auth/tokens",
            json={"email": demo.account.email, "password": demo.account.password, "name": "t"},
        )
        assert r.status_code == 201, r.text
        app.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        [device] = (await app.get("/devices")).json()["data"]
        current = (await app.get(f"/devices/{device['id']}/settings")).json()
        r = await app.patch(
            f"/devices/{device['id']}/settings",
            json={"version": current["version"], "changes": changes},
        )
        assert r.status_code == 200, r.text


async def retained_camera(demo: Demo, serial: str) -> bytes:
    """The masked picture on ha/camera, read with the cloud's login."""
    broker = demo.broker
    async with aiomqtt.Client(
        broker.host,
        broker.bound_port,
        username="cloud",
        password=broker.credentials["cloud"],
        protocol=aiomqtt.ProtocolVersion.V5,
        identifier="ha-test-camera",
    ) as c:
        await c.subscribe(topic(serial, Channel.HA_CAMERA), qos=1)
        async with asyncio.timeout(10):
            async for m in c.messages:
                if isinstance(m.payload, bytes) and m.payload:
                    return m.payload
    raise AssertionError("no retained camera picture")


def _visitor() -> Any:
    """Someone at the door: a photo in which the lock's detector finds a face."""
    from smartlock.face.decode import load_image
    from smartlock.face.detect import detect_faces

    assert FACE_PHOTO.is_file(), f"the face photo {FACE_PHOTO} is needed for the D-PRIV check"
    frame = load_image(FACE_PHOTO)
    assert detect_faces(frame, upsample=1), "the unmasked photo must show a face"
    return frame


def _faces_in(jpeg: bytes) -> list[Any]:
    from smartlock.face.decode import load_image
    from smartlock.face.detect import detect_faces

    return list(detect_faces(load_image(jpeg), upsample=1))


def publish_release(demo_dir: Path, work: Path, version: str, notes: str) -> None:
    """What the vendor does (docs/firmware-updates.md): sign an image with the demo's
    vendor key and publish it into the demo's cloud with the CLI.
    """
    image, release = work / f"fw-{version}.bin", work / f"release-{version}.json"
    image.write_bytes(b"\x7fSMARTLOCK firmware " + version.encode() + bytes(range(256)) * 8)
    vendor = demo_dir / "vendor"
    key = str(vendor / "vendor.key")
    sign = ["firmware", "sign", "--key", key, "--image", str(image), "--version", version]
    signed = smartlock_cli([*sign, "--notes", notes, "--out", str(release)])
    assert signed == 0
    public = (vendor / "vendor.pub").read_text("ascii").strip()
    publish = ["firmware", "publish", str(release), "--vendor-key", public]
    published = smartlock_cli([*publish, "--data-dir", str(demo_dir / "cloud")])
    assert published == 0


async def test_real_home_assistant_sees_drives_and_loses_the_lock_A_HA_A_OTA_A_LIVE_D_PRIV(
    tmp_path: Path,
) -> None:
    ha = HomeAssistant(tmp_path / "ha")
    try:
        async with demo_running(tmp_path / "demo") as demo:
            lock = demo.locks[0]
            await ha.start()
            await ha.onboard()
            creds = demo.broker.credentials
            await ha.add_mqtt(
                demo.broker.host, demo.broker.bound_port, "homeassistant", creds["homeassistant"]
            )

            # Every entity, with its platform (the id's domain) and device class.
            async def all_there() -> dict[str, dict[str, Any]] | None:
                states = await ha.states()
                if not set(EXPECTED) <= set(states):
                    return None
                available = all(states[e]["state"] != "unavailable" for e in EXPECTED)
                return states if available else None

            states = await ha.until("every entity", all_there)
            for entity_id, device_class in EXPECTED.items():
                attributes = states[entity_id]["attributes"]
                assert attributes.get("device_class") == device_class, entity_id
                assert states[entity_id]["state"] != "unavailable", entity_id
            assert states["lock.front_door"]["state"] == "locked"
            assert states["binary_sensor.front_door_duress"]["state"] == "off"  # not unknown
            assert states["update.front_door_firmware"]["attributes"]["installed_version"]

            # Off by default: HA's unlock is refused, visibly, and the bolt stays.
            r = await ha.call("lock", "unlock", entity_id="lock.front_door", code=lock_pin(demo))
            assert r.status_code == 200, r.text

            async def refused(reason: str) -> bool:
                s = await ha.state("event.front_door_command_refused")
                return s["attributes"].get("event_type") == reason

            await ha.until("refusal in HA", lambda: refused("ha_control_disabled"))
            assert lock.hardware.bolt.state is BoltState.THROWN
            assert (await ha.state("lock.front_door"))["state"] == "locked"

            # The owner allows it in the app; unlock with the lock's own password.
            await app_settings(demo, ha_control=True)
            await asyncio.sleep(1.0)  # the shadow reaches the lock
            r = await ha.call("lock", "unlock", entity_id="lock.front_door", code=lock_pin(demo))
            assert r.status_code == 200, r.text

            async def lock_is(state: str) -> bool:
                return (await ha.state("lock.front_door"))["state"] == state

            await ha.until("unlocked in HA", lambda: lock_is("unlocked"))
            assert lock.hardware.bolt.state is BoltState.RETRACTED
            # Locking takes no code (HA's code_format accepts the empty one).
            r = await ha.call("lock", "lock", entity_id="lock.front_door")
            assert r.status_code == 200, r.text
            await ha.until("locked in HA", lambda: lock_is("locked"))
            assert lock.hardware.bolt.state is BoltState.THROWN
            # A wrong password: refused, shown in HA, the bolt stays.
            await ha.call("lock", "unlock", entity_id="lock.front_door", code="000000")
            await ha.until("wrong code in HA", lambda: refused("wrong_code"))
            assert lock.hardware.bolt.state is BoltState.THROWN

            # The doorbell with a visitor at the door: HA's camera shows the lock's
            # picture, and the visitor's face is masked in it (D-PRIV).
            await asyncio.to_thread(lock.hardware.camera.present, _visitor())
            await asyncio.to_thread(lock.hardware.press, ButtonId.DOORBELL, 0.1)
            published = await retained_camera(demo, lock.serial)

            async def picture() -> bytes | None:
                r = await ha.http.get("/api/camera_proxy/camera.front_door_doorbell_picture")
                return r.content if r.status_code == 200 and r.content == published else None

            shown = await ha.until("camera picture", picture)
            assert shown[:2] == b"\xff\xd8" and _faces_in(shown) == []

            # Firmware (A-OTA): the vendor publishes a signed release; HA's update entity
            # shows it (latest version, notes), installs it through the lock's signed
            # path, and ends on the new installed version, no longer in progress.
            installed = (await ha.state(UPDATE))["attributes"]["installed_version"]
            assert installed != NEW_FIRMWARE
            await asyncio.to_thread(
                publish_release, tmp_path / "demo", tmp_path, NEW_FIRMWARE, NOTES
            )

            async def update_is(**want: Any) -> dict[str, Any] | None:
                s = await ha.state(UPDATE)
                seen = {"state": s["state"], **s["attributes"]}
                return s if all(seen.get(k) == v for k, v in want.items()) else None

            offered = await ha.until(
                "the release offered in HA",
                lambda: update_is(latest_version=NEW_FIRMWARE, state="on"),
            )
            assert offered["attributes"]["installed_version"] == installed
            assert offered["attributes"]["release_summary"] == NOTES
            assert offered["attributes"]["in_progress"] is False
            r = await ha.call("update", "install", entity_id=UPDATE)
            assert r.status_code == 200, r.text
            await ha.until(
                "HA shows the new version installed",
                lambda: update_is(
                    installed_version=NEW_FIRMWARE,
                    latest_version=NEW_FIRMWARE,
                    in_progress=False,
                    state="off",
                ),
            )
            assert lock.status()["firmware"] == NEW_FIRMWARE

            # A clean stop of the lock: every entity unavailable.
            await lock._stop_client()

            async def gone() -> bool:
                states = await ha.states()
                return all(states[e]["state"] == "unavailable" for e in EXPECTED)

            await ha.until("entities unavailable", gone, timeout=30)
        # Nothing in HA's log about our discovery payloads, topics or templates. HA's log
        # is read for real: it always warns that we run it with --skip-pip.
        log_text = ha.log_text
        assert "Skipping pip installation" in log_text, log_text[-2000:]
        warned = [ln for ln in log_text.splitlines() if re.search(r"\b(WARNING|ERROR)\b", ln)]
        print(f"Home Assistant's log: {len(warned)} warning/error lines", *warned, sep="\n  ")
        ours = r"smartlock|homeassistant/device|discovery|value_json|front_door"
        bad = [line for line in warned if re.search(ours, line, re.I)]
        assert bad == [], "\n".join(bad)
        print(f"Home Assistant {ha.version}: all checks passed")
    finally:
        await ha.stop()


def lock_pin(demo: Demo) -> str:
    """The master's password the demo typed at first use (D-FIRST)."""
    pin = getattr(demo, "first_pin", None)
    assert isinstance(pin, str) and pin.isdigit(), "the demo keeps its first-use password"
    return pin
