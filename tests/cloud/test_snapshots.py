"""Doorbell pictures and the live view in the cloud (A-LIVE): stored per lock (the last
20), served only to the owner, admins and members, never a full-size frame (D-PRIV).

The pictures themselves are made face-free on the lock: tests/face/test_snapshot.py;
end to end over a broker: tests/link/test_live_view.py.
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from smartlock.cloud import snapshots as cloud_snapshots
from smartlock.cloud.lockops import lock_key
from smartlock.cloud.services import Services
from smartlock.cloud.wire import lock_id_of
from smartlock.link.codec import parse
from smartlock.link.errors import LinkError
from smartlock.link.schemas import Command, CommandResult, Snapshot
from smartlock.link.signing import verify_message

from .helpers import API, add_lock, lock_says, user


def jpeg(width: int = 320, height: int = 240, shade: int = 90) -> bytes:
    picture = np.full((height, width, 3), shade, np.uint8)
    cv2.rectangle(picture, (width // 3, height // 3), (width // 2, height - 10), (30, 60, 200), -1)
    ok, buf = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 40])
    assert ok
    return bytes(buf.tobytes())


def snap(seq: int, kind: str = "doorbell", data: bytes | None = None, at: float = 0) -> Snapshot:
    body = base64.b64encode(data or jpeg(shade=seq % 200)).decode()
    return Snapshot(kind=kind, seq=seq, taken_at=at or time.time(), jpeg_b64=body)  # type: ignore[arg-type]


def shared(client: TestClient, device_id: str, owner: dict[str, str]) -> dict[str, Any]:
    people = {}
    for name, role in [("vic", "viewer"), ("meg", "member"), ("adam", "admin")]:
        people[role] = user(client, f"{name}@example.org")
        r = client.post(
            f"{API}/devices/{device_id}/shares",
            json={"email": f"{name}@example.org", "role": role},
            headers=owner,
        )
        assert r.status_code == 201, r.text
    return people


def test_doorbell_pictures_are_kept_listed_and_served_to_members_up_A_LIVE(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    people = shared(client, device.id, ann)
    stranger = user(client, "eve@example.org")
    base = f"{API}/devices/{device.id}"
    assert client.get(f"{base}/snapshots", headers=ann).json() == {"data": [], "count": 0}

    first = jpeg(shade=40)
    outcome = lock_says(services, key, device.serial, snap(1, data=first))
    [(device_id, update)] = outcome.live
    assert device_id == device.id and update["type"] == "snapshot"
    assert set(update["snapshot"]) == {"id", "kind", "taken_at", "received_at"}  # no picture
    lock_says(services, key, device.serial, snap(1, data=first, at=999.0))
    for who in (ann, people["admin"], people["member"]):
        listed = client.get(f"{base}/snapshots", headers=who)
        assert listed.status_code == 200 and listed.json()["count"] == 2
    sid = client.get(f"{base}/snapshots", headers=ann).json()["data"][1]["id"]
    picture = client.get(f"{base}/snapshots/{sid}.jpg", headers=people["member"])
    assert picture.status_code == 200 and picture.content == first
    assert picture.headers["content-type"] == "image/jpeg"
    assert "no-store" in picture.headers["cache-control"]

    # Viewers see the doorbell event in the records, never the picture; strangers
    # learn nothing (404, as for every other route of a lock that is not theirs).
    for path in ("/snapshots", f"/snapshots/{sid}.jpg", "/live-view.jpg"):
        r = client.get(base + path, headers=people["viewer"])
        assert (r.status_code, r.json()["code"]) == (403, "insufficient_role"), path
        r = client.get(base + path, headers=stranger)
        assert (r.status_code, r.json()["code"]) == (404, "device_not_found"), path
    r = client.post(f"{base}/live-view", json={"request_id": "live-0001"}, headers=stranger)
    assert r.status_code == 404
    r = client.post(f"{base}/live-view", json={"request_id": "live-0002"}, headers=people["viewer"])
    assert r.status_code == 403
    # Another lock's picture id is not found under this lock.
    other, other_key = add_lock(services, "eve@example.org", serial="SLTEST0002")
    lock_says(services, other_key, other.serial, snap(1))
    their = client.get(f"{API}/devices/{other.id}/snapshots", headers=stranger).json()
    r = client.get(f"{base}/snapshots/{their['data'][0]['id']}.jpg", headers=ann)
    assert (r.status_code, r.json()["code"]) == (404, "snapshot_not_found")


def test_a_redelivered_picture_is_kept_once_and_only_the_last_20_stay_A_LIVE(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    again = snap(1)
    lock_says(services, key, device.serial, again)
    assert lock_says(services, key, device.serial, again).live == []  # QoS 1 redelivery
    for seq in range(2, 26):
        lock_says(services, key, device.serial, snap(seq))
    listed = client.get(f"{API}/devices/{device.id}/snapshots", headers=ann).json()
    assert listed["count"] == cloud_snapshots.KEEP_DOORBELL == 20
    with services.sessionmaker() as s:
        rows = cloud_snapshots.doorbell_snapshots(s, device.id)
        assert [r.seq for r in rows] == list(range(25, 5, -1))  # newest first
    # Live frames: only the newest is kept, and it is what live-view.jpg serves.
    for seq in range(1, 4):
        lock_says(services, key, device.serial, snap(seq, "live", jpeg(shade=10 * seq)))
    frame = client.get(f"{API}/devices/{device.id}/live-view.jpg", headers=ann)
    assert frame.status_code == 200 and frame.content == jpeg(shade=30)
    assert frame.headers["x-taken-at"]
    with services.sessionmaker() as s:
        assert cloud_snapshots.latest_live(s, device.id) is not None
        live = [r for r in cloud_snapshots.doorbell_snapshots(s, device.id) if r.kind == "live"]
        assert live == []


def test_the_cloud_refuses_a_full_size_frame_or_a_non_jpeg_D_PRIV(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    big = jpeg(640, 480)
    assert len(big) < 11 * 1024  # small enough for the link, too large a picture
    png = cv2.imencode(".png", np.zeros((240, 320, 3), np.uint8))[1].tobytes()
    for bad in (big, b"\xff\xd8\xff" + png):
        with pytest.raises(LinkError, match="snapshot"):  # the worker logs and drops it
            lock_says(services, key, device.serial, snap(1, data=bad))
    assert client.get(f"{API}/devices/{device.id}/snapshots", headers=ann).json()["count"] == 0


class AnsweringLink:
    """The cloud's link with a lock that answers every command ok (in another thread)."""

    connected = True

    def __init__(self, services: Services) -> None:
        self.services = services
        self.commands: list[Command] = []

    async def publish(self, topic: str, payload: bytes, **_: Any) -> None:
        if not topic.endswith("/cmd"):
            return
        serial = lock_id_of(topic)
        from smartlock.cloud import crud

        with self.services.sessionmaker() as s:
            device = crud.get_device_by_serial(s, serial=serial)
            assert device is not None
            key = lock_key(self.services, device)
        command = verify_message(key, parse(topic, payload))
        assert isinstance(command, Command)
        self.commands.append(command)
        result = CommandResult(request_id=command.request_id, ok=True)
        threading.Timer(0.05, lock_says, (self.services, key, serial, result)).start()


