"""Firmware releases in the cloud (A-OTA): only vendor-signed releases are published,
the newest newer one is offered, only the owner and admins may start an update.

The update itself over a real broker and lock: `test_link_integration.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from smartlock.cli import main
from smartlock.cloud import crud
from smartlock.cloud import firmware as cloud_fw
from smartlock.cloud.errors import CloudError
from smartlock.cloud.services import Services
from smartlock.link import firmware as fw

from .helpers import API, add_lock, user


@pytest.fixture
def vendor() -> Ed25519PrivateKey:
    return fw.new_private_key()


def signed(key: Ed25519PrivateKey, version: str, **kw: Any) -> dict[str, Any]:
    image = f"image {version}".encode()
    manifest = fw.manifest_for(image, version=version, url=f"/srv/fw/{version}.bin", **kw)
    return fw.sign_manifest(key, manifest).model_dump(mode="json")


def publish(services: Services, release: Any, vendor: Ed25519PrivateKey) -> None:
    with services.sessionmaker() as s:
        cloud_fw.publish_release(s, release, vendor_key=fw.public_key_text(vendor))


def count(services: Services) -> int:
    with services.sessionmaker() as s:
        return len(cloud_fw.releases(s))


def test_publish_refuses_unsigned_and_badly_signed_releases_A_OTA(
    services: Services, vendor: Ed25519PrivateKey
) -> None:
    good = signed(vendor, "0.2.0")
    cases: list[tuple[Any, str]] = [
        ({"manifest": good["manifest"]}, "malformed_release"),  # unsigned
        ({**good, "signature": "A" * 86}, "bad_signature"),
        ({**good, "manifest": {**good["manifest"], "version": "9.0.0"}}, "bad_signature"),
        (signed(fw.new_private_key(), "0.2.0"), "bad_signature"),  # another vendor's key
        ("not a release", "malformed_release"),
    ]
    for release, code in cases:
        with pytest.raises(CloudError) as err:
            publish(services, release, vendor)
        assert (err.value.status, err.value.code) == (422, code)
    with services.sessionmaker() as s, pytest.raises(CloudError) as err:
        cloud_fw.publish_release(s, good, vendor_key="")
    assert err.value.code == "vendor_key_missing"
    assert count(services) == 0
    publish(services, good, vendor)
    assert count(services) == 1
    with pytest.raises(CloudError) as err:
        publish(services, signed(vendor, "0.2.0"), vendor)
    assert (err.value.status, err.value.code) == (409, "release_exists")


def test_offer_is_the_newest_release_above_the_reported_version_A_OTA(
    client: TestClient, services: Services, vendor: Ed25519PrivateKey
) -> None:
    ann = user(client, "ann@example.org")
    device, _ = add_lock(services, "ann@example.org")
    url = f"{API}/devices/{device.id}/firmware"

    def report(version: str) -> dict[str, Any]:
        with services.sessionmaker() as s:
            crud.set_state(
                s, device_id=device.id, state={}, at=dt.datetime.now(dt.UTC), firmware=version
            )
        r = client.get(url, headers=ann)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    assert report("0.9.0") == {"current": "0.9.0", "available": None, "update": None}
    for version in ["0.2.0", "0.9.0", "0.10.0", "0.9.5"]:
        publish(services, signed(vendor, version, notes=f"notes {version}"), vendor)
    publish(services, signed(vendor, "9.0.0", model="other-lock"), vendor)  # not this model
    offer = report("0.9.0")["available"]
    assert offer["version"] == "0.10.0"  # numerically newest, not "0.9.5" as text sorts
    assert offer["notes"] == "notes 0.10.0"
    assert report("0.9.7")["available"]["version"] == "0.10.0"
    assert report("0.10.0")["available"] is None  # never the same version again
    assert report("1.0.0")["available"] is None  # nor an older one


def test_viewer_sees_the_offer_but_cannot_start_it_owner_and_admin_can_A_OTA_A_SHARE(
    client: TestClient, services: Services, vendor: Ed25519PrivateKey
) -> None:
    ann = user(client, "ann@example.org")
    vic = user(client, "vic@example.org")
    adam = user(client, "adam@example.org")
    meg = user(client, "meg@example.org")
    device, _ = add_lock(services, "ann@example.org")
    with services.sessionmaker() as s:
        crud.set_state(
            s, device_id=device.id, state={}, at=dt.datetime.now(dt.UTC), firmware="0.1.0"
        )
    for email, role in [("vic", "viewer"), ("adam", "admin"), ("meg", "member")]:
        r = client.post(
            f"{API}/devices/{device.id}/shares",
            json={"email": f"{email}@example.org", "role": role},
            headers=ann,
        )
        assert r.status_code == 201, r.text
    url = f"{API}/devices/{device.id}/firmware"
    start = url + "/update"
    # No release yet: nothing to start.
    r = client.post(start, json={"request_id": "fw-start-0"}, headers=ann)
    assert (r.status_code, r.json()["code"]) == (409, "no_update_available")
    publish(services, signed(vendor, "0.2.0"), vendor)

    seen = client.get(url, headers=vic)
    assert seen.status_code == 200
    assert seen.json()["available"]["version"] == "0.2.0"
    for who in (vic, meg):
        r = client.post(start, json={"request_id": "fw-start-1"}, headers=who)
        assert (r.status_code, r.json()["code"]) == (403, "insufficient_role")
    assert client.get(url, headers=ann).json()["update"] is None  # nothing was sent

    # The owner (and an admin) may: with no broker here the lock cannot get it.
    for n, who in enumerate((ann, adam)):
        r = client.post(start, json={"request_id": f"fw-start-{n + 2}"}, headers=who)
        assert r.status_code == 200, r.text
        update = r.json()["update"]
        assert update["version"] == "0.2.0" and update["from_version"] == "0.1.0"
        assert (update["status"], update["reason"]) == ("offline", "lock_offline")
    # The viewer sees how it went.
    assert client.get(url, headers=vic).json()["update"]["status"] == "offline"
    # An install that outlasted the command's wait (slow link) shows as installed once
    # the lock reports the new version.
    with services.sessionmaker() as s:
        crud.set_state(
            s, device_id=device.id, state={}, at=dt.datetime.now(dt.UTC), firmware="0.2.0"
        )
    seen = client.get(url, headers=vic).json()
    assert seen["current"] == "0.2.0" and seen["update"]["status"] == "installed"


def test_cli_keygen_sign_publish_list_A_OTA(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file, image, rel = tmp_path / "vendor.key", tmp_path / "fw.bin", tmp_path / "rel.json"
    image.write_bytes(b"firmware 0.3.0")
    assert main(["firmware", "keygen", "--out", str(key_file)]) == 0
    out = capsys.readouterr().out
    public = out.split("public key: ", 1)[1].strip()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert public not in key_file.read_text() and "PRIVATE KEY" in key_file.read_text()
    assert main(["firmware", "keygen", "--out", str(key_file)]) == 1  # never overwritten
    args = ["--key", str(key_file), "--image", str(image), "--version", "0.3.0"]
    assert main(["firmware", "sign", *args, "--notes", "Faster", "--out", str(rel)]) == 0
    manifest = json.loads(rel.read_text())["manifest"]
    assert manifest["size"] == 14 and manifest["url"] == str(image.resolve())
    assert fw.verify_release(public, json.loads(rel.read_text())).notes == "Faster"

    db = ["--data-dir", str(tmp_path / "cloud"), "--database-url", database_url]
    other = fw.public_key_text(fw.new_private_key())
    assert main(["firmware", "publish", str(rel), *db, "--vendor-key", other]) == 1
    assert "bad_signature" in capsys.readouterr().err
    assert main(["firmware", "publish", str(rel), *db, "--vendor-key", public]) == 0
    capsys.readouterr()
    assert main(["firmware", "list", *db]) == 0
    assert "\tsmartlock-v1\t0.3.0\t14\t" in capsys.readouterr().out


def test_a_public_key_never_reads_as_a_command_line_flag_A_OTA() -> None:
    """Raw base64url may start with "-" (argparse would take it for an option)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from smartlock.link import firmware as fw

    for _ in range(64):  # about one key in 32 starts with "-" in plain base64url
        text = fw.public_key_text(Ed25519PrivateKey.generate())
        assert text.startswith("ed25519:")
        assert fw.load_public_key(text) == fw.load_public_key(text.removeprefix("ed25519:"))


