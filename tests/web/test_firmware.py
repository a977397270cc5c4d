"""The device page shows the firmware version and a signed update when one exists,
which the owner can start and a viewer cannot (A-OTA)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from smartlock.cloud import firmware as cloud_fw
from smartlock.link import firmware as fw
from smartlock.link.schemas import FirmwareProgress, StateReport
from smartlock.vocab import BoltState, DoorState

from .conftest import api_pair, api_sign_in
from .world import WebWorld

pytestmark = pytest.mark.e2e


def report(
    world: WebWorld, serial: str, version: str, update: FirmwareProgress | None = None
) -> None:
    state = StateReport(
        door=DoorState.LOCKED,
        bolt=BoltState.THROWN,
        battery=80,
        firmware=version,
        firmware_update=update,
        sent_at=time.time(),
    )
    world.lock_says(serial, state)


def test_device_page_offers_a_signed_update_to_the_owner_only_A_OTA(
    page: Any, world: WebWorld
) -> None:
    vendor = fw.new_private_key()
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    report(world, serial, "0.1.0")
    manifest = fw.manifest_for(b"image", version="0.2.0", url="/srv/0.2.0.bin", notes="Faster")
    with world.services.sessionmaker() as s:
        release = fw.sign_manifest(vendor, manifest).model_dump(mode="json")
        cloud_fw.publish_release(s, release, vendor_key=fw.public_key_text(vendor))

    page.goto(f"/app/devices/{device_id}")
    expect(page.get_by_test_id("firmware-current")).to_have_text("0.1.0")
    expect(page.get_by_test_id("firmware-available")).to_have_text("Update available: 0.2.0")
    expect(page.locator("#firmware-notes")).to_have_text("What is new: Faster")
    button = page.get_by_test_id("firmware-update")
    expect(button).to_be_visible()
    button.click()  # a confirmation first (issue 16), naming both versions
    expect(page.get_by_test_id("firmware-dialog")).to_contain_text(
        "The lock goes from 0.1.0 to 0.2.0."
    )
    page.click("#firmware-cancel")
    expect(page.get_by_test_id("firmware-dialog")).to_be_hidden()
    assert world.link.commands == []
    button.click()
    with page.expect_response(lambda r: r.url.endswith("/firmware/update")) as answer:
        page.get_by_test_id("firmware-confirm").click()
    assert answer.value.ok
    # The (test) lock accepted the command; it has not reported the new version yet.
    state = page.get_by_test_id("firmware-state")
    expect(state).to_have_text("Installing 0.2.0…")
    expect(page.get_by_test_id("firmware-progress")).to_be_visible()  # while it installs
    expect(button).to_be_hidden()
    assert [c.action for c in world.link.commands] == ["firmware_update"]
    assert world.link.commands[0].params["release"] == release  # exactly as signed
    report(world, serial, "0.2.0")  # the lock's next state report
    expect(state).to_have_text("Updated to 0.2.0.")
    expect(page.get_by_test_id("firmware-progress")).to_be_hidden()
    expect(page.get_by_test_id("firmware-current")).to_have_text("0.2.0")
    expect(page.get_by_test_id("firmware-available")).to_have_text("Up to date.")
    expect(button).to_be_hidden()

    # A viewer sees the version and an offer, never the button.
    manifest = fw.manifest_for(b"image 3", version="0.3.0", url="/srv/0.3.0.bin")
    with world.services.sessionmaker() as s:
        release = fw.sign_manifest(vendor, manifest).model_dump(mode="json")
        cloud_fw.publish_release(s, release, vendor_key=fw.public_key_text(vendor))
    api_sign_in(page, "vic@example.org")  # the account exists before it is invited
    csrf = api_sign_in(page, "ann@example.org")
    r = page.request.post(
        f"/api/v1/devices/{device_id}/shares",
        data={"email": "vic@example.org", "role": "viewer"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status == 201, r.text()
    api_sign_in(page, "vic@example.org")
    page.goto(f"/app/devices/{device_id}")
    expect(page.get_by_test_id("firmware-available")).to_have_text("Update available: 0.3.0")
    expect(page.get_by_test_id("firmware-state")).to_have_text("Updated to 0.2.0.")
    expect(page.get_by_test_id("firmware-update")).to_be_hidden()


def test_device_page_shows_bytes_written_then_a_rollback_and_why_A_OTA_STATUS(
    page: Any, world: WebWorld
) -> None:
    """An update started from Home Assistant: the app still shows how far the lock got,
    then that the new firmware failed its trial and the lock runs the old one again."""
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    step = {"version": "0.2.0", "from_version": "0.1.0", "request_id": "ha-install-1"}
    report(world, serial, "0.1.0", FirmwareProgress(stage="writing", written=40, size=100, **step))
    page.goto(f"/app/devices/{device_id}")
    state = page.get_by_test_id("firmware-state")
    expect(state).to_have_text("Writing 0.2.0: 40 %")
    expect(page.get_by_test_id("firmware-progress")).to_have_attribute("value", "40")
    report(world, serial, "0.1.0", FirmwareProgress(stage="trial", written=100, size=100, **step))
    expect(state).to_contain_text("0.2.0 started on trial")
    back = FirmwareProgress(stage="rolled_back", reason="self_test_failed", **step)
    report(world, serial, "0.1.0", back)
    expect(state).to_have_text(
        "Update to 0.2.0 rolled back, the lock runs 0.1.0 again: "
        "the new firmware failed its self-test"
    )
    expect(state).to_have_attribute("data-status", "rolled_back")
    expect(page.get_by_test_id("firmware-progress")).to_be_hidden()
