"""The device sections a person uses after pairing: users (A-USERS), records
(A-RECORDS), sharing (A-SHARE), settings (A-SETTINGS), visitor passwords (A-TEMP),
scenes (A-SCENE) and the notification centre (A-NOTIFY).

Rules proved here (named in the tests' names): A-STATUS, D-FACE-SENS.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from smartlock.link.schemas import ShadowReported
from smartlock.vocab import DoorState, EventKind, Source

from .conftest import api_sign_in
from .world import WebWorld, unlock

pytestmark = pytest.mark.e2e


def test_users_show_credentials_never_secrets_and_can_be_renamed_A_USERS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}/users")
    master = page.get_by_test_id("user-001")
    expect(master.locator("h3")).to_have_text("User 001 · Master")
    expect(master.locator("[data-cred] > span")).to_have_text(["Password"])
    expect(page.get_by_test_id("user-002").locator("[data-cred] > span")).to_have_text(
        ["Face", "Password (duress)"]
    )
    page.fill("#user-001-name", "Ann")
    page.click("#user-001-rename")
    expect(master.locator("h3")).to_have_text("Ann — User 001 · Master")
    # A remote password goes to the lock; without a broker it cannot arrive, and says so.
    page.fill("#user-002-pw", "12345")
    page.fill("#user-002-pw2", "12345")
    page.click("#user-002-send")
    # The password form's own error (the card also has the fingerprint form's).
    expect(page.get_by_test_id("user-002-pw-error")).to_have_text("New password (6–10 digits)")
    expect(page.get_by_test_id("user-002-fp-error")).to_have_text("")
    page.fill("#user-002-pw", "24681357")
    page.fill("#user-002-pw2", "24681357")
    page.click("#user-002-send")
    expect(page.get_by_test_id("users-message")).to_have_text("Done.")
    sent = world.link.commands[-1]
    assert sent.action == "set_password" and sent.params["user_no"] == 2
    assert "24681357" not in sent.model_dump_json()  # sealed for the lock only
    world.link.refuse["delete_credential"] = "last_master_password"
    page.click("#cred-001-1-delete")
    page.click("#confirm-yes")
    expect(page.get_by_test_id("users-message")).to_contain_text("Refused by the lock")
    world.link.refuse.clear()
    page.click("#cred-002-2-delete")
    page.click("#confirm-no")
    page.click("#cred-002-2-delete")
    page.click("#confirm-yes")
    expect(page.get_by_test_id("users-message")).to_have_text("Done.")
    assert sum(c.action == "delete_credential" for c in world.link.commands) == 2


def test_records_filter_by_method_user_and_page_A_RECORDS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    world.events(serial, *[unlock(1) for _ in range(25)])
    world.events(serial, {"kind": EventKind.DOORBELL, "source": Source.SYSTEM})
    page.goto(f"/app/devices/{device_id}/records")
    expect(page.get_by_test_id("records-count")).to_have_text("34 records")
    rows = page.locator("#records-body tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Doorbell")
    page.click("#records-more")
    expect(rows).to_have_count(34)
    expect(page.locator("#records-more")).to_be_hidden()

    # On a phone the filters fold under one line, so the records come first (issue 16).
    expect(page.locator("#filter-method")).to_be_hidden()
    first = page.locator("#records-body tr").first.bounding_box()
    assert first is not None and first["y"] < 844
    page.click("#filters-box summary")
    page.select_option("#filter-method", "face")
    page.click("#filter-apply")
    expect(page.get_by_test_id("records-count")).to_have_text("1 records")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("002")
    page.select_option("#filter-method", "")
    page.select_option("#filter-kind", "user_added")
    page.click("#filter-apply")
    expect(rows).to_have_count(2)
    page.select_option("#filter-user", "001")
    page.click("#filter-apply")
    expect(rows).to_have_count(1)
    page.select_option("#filter-kind", "")
    page.fill("#filter-since", "2000-01-01T00:00")
    page.fill("#filter-until", "2000-01-02T00:00")
    page.click("#filter-apply")
    expect(page.get_by_test_id("records-count")).to_have_text("No records match.")


def test_share_by_email_with_a_role_then_revoke_A_SHARE(
    page: Any, browser: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    other = browser.new_context(base_url=world.base)
    try:
        api_sign_in(other.new_page(), "bob@example.org")
    finally:
        other.close()
    page.goto(f"/app/devices/{device_id}/shares")
    page.fill("#share-email", "nobody@example.org")
    page.click("#share-submit")
    expect(page.locator("#share-error")).to_contain_text(  # and offers a link (issue 16)
        "There is no account with this email yet."
    )
    page.fill("#share-email", "bob@example.org")
    page.select_option("#share-role", "viewer")
    page.click("#share-submit")
    shares = page.get_by_test_id("share-list").locator("li")
    expect(shares).to_have_text(["bob@example.org — ViewerRevoke"])
    page.get_by_role("button", name="Revoke: bob@example.org").click()
    page.click("#confirm-yes")
    expect(shares).to_have_count(0)
    expect(page.locator("#shares-empty")).to_be_visible()


def test_settings_pending_while_offline_then_applied_live_A_SETTINGS_D_FACE_SENS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    world.offline(serial)
    page.goto(f"/app/devices/{device_id}/settings")
    expect(page.get_by_test_id("settings-offline")).to_be_visible()
    expect(page.locator("#setting-sensitivity-figures")).to_contain_text("FAR 2.2e-4")
    expect(page.locator("#setting-sensitivity-figures")).to_contain_text("FRR 3.1 %")
    expect(page.get_by_test_id("info-serial")).to_have_text(serial)
    page.get_by_label("Remote unlock").check()
    expect(page.get_by_test_id("settings-message")).to_have_text("Saved")
    expect(page.locator("#setting-remote_unlock-pending")).to_be_visible()
    page.select_option("#setting-sensitivity", "high")
    expect(page.locator("#setting-sensitivity-pending")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Remote unlock")).to_be_checked()
    expect(page.locator("#setting-sensitivity")).to_have_value("high")

    # The lock comes back and reports what it applied: pending ends without a reload.
    world.lock_says(
        serial, ShadowReported(version=2, settings={"remote_unlock": True, "sensitivity": "high"})
    )
    expect(page.locator("#setting-remote_unlock-pending")).to_be_hidden()
    expect(page.locator("#setting-sensitivity-pending")).to_be_hidden()


def test_delete_device_asks_first_A_SETTINGS(page: Any, lock: tuple[str, str]) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}/settings")
    page.get_by_test_id("delete-device").click()
    page.click("#confirm-no")
    expect(page).to_have_url(re.compile(r"/settings$"))
    page.get_by_test_id("delete-device").click()
    page.click("#confirm-yes")
    expect(page.get_by_test_id("devices-empty")).to_be_visible()


def test_visitor_password_code_is_shown_once_A_TEMP(page: Any, lock: tuple[str, str]) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}/temp")
    page.fill("#temp-name", "Cleaner")
    page.select_option("#temp-uses", "n")
    page.fill("#temp-count", "3")
    page.click("#temp-submit")
    once = page.get_by_test_id("temp-code-once")
    expect(once).to_be_visible()
    code = page.locator("#temp-once-code").inner_text()
    assert re.fullmatch(r"[0-9]{6,10}", code), code
    expect(page.get_by_test_id("temp-list").locator("li")).to_contain_text(["Cleaner"])
    expect(page.get_by_test_id("temp-list")).to_contain_text("used 0 of 3")
    page.reload()
    expect(page.get_by_test_id("temp-list").locator("li")).to_contain_text(["Cleaner"])
    assert code not in page.content()

    page.fill("#offline-name", "Plumber")
    page.select_option("#offline-kind", "period")
    page.fill("#offline-hours", "6")
    page.click("#offline-submit")
    expect(page.get_by_test_id("offline-code-once")).to_be_visible()
    expect(page.get_by_test_id("offline-list")).to_contain_text("Plumber")


def test_manual_scene_runs_and_its_notification_arrives_live_A_SCENE_A_NOTIFY(
    page: Any, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}/scenes")
    page.fill("#scene-name", "Leaving home")
    page.select_option("#action-1-type", "notify")
    page.fill("#action-1-title", "Bye from the scene")
    page.click("#scene-submit")
    scene = page.get_by_test_id("scene-list").locator("li")
    expect(scene).to_contain_text(["Leaving home"])
    badge = page.get_by_test_id("unread-badge")
    before = int(badge.inner_text() or 0)
    page.get_by_role("button", name="Run: Leaving home").click()
    expect(page.get_by_test_id("scenes-message")).to_contain_text("Scene run:")
    expect(badge).to_have_text(str(before + 1))
    page.click("#nav-notifications")
    expect(page.get_by_test_id("notes-list")).to_contain_text("Bye from the scene")
    page.get_by_test_id("note-device").first.click()  # each notification leads to its lock
    expect(page).to_have_url(re.compile(f"/app/devices/{device_id}$"))


def test_a_viewer_sees_status_but_not_the_managing_sections_A_SHARE_A_STATUS(
    page: Any, browser: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    bob = browser.new_context(base_url=world.base, viewport={"width": 390, "height": 844})
    try:
        bob_page = bob.new_page()
        api_sign_in(bob_page, "bob@example.org")
        page.goto(f"/app/devices/{device_id}/shares")
        page.fill("#share-email", "bob@example.org")
        page.select_option("#share-role", "viewer")
        page.click("#share-submit")
        expect(page.get_by_test_id("share-list").locator("li")).to_have_count(1)

        bob_page.goto("/app/")
        bob_page.get_by_test_id("device-link").click()
        expect(bob_page.get_by_test_id("status-door")).to_have_text("Closed and locked")
        expect(bob_page.locator("#tab-records")).to_be_visible()
        for hidden in ("users", "temp", "shares", "settings", "scenes"):
            expect(bob_page.locator(f"#tab-{hidden}")).to_be_hidden()
        expect(bob_page.get_by_test_id("remote-unlock")).to_be_hidden()
        world.state(serial, DoorState.OPEN)
        expect(bob_page.get_by_test_id("status-door")).to_have_text("Open")

        # Revoked: the open page is told at once and stops following the lock.
        page.get_by_role("button", name="Revoke: bob@example.org").click()
        page.click("#confirm-yes")
        expect(bob_page.locator("#status-revoked")).to_be_visible()
    finally:
        bob.close()