def test_cloud_publishes_releases_of_either_key_during_a_rotation_A_OTA(
    services: Services, vendor: Ed25519PrivateKey
) -> None:
    new = fw.new_private_key()
    trusted = f"{fw.public_key_text(vendor)} {fw.public_key_text(new)}"
    with services.sessionmaker() as s:
        cloud_fw.publish_release(s, signed(vendor, "0.2.0"), vendor_key=trusted)
        cloud_fw.publish_release(s, signed(new, "0.3.0"), vendor_key=trusted)
        with pytest.raises(CloudError) as refused:
            cloud_fw.publish_release(s, signed(fw.new_private_key(), "0.4.0"), vendor_key=trusted)
        assert refused.value.code == "bad_signature"
    assert count(services) == 2


def test_a_recalled_version_is_never_offered_and_its_locks_get_the_signed_downgrade_D_OTA_DOWNGRADE(
    client: TestClient, services: Services, vendor: Ed25519PrivateKey
) -> None:
    ann = user(client, "ann@example.org")
    device, _ = add_lock(services, "ann@example.org")
    url = f"{API}/devices/{device.id}/firmware"

    def offered(version: str) -> str | None:
        with services.sessionmaker() as s:
            crud.set_state(
                s, device_id=device.id, state={}, at=dt.datetime.now(dt.UTC), firmware=version
            )
        available = client.get(url, headers=ann).json()["available"]
        return None if available is None else str(available["version"])

    publish(services, signed(vendor, "0.2.0"), vendor)
    publish(services, signed(vendor, "0.3.0"), vendor)
    assert offered("0.2.0") == "0.3.0"
    # The vendor recalls 0.3.0: a re-signed 0.2.1 that may replace exactly 0.3.0.
    publish(services, signed(vendor, "0.2.1", downgrade_from=["0.3.0"]), vendor)
    assert offered("0.2.0") == "0.2.1"  # 0.3.0 is no longer offered to anyone
    assert offered("0.3.0") == "0.2.1"  # and a lock that runs it is offered the way back
    publish(services, signed(vendor, "0.4.0"), vendor)
    assert offered("0.3.0") == "0.4.0"  # a fixed release beats going back