def test_live_view_sends_a_signed_capped_command_to_the_lock_A_LIVE(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, _ = add_lock(services, "ann@example.org")
    people = shared(client, device.id, ann)
    url = f"{API}/devices/{device.id}/live-view"
    # No broker here: the lock cannot be reached, and the app is told so.
    r = client.post(url, json={"request_id": "live-0001"}, headers=ann)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reason"], r.json()["until"]) == (
        "offline",
        "lock_offline",
        None,
    )
    r = client.post(url, json={"request_id": "live-0002", "seconds": 61}, headers=ann)
    assert r.status_code == 422  # at most 60 s per command
    link = AnsweringLink(services)
    services.link = link
    r = client.post(url, json={"request_id": "live-0003", "seconds": 20}, headers=people["member"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done" and r.json()["seconds"] == 20 and r.json()["until"]
    [command] = link.commands
    assert (command.action, command.params) == ("live_view", {"seconds": 20})


def test_deleting_the_lock_deletes_its_pictures_A_LIVE_D_PRIV(
    client: TestClient, services: Services
) -> None:
    from sqlalchemy import func, select

    from smartlock.cloud.models_snapshots import Snapshot as Row

    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    lock_says(services, key, device.serial, snap(1))
    lock_says(services, key, device.serial, snap(2, kind="live"))

    def pictures() -> int:
        with services.sessionmaker() as session:
            return int(session.scalar(select(func.count()).select_from(Row)) or 0)

    assert pictures() == 2
    assert client.delete(f"{API}/devices/{device.id}", headers=ann).status_code == 200
    assert pictures() == 0
