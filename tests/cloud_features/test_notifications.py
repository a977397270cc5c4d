"""Notifications (A-NOTIFY): from the lock's journal to the notification centre, the
live channel and apprise delivery to a local receiver."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cloud.helpers import lock_says, user
from smartlock.cloud.notify import deliver
from smartlock.cloud.notify.dispatch import live_key
from smartlock.cloud.services import Services
from smartlock.device.core.inputs import (
    FirmwareStage,
    FirmwareUpdate,
    MechanicalKey,
    RemoteAction,
    RemoteCommand,
    Tamper,
)

from .helpers import API, Paired, pair
from .loopback import MASTER_PIN
from .receiver import receiver

DURESS_PIN = "97531864"


def notes(p: Paired, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    r = p.client.get(f"{API}/notifications", headers=headers or p.owner)
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def share(p: Paired, email: str, role: str) -> dict[str, str]:
    headers = user(p.client, email)
    r = p.post("/shares", {"email": email, "role": role})
    assert r.status_code == 201, r.text
    return headers


def test_lock_events_notify_everyone_with_access_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    viewer = share(p, "vic@example.org", "viewer")
    p.sim.ring()
    p.sim.enter(MASTER_PIN)
    p.sim.feed(MechanicalKey())
    p.sim.feed(Tamper(True))
    p.link.sync()
    for headers in (p.owner, viewer):
        kinds = [n["kind"] for n in notes(p, headers)]
        assert {"doorbell", "unlock", "mechanical_key", "tamper"} <= set(kinds)
    unlock = next(n for n in notes(p) if n["data"].get("method") == "password")
    assert "001" in str(unlock["body"]) and "password" in str(unlock["body"])
    assert MASTER_PIN not in str(unlock)  # never a secret
    tamper = next(n for n in notes(p) if n["kind"] == "tamper")
    assert tamper["priority"] == "high"
    # A stranger sees none of it.
    stranger = user(client, "eve@example.org")
    assert notes(p, stranger) == []
    # A redelivered batch adds nothing twice.
    count = len(notes(p))
    p.link.sync()
    assert len(notes(p)) == count


def test_firmware_installed_or_refused_is_told_with_its_version_A_NOTIFY_A_OTA(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    p.sim.feed(FirmwareUpdate("fw-0001", FirmwareStage.STARTED, "9.0.0"))  # not worth a note
    p.sim.feed(FirmwareUpdate("fw-0001", FirmwareStage.INSTALLED, "9.0.0"))
    p.sim.feed(FirmwareUpdate("fw-0002", FirmwareStage.REFUSED, "9.1.0", "bad_signature"))
    p.sim.feed(FirmwareUpdate("fw-0004", FirmwareStage.TRIAL, "9.3.0"))  # nor this
    back = FirmwareUpdate(
        "fw-0004", FirmwareStage.ROLLED_BACK, "9.3.0", "self_test_failed", running="9.0.0"
    )
    p.sim.feed(back)  # D-OTA-ROLLBACK
    p.link.sync()
    rolled, refused, installed = [n for n in notes(p) if n["kind"] == "firmware"]
    assert rolled["title"] == "Firmware update rolled back"
    assert rolled["body"].endswith(
        "firmware 9.3.0 failed its trial (self_test_failed); it runs 9.0.0 again."
    )
    assert installed["title"] == "Firmware updated" and "9.0.0" in installed["body"]
    assert refused["title"] == "Firmware update refused"
    assert "9.1.0" in refused["body"] and "bad_signature" in refused["body"]
    # A switch like every other kind.
    r = p.client.patch(
        p.url("/notification-switches"), json={"kinds": {"firmware": False}}, headers=p.owner
    )
    assert r.status_code == 200
    p.sim.feed(FirmwareUpdate("fw-0003", FirmwareStage.INSTALLED, "9.2.0"))
    p.link.sync()
    assert len([n for n in notes(p) if n["kind"] == "firmware"]) == 3


def test_switches_per_account_and_per_lock_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    r = client.put(
        f"{API}/notifications/settings", json={"disabled_kinds": ["doorbell"]}, headers=p.owner
    )
    assert r.status_code == 200 and r.json()["disabled_kinds"] == ["doorbell"]
    r = client.patch(
        p.url("/notification-switches"), json={"kinds": {"unlock": False}}, headers=p.owner
    )
    assert r.status_code == 200 and r.json()["kinds"] == {"unlock": False}
    p.sim.ring()
    p.sim.enter(MASTER_PIN)
    p.sim.feed(MechanicalKey())
    p.link.sync()
    assert [n["kind"] for n in notes(p)] == ["mechanical_key"]
    bad = client.put(
        f"{API}/notifications/settings", json={"disabled_kinds": ["x"]}, headers=p.owner
    )
    assert bad.status_code == 422


def test_unread_count_and_mark_read_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    p.sim.ring()
    p.sim.ring()
    p.link.sync()
    count = client.get(f"{API}/notifications/unread-count", headers=p.owner).json()["unread"]
    assert count == 2
    first = notes(p)[0]
    r = client.post(f"{API}/notifications/{first['id']}/read", headers=p.owner)
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert client.get(f"{API}/notifications/unread-count", headers=p.owner).json()["unread"] == 1
    other = user(client, "eve@example.org")
    assert client.post(f"{API}/notifications/{first['id']}/read", headers=other).status_code == 404
    client.post(f"{API}/notifications/read-all", headers=p.owner)
    assert client.get(f"{API}/notifications?unread=true", headers=p.owner).json()["count"] == 0


def test_new_notification_is_pushed_live_to_the_account_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    account_id = client.get(f"{API}/account", headers=p.owner).json()["id"]
    queue = services.live.subscribe(live_key(account_id))
    p.sim.ring()
    p.link.sync()
    update = queue.get_nowait()
    assert update["type"] == "notification" and update["notification"]["kind"] == "doorbell"


def test_apprise_delivery_with_retries_and_hidden_url_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    with receiver() as rec:
        url = f"json://127.0.0.1:{rec.port}/secret-path?token=abc"
        r = client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
        assert r.status_code == 201, r.text
        listed = client.get(f"{API}/notifications/channels", headers=p.owner).json()
        assert "secret-path" not in str(listed) and "abc" not in str(listed)
        rec.fail_next = 1
        p.sim.ring()
        p.link.sync()
        assert rec.received == []  # nothing is sent on the ingest path
        asyncio.run(deliver.deliver_due(services))  # first try: HTTP 500
        assert rec.received == []
        time.sleep(1.1)  # back-off of the first retry
        asyncio.run(deliver.deliver_due(services))
        assert len(rec.received) == 1
        sent = rec.received[0]["json"]
        assert "doorbell" in sent["title"].lower() and rec.received[0]["path"] == "/secret-path"
        asyncio.run(deliver.deliver_due(services))
        assert len(rec.received) == 1  # delivered once
    bad = client.post(f"{API}/notifications/channels", json={"url": "nope://x"}, headers=p.owner)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_channel_url"


def test_duress_is_loud_in_the_app_even_when_muted_A_NOTIFY_D_DURESS(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    p.sim.feed(
        RemoteCommand(
            "duress-1",
            RemoteAction("set_password"),
            {"user_no": 1, "digits": DURESS_PIN, "duress": True},
        )
    )
    with receiver() as rec:
        url = f"json://127.0.0.1:{rec.port}/"
        client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
        client.put(f"{API}/notifications/settings", json={"muted": True}, headers=p.owner)
        p.sim.ring()
        effects = p.sim.enter(DURESS_PIN)
        p.link.sync()
        asyncio.run(deliver.deliver_due(services))
        titles = [r["json"]["title"] for r in rec.received]
    assert titles == ["Duress alarm"]  # the doorbell stayed quiet (muted), duress did not
    duress = next(n for n in notes(p) if n["kind"] == "duress")
    assert duress["priority"] == "high"
    # Silent at the lock: the same things seen and heard as a normal unlock (D-DURESS).
    from smartlock.device.core.effects import PERCEPTIBLE

    assert not any("duress" in repr(e).lower() for e in effects if isinstance(e, PERCEPTIBLE))


def test_lock_going_offline_notifies_once_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    from smartlock.cloud import ingest
    from smartlock.link.topics import Channel, topic

    name = topic(p.serial, Channel.AVAILABILITY)
    ingest.handle(services, name, b"offline")
    ingest.handle(services, name, b"offline")
    offline = [n for n in notes(p) if n["kind"] == "device_offline"]
    assert len(offline) == 1
    assert lock_says is not None


def test_channel_test_message_arrives_once_and_only_for_its_owner_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    with receiver() as rec:
        url = f"json://127.0.0.1:{rec.port}/hook"
        r = client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
        cid = r.json()["id"]
        r = client.post(f"{API}/notifications/channels/{cid}/test", headers=p.owner)
        assert r.status_code == 200 and r.json() == {"delivered": True}
        assert len(rec.received) == 1
        assert rec.received[0]["json"]["title"] == deliver.TEST_TITLE
        rec.fail_next = 1
        r = client.post(f"{API}/notifications/channels/{cid}/test", headers=p.owner)
        assert r.json() == {"delivered": False} and len(rec.received) == 1
        stranger = user(client, "eve@example.org")
        r = client.post(f"{API}/notifications/channels/{cid}/test", headers=stranger)
        assert r.status_code == 404 and r.json()["code"] == "channel_not_found"
        assert len(rec.received) == 1
        client.delete(f"{API}/notifications/channels/{cid}", headers=p.owner)
        r = client.post(f"{API}/notifications/channels/{cid}/test", headers=p.owner)
        assert r.status_code == 404


def test_channel_tests_are_rate_limited_per_account_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    """The test button must not turn the cloud into an on-demand URL fetcher."""
    from smartlock.cloud.api.routes.notifications import TEST_SENDS_PER_MINUTE

    p = pair(client, services, tmp_path)
    with receiver() as rec:
        url = f"json://127.0.0.1:{rec.port}/hook"
        cid = client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
        cid = cid.json()["id"]
        for _ in range(TEST_SENDS_PER_MINUTE):
            r = client.post(f"{API}/notifications/channels/{cid}/test", headers=p.owner)
            assert r.status_code == 200
        r = client.post(f"{API}/notifications/channels/{cid}/test", headers=p.owner)
        assert r.status_code == 429
        assert len(rec.received) == TEST_SENDS_PER_MINUTE


def test_doorbell_push_carries_the_face_masked_picture_where_supported_A_NOTIFY_A_LIVE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    """json:// takes attachments: the ring's picture (masked on the lock) goes along."""
    import base64
    import io

    from PIL import Image

    from smartlock.cloud import snapshots
    from smartlock.cloud.models import Device
    from smartlock.link.schemas import Snapshot

    p = pair(client, services, tmp_path)
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 20, 30)).save(out, "JPEG")
    jpeg = out.getvalue()
    with receiver() as rec:
        url = f"json://127.0.0.1:{rec.port}/bell"
        client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
        p.sim.ring()
        p.link.sync()
        with services.sessionmaker() as session:
            device = session.get_one(Device, p.device_id)
            message = Snapshot(
                kind="doorbell",
                seq=1,
                taken_at=time.time(),
                jpeg_b64=base64.b64encode(jpeg).decode(),
            )
            assert snapshots.store(session, device=device, message=message) is not None
        asyncio.run(deliver.deliver_due(services))
        assert len(rec.received) == 1
        attached = rec.received[0]["json"].get("attachments") or []
    assert [base64.b64decode(a["base64"]) for a in attached] == [jpeg]