def test_the_app_shows_what_the_lock_reports_about_its_update_A_OTA_STATUS(
    client: TestClient, services: Services
) -> None:
    """Bytes written while it writes, then installed or rolled back with the reason,
    also for an update the app did not start (Home Assistant's install button)."""
    ann = user(client, "ann@example.org")
    device, _ = add_lock(services, "ann@example.org")
    url = f"{API}/devices/{device.id}/firmware"

    def shown(**report: Any) -> dict[str, Any]:
        base = {"version": "0.2.0", "from_version": "0.1.0", "request_id": "ha-install-1"}
        with services.sessionmaker() as s:
            crud.set_state(
                s,
                device_id=device.id,
                state={"firmware_update": {**base, **report}},
                at=dt.datetime.now(dt.UTC),
                firmware="0.1.0",
            )
        update = client.get(url, headers=ann).json()["update"]
        assert isinstance(update, dict)
        return update

    writing = shown(stage="writing", written=4096, size=10000)
    assert (writing["status"], writing["written"], writing["size"]) == ("installing", 4096, 10000)
    assert shown(stage="trial", written=10000, size=10000)["stage"] == "trial"
    back = shown(stage="rolled_back", reason="self_test_failed")
    assert (back["status"], back["reason"], back["from_version"]) == (
        "rolled_back",
        "self_test_failed",
        "0.1.0",
    )
    refused = shown(stage="refused", reason="downgrade")
    assert (refused["status"], refused["reason"]) == ("refused", "downgrade")
