"""The cloud's part in Home Assistant (A-HA, A-OTA): the app's name reaches the lock
(Home Assistant's device name) and each lock is told the signed release it is offered.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from smartlock.cloud import firmware as cloud_firmware
from smartlock.cloud.firmware_offers import OfferPublisher
from smartlock.cloud.services import Services
from smartlock.link import firmware as fw
from smartlock.link.codec import parse
from smartlock.link.schemas import FirmwareOffer, ShadowDesired
from smartlock.link.signing import verify_message

from .helpers import API, add_lock, user


class RecordingLink:
    connected = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bool]] = []

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        self.sent.append((topic, payload, retain))


def test_renaming_a_lock_renames_it_for_home_assistant_A_HA(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    link = RecordingLink()
    services.link = link
    r = client.patch(f"{API}/devices/{device.id}", json={"name": "Back door"}, headers=ann)
    assert r.status_code == 200, r.text
    [(where, payload, retain)] = [m for m in link.sent if m[0].endswith("/shadow/desired")]
    desired = verify_message(key, parse(where, payload))
    assert isinstance(desired, ShadowDesired) and retain
    assert desired.settings["device_name"] == "Back door"
    # The app's owner switch travels the same way (A-SETTINGS).
    settings = client.get(f"{API}/devices/{device.id}/settings", headers=ann).json()
    r = client.patch(
        f"{API}/devices/{device.id}/settings",
        json={"version": settings["version"], "changes": {"ha_control": True}},
        headers=ann,
    )
    assert r.status_code == 200, r.text
    assert r.json()["desired"]["ha_control"] is True


async def test_each_lock_is_told_its_signed_offer_once_A_OTA(
    client: TestClient, services: Services
) -> None:
    user(client, "ann@example.org")
    _device, key = add_lock(services, "ann@example.org")
    link = RecordingLink()
    services.link = link
    publisher = OfferPublisher(services)
    assert await publisher.publish_changed() == 1  # nothing offered: says so

    def offers() -> list[Any]:
        out = []
        for where, payload, retain in link.sent:
            message = verify_message(key, parse(where, payload))
            assert isinstance(message, FirmwareOffer) and retain
            out.append(message.release)
        return out

    assert offers() == [None]
    vendor = fw.new_private_key()
    manifest = fw.manifest_for(b"img", version="9.0.0", url="/srv/fw.bin", notes="n")
    release = fw.sign_manifest(vendor, manifest).model_dump(mode="json")
    with services.sessionmaker() as s:
        cloud_firmware.publish_release(s, release, vendor_key=fw.public_key_text(vendor))
    assert await publisher.publish_changed() == 1
    assert await publisher.publish_changed() == 0  # unchanged: not sent again
    assert offers()[-1] == release  # exactly as the vendor signed it
