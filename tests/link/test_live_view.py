"""Doorbell snapshot and live view from a real lock over a real broker (A-LIVE), and
what the lock puts on the wire meanwhile: pictures without a face, no face data at
all (D-PRIV).

Rules proved here (named in the tests' names): A-LIVE, D-PRIV.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smartlock.device import open_lock
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.face.decode import load_image
from smartlock.face.detect import detect_faces
from smartlock.face.snapshot import masked_snapshot
from smartlock.hal.virtual import VirtualLock
from smartlock.hardware import ButtonId
from smartlock.link.camera_feed import CameraFeed
from smartlock.link.codec import parse
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import MAX_PAYLOAD, Command, LinkAction, Snapshot
from smartlock.link.signing import new_nonce, verify_message
from smartlock.link.topics import Channel
from smartlock.vocab import EventKind

from .harness import (
    FakeCloud,
    clear_retained,
    cloud_client,
    new_lock_id,
    raw_client,
    running,
    wait_for,
)

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"
FACE_KEYS = {"embedding", "embeddings", "template", "templates", "face_data", "image", "photo"}


@pytest.fixture
def two_people() -> Path:
    path = FACES / "camera" / "two_people.jpg"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"face photos missing at {FACES} (required in CI)")
        pytest.skip(f"face photos not found at {FACES}")
    return path


def _snapshots(heard: list[tuple[str, bytes]], kind: str) -> list[str]:
    return [t for t, p in heard if t.endswith("/snapshot") and f'"kind":"{kind}"'.encode() in p]


def _walk(value: Any, keys: set[str], numbers: list[int]) -> None:
    """Every object key, and the length of every all-number list (an embedding?)."""
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(str(k).lower())
            _walk(v, keys, numbers)
    elif isinstance(value, list):
        if value and all(isinstance(x, int | float) for x in value):
            numbers.append(len(value))
        for v in value:
            _walk(v, keys, numbers)


def assert_no_face_leaves(heard: list[tuple[str, bytes]], key: str) -> int:
    """D-PRIV over everything the lock published: returns the pictures checked."""
    pictures = 0
    for name, payload in heard:
        assert len(payload) <= MAX_PAYLOAD, name
        if name.endswith("/" + Channel.HA_CAMERA.value):  # Home Assistant's raw JPEG
            picture = load_image(payload)
            assert picture.shape[0] <= 240 and picture.shape[1] <= 320
            assert detect_faces(picture, upsample=1) == [], name
            pictures += 1
            continue
        try:
            document = json.loads(payload)
        except ValueError:
            assert payload in (b"online", b"offline", b"ON", b"OFF", b""), name
            continue
        keys: set[str] = set()
        numbers: list[int] = []
        _walk(document, keys, numbers)
        assert not keys & FACE_KEYS, (name, keys & FACE_KEYS)
        assert all(n < 64 for n in numbers), (name, numbers)  # no embedding-sized vector
        if not name.endswith("/" + Channel.SNAPSHOT.value):
            assert b"/9j/" not in payload and b"iVBOR" not in payload, name  # no image
            continue
        message = verify_message(key, parse(name, payload))
        assert isinstance(message, Snapshot)
        jpeg = base64.b64decode(message.jpeg_b64)
        picture = load_image(jpeg)
        assert picture.shape[0] <= 240 and picture.shape[1] <= 320
        assert detect_faces(picture, upsample=1) == [], (name, message.kind, message.seq)
        pictures += 1
    return pictures


@pytest.mark.integration
@pytest.mark.timeout(120)
async def test_doorbell_and_live_view_send_face_masked_pictures_only_A_LIVE_D_PRIV(
    tmp_path: Path, any_broker: BrokerConfig, two_people: Path
) -> None:
    durable = open_lock(tmp_path / "lock.db", serial="SL-TEST", verification_code="ABC123")
    hw = VirtualLock()
    runtime = LockRuntime(core=durable, hardware=hw.hardware, clock=FastForwardClock())
    runtime.boot()
    hw.camera.present(two_people)  # two people at the door, faces plainly visible
    assert len(detect_faces(load_image(two_people), upsample=1)) == 2
    camera = CameraFeed(runtime.capture, masked_snapshot, live_every_s=0.3)
    side = RuntimeLockSide(runtime, durable, tmp_path / "link.json", camera=camera)
    lock_id, cloud = new_lock_id(), FakeCloud()
    creds = cloud.enrol(lock_id)
    client = LockClient(any_broker, creds, side, LinkOptions(poll_s=0.2, ack_timeout_s=1))
    remove = side.watch(client.notify, asyncio.get_running_loop())
    camera.attach(client.publish_snapshot)
    cc = cloud_client(any_broker, cloud)
    heard: list[tuple[str, bytes]] = []
    try:
        async with raw_client(any_broker) as spy:
            await spy.subscribe(f"smartlock/v1/{lock_id}/#", qos=1)

            async def listen() -> None:
                async for m in spy.messages:
                    payload = m.payload if isinstance(m.payload, bytes) else b""
                    heard.append((m.topic.value, payload))

            async with running(listen()), running(cc.run()), running(client.run()):
                await asyncio.wait_for(cc.connected.wait(), 15)
                await asyncio.wait_for(client.connected.wait(), 15)
                hw.press(ButtonId.DOORBELL)
                await wait_for(lambda: _snapshots(heard, "doorbell"), 30, "doorbell snapshot")
                await wait_for(
                    lambda: (
                        EventKind.DOORBELL in [e.kind for e in cloud.store.events.get(lock_id, [])]
                    ),
                    what="the ring in the journal",
                )
                cmd = await cc.send_command(
                    creds.lock_key, lock_id, LinkAction.LIVE_VIEW, {"seconds": 2}
                )
                result = await cc.wait_result(cmd.request_id, 10)
                assert result is not None and result.ok, result
                assert result.data == {"seconds": 2}
                await wait_for(lambda: len(_snapshots(heard, "live")) >= 3, 30, "live frames")
                await wait_for(lambda: not camera.live, 15, "the live view to end")
                ended = len(_snapshots(heard, "live"))
                await asyncio.sleep(0.5)  # nothing more comes once it ended
                assert len(_snapshots(heard, "live")) <= ended + 1  # one may be in flight
    finally:
        remove()
        await camera.close()
        await clear_retained(any_broker, lock_id)
    assert len(_snapshots(heard, "doorbell")) == 1
    # Home Assistant's camera entity got the same masked pictures, as raw JPEG.
    assert any(t.endswith("/" + Channel.HA_CAMERA.value) for t, _ in heard)
    assert assert_no_face_leaves(heard, creds.lock_key) >= 8


# ----------------------------------------------------------------- the feed alone


class Sent:
    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []

    async def __call__(self, snapshot: Snapshot) -> bool:
        self.snapshots.append(snapshot)
        return True


def _frame() -> np.ndarray:
    return np.full((480, 640, 3), 120, np.uint8)


async def test_no_frame_no_link_or_a_failed_mask_sends_nothing_D_PRIV() -> None:
    looks: list[int] = []

    def capture() -> np.ndarray | None:
        looks.append(1)
        return None

    feed = CameraFeed(capture, lambda f: b"\xff\xd8\xff fake")
    feed.doorbell()  # not attached: the camera is not even read
    assert looks == []
    sent = Sent()
    feed.attach(sent)
    assert await feed.take("doorbell") is None  # nobody in front of the camera
    assert looks == [1] and sent.snapshots == []

    def refuses(frame: np.ndarray) -> bytes:
        raise RuntimeError("a face kept showing")

    for mask in (refuses, lambda f: b"raw pixels, not a JPEG", lambda f: b"\xff\xd8" * 9000):
        feed = CameraFeed(_frame, mask)
        feed.attach(sent)
        assert await feed.take("doorbell") is None
    assert sent.snapshots == []


async def test_live_view_is_capped_and_extended_not_doubled_A_LIVE() -> None:
    sent = Sent()
    feed = CameraFeed(_frame, masked_snapshot, live_every_s=0.05)
    feed.attach(sent)
    assert feed.start_live(600) == 60  # at most a minute per command
    task = feed._live_task
    assert feed.start_live(5) == 5 and feed._live_task is task  # one loop, extended
    await wait_for(lambda: len(sent.snapshots) >= 3, 20, "live frames")
    feed.stop_live()
    assert not feed.live
    seqs = [s.seq for s in sent.snapshots]
    assert seqs == sorted(set(seqs)) and {s.kind for s in sent.snapshots} == {"live"}
    await feed.close()


async def test_live_view_command_is_checked_A_LIVE(tmp_path: Path) -> None:
    durable = open_lock(tmp_path / "lock.db", serial="SL-TEST", verification_code="ABC123")
    runtime = LockRuntime(core=durable, hardware=VirtualLock().hardware)
    runtime.boot()

    def command(params: dict[str, Any]) -> Command:
        return Command(
            request_id=new_nonce()[:20],
            action=LinkAction.LIVE_VIEW,
            params=params,  # type: ignore[arg-type]
            issued_at=1.0,
            expires_at=30.0,
            nonce=new_nonce(),
        )

    without = RuntimeLockSide(runtime, durable, tmp_path / "a.json")
    result = await without.submit(command({"seconds": 5}))
    assert (result.ok, result.reason) == (False, "unknown_action")  # no masker: no pictures
    feed = CameraFeed(_frame, masked_snapshot)
    side = RuntimeLockSide(runtime, durable, tmp_path / "b.json", camera=feed)
    for bad in ({"seconds": "5"}, {"seconds": -1}, {"seconds": True}):
        result = await side.submit(command(bad))
        assert (result.ok, result.reason) == (False, "bad_input"), bad
    result = await side.submit(command({"seconds": 600}))
    assert result.ok and result.data == {"seconds": 60}
    await feed.close()
