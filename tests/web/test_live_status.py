"""The device page follows the lock live over server-sent events, without a reload
(A-STATUS), and remote unlock re-asks the password (A-REMOTE)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from smartlock.link.schemas import ShadowReported
from smartlock.vocab import BoltState, DoorState, Method

from .conftest import api_pair, api_sign_in
from .world import PASSWORD, WebWorld, unlock

pytestmark = pytest.mark.e2e


def test_device_page_updates_live_when_the_lock_changes_A_STATUS(
    page: Any, world: WebWorld
) -> None:
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED, battery=77)
    page.goto(f"/app/devices/{device_id}")
    door = page.get_by_test_id("status-door")
    expect(door).to_have_text("Closed and locked")
    expect(page.get_by_test_id("status-battery")).to_have_text("77 %")
    expect(page.get_by_test_id("status-online")).to_have_text("Online")
    expect(page.get_by_test_id("live-indicator")).to_have_text("Live")
    page.evaluate("window.__sameDocument = true")

    world.events(serial, unlock(3, Method.FACE))
    world.state(serial, DoorState.OPEN, battery=76)
    expect(door).to_have_text("Open")
    expect(page.get_by_test_id("recent-events").locator("li").first).to_contain_text("Unlocked")
    expect(page.get_by_test_id("status-last-event")).to_contain_text("Face")

    world.state(serial, DoorState.AJAR, battery=76)
    expect(door).to_have_text("Not closed properly")
    world.state(
        serial,
        DoorState.VIRTUALLY_LOCKED,
        bolt=BoltState.RETRACTED,
        modes={"anti_lock": True, "virtual_lock_detection": True},
    )
    expect(door).to_have_text("Virtually locked (bolt not thrown)")
    expect(page.locator('#status-modes li[data-mode="anti_lock"]')).to_have_attribute(
        "data-on", "true"
    )
    world.state(serial, DoorState.UNLOCKED, battery=15)
    expect(door).to_have_text("Unlocked")
    expect(page.get_by_test_id("status-battery")).to_have_text("15 %")

    world.offline(serial)
    expect(page.get_by_test_id("status-online")).to_have_text("Offline")
    assert page.evaluate("window.__sameDocument") is True  # never reloaded


def test_remote_unlock_reasks_the_password_A_REMOTE(page: Any, world: WebWorld) -> None:
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED)
    world.lock_says(serial, ShadowReported(version=0, settings={"remote_unlock": True}))
    page.goto(f"/app/devices/{device_id}")
    page.get_by_test_id("remote-unlock").click()
    dialog = page.get_by_test_id("unlock-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#unlock-password")).to_be_focused()
    page.fill("#unlock-password", "wrong password!")
    page.click("#unlock-confirm")
    expect(page.locator("#unlock-error")).to_have_text("Wrong password.")
    page.fill("#unlock-password", PASSWORD)
    page.click("#unlock-confirm")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("remote-result")).to_have_text("Unlocked.")


def test_remote_unlock_switched_off_says_so_before_the_password_A_REMOTE(
    page: Any, world: WebWorld
) -> None:
    """Issue 16: off by default, the button is not a big blue promise; tapping it says
    why it cannot work and links to the setting, without asking for the password."""
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED)
    page.goto(f"/app/devices/{device_id}")
    button = page.get_by_test_id("remote-unlock")
    expect(button).to_have_attribute("data-available", "false")
    expect(button).not_to_have_class("primary big")
    expect(page.get_by_test_id("remote-off")).to_contain_text(
        "Remote unlock is switched off for this lock."
    )
    button.click()
    expect(page.get_by_test_id("unlock-dialog")).to_be_hidden()
    expect(page.get_by_test_id("remote-off")).to_be_focused()
    page.get_by_role("link", name="Turn it on in Settings").click()
    expect(page).to_have_url(re.compile(r"/settings#setting-remote_unlock$"))
    assert world.link.commands == []


def test_cancel_keeps_the_door_locked_A_REMOTE(page: Any, world: WebWorld) -> None:
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED)
    world.lock_says(serial, ShadowReported(version=0, settings={"remote_unlock": True}))
    page.goto(f"/app/devices/{device_id}")
    page.get_by_test_id("remote-unlock").click()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("unlock-dialog")).to_be_hidden()
    expect(page.get_by_test_id("remote-result")).to_have_text("")


def test_remote_unlock_done_when_enabled_and_refused_in_anti_lock_A_REMOTE(
    page: Any, world: WebWorld
) -> None:
    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED)
    world.lock_says(serial, ShadowReported(version=0, settings={"remote_unlock": True}))
    page.goto(f"/app/devices/{device_id}")
    page.get_by_test_id("remote-unlock").click()
    page.fill("#unlock-password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("remote-result")).to_have_text("Unlocked.")
    assert [c.action for c in world.link.commands] == ["unlock"]

    world.state(serial, DoorState.LOCKED, modes={"anti_lock": True})
    # Anti-lock on: the page says so at once, before any password (issue 16).
    expect(page.get_by_test_id("remote-off")).to_contain_text("Anti-lock mode is on")
    page.get_by_test_id("remote-unlock").click()
    expect(page.get_by_test_id("unlock-dialog")).to_be_hidden()
    expect(page.get_by_test_id("remote-result")).to_contain_text("Anti-lock mode is on")
    assert len(world.link.commands) == 1  # never sent
