"""A virtual lock with a photo in front of its camera: the doorbell press shows up in
the app as a picture, the live view shows frames, and no face is in either (A-LIVE,
D-PRIV). The lock is real (core, runtime, camera feed, face masking); only its MQTT
hop is replaced by signed messages handed to the cloud's own ingest.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from smartlock.device import open_lock
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.face.decode import load_image
from smartlock.face.detect import detect_faces
from smartlock.face.snapshot import masked_snapshot
from smartlock.hal.virtual import VirtualLock
from smartlock.hardware import ButtonId
from smartlock.link.camera_feed import CameraFeed
from smartlock.link.codec import parse
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import Command, EventBatch, LinkAction, Snapshot
from smartlock.link.signing import verify_message
from smartlock.link.topics import Channel
from smartlock.vocab import DoorState

from .conftest import api_pair, api_sign_in
from .world import AnsweringLink, WebWorld

pytestmark = pytest.mark.e2e

PHOTO = Path(__file__).resolve().parents[2].parent / "shared" / "faces" / "camera" / "obama.jpg"


class VirtualDoorLock:
    """A lock on its own asyncio loop (thread) whose pictures and command results reach
    the test cloud as signed messages.
    """

    def __init__(self, world: WebWorld, serial: str, data: Path) -> None:
        self.world, self.serial = world, serial
        data.mkdir(parents=True, exist_ok=True)
        self.durable = open_lock(data / "lock.db", serial=serial, verification_code="ABC123")
        self.hw = VirtualLock()
        self.runtime = LockRuntime(
            core=self.durable, hardware=self.hw.hardware, clock=FastForwardClock()
        )
        self.runtime.boot()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.feed = CameraFeed(self.runtime.capture, masked_snapshot, live_every_s=0.5)
        self.feed.attach(self._send)
        self.side = RuntimeLockSide(
            self.runtime, self.durable, data / "link.json", camera=self.feed
        )
        self.remove = self.side.watch(self._sync_journal, self.loop)
        self.sent: list[Snapshot] = []

    def _sync_journal(self) -> None:
        """What the link client does with the journal (D-LOG), minus the broker."""
        events = list(self.side.unacked_events(50))
        if events:
            batch = EventBatch(acked_through=self.side.acked_through(), events=events)
            self.world.lock_says(self.serial, batch)
            self.side.ack(events[-1].seq)

    async def _send(self, snapshot: Snapshot) -> bool:
        self.sent.append(snapshot)
        await asyncio.to_thread(self.world.lock_says, self.serial, snapshot)
        return True

    async def submit(self, command: Command) -> Any:
        future = asyncio.run_coroutine_threadsafe(self.side.submit(command), self.loop)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self.remove()
        asyncio.run_coroutine_threadsafe(self.feed.close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.durable.store.close()


class LockLink(AnsweringLink):
    """The test link, but a `live_view` command goes to the virtual lock itself."""

    def __init__(self, world: WebWorld, lock: VirtualDoorLock) -> None:
        super().__init__(world)
        self.lock = lock

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        if topic.endswith("/" + Channel.CMD.value):
            command = verify_message(self.world.key_of(self.lock.serial), parse(topic, payload))
            if isinstance(command, Command) and command.action is LinkAction.LIVE_VIEW:
                self.commands.append(command)
                result = await self.lock.submit(command)
                threading.Timer(0.05, self.world.lock_says, (self.lock.serial, result)).start()
                return
        await super().publish(topic, payload, qos=qos, retain=retain)


@pytest.fixture
def door(page: Any, world: WebWorld, tmp_path: Path) -> Iterator[tuple[str, VirtualDoorLock]]:
    if not PHOTO.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"face photos missing at {PHOTO.parent} (required in CI)")
        pytest.skip(f"no face photos at {PHOTO.parent}")
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED)
    lock = VirtualDoorLock(world, serial, tmp_path / "lock")
    world.services.link = LockLink(world, lock)
    try:
        yield device_id, lock
    finally:
        lock.close()


def test_doorbell_snapshot_and_live_view_appear_in_the_app_without_faces_A_LIVE_D_PRIV(
    page: Any, world: WebWorld, door: tuple[str, VirtualDoorLock]
) -> None:
    device_id, lock = door
    page.goto(f"/app/devices/{device_id}")
    expect(page.get_by_test_id("live-indicator")).to_have_attribute("data-live", "true")
    expect(page.get_by_test_id("doorbell-caption")).to_have_text("No doorbell picture yet.")
    expect(page.get_by_test_id("doorbell-image")).to_be_hidden()

    lock.hw.camera.present(PHOTO)  # someone at the door, face to the camera
    lock.hw.press(ButtonId.DOORBELL)
    image = page.get_by_test_id("doorbell-image")
    expect(image).to_be_visible()
    expect(page.get_by_test_id("doorbell-caption")).to_contain_text("Doorbell rang")
    expect(page.get_by_test_id("recent-events").locator("li[data-kind=doorbell]")).to_have_count(1)
    # What the app was given has no face in it (D-PRIV), and is what the lock made.
    sid = image.get_attribute("data-snapshot-id")
    shown = page.request.get(f"/api/v1/devices/{device_id}/snapshots/{sid}.jpg")
    assert shown.ok and shown.headers["content-type"] == "image/jpeg"
    assert detect_faces(load_image(shown.body()), upsample=1) == []
    assert [s.kind for s in lock.sent] == ["doorbell"]

    page.get_by_test_id("live-button").click()
    state = page.get_by_test_id("live-state")
    expect(state).to_have_attribute("data-state", "running")
    expect(state).to_contain_text("Live view, picture of")
    expect(page.get_by_test_id("live-image")).to_be_visible()
    assert [c.action for c in world.services.link.commands] == ["live_view"]  # type: ignore[attr-defined]
    frame = page.request.get(f"/api/v1/devices/{device_id}/live-view.jpg")
    assert frame.ok
    assert detect_faces(load_image(frame.body()), upsample=1) == []
    assert {s.kind for s in lock.sent} == {"doorbell", "live"}
