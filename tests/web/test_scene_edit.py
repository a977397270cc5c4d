"""Editing a scene in the app (A-SCENE): the editor form filled from the scene, saved with
PATCH, errors of the API shown at the form, and cancel leaving the scene as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

AUDIT = (Path(__file__).parent / "audit.js").read_text()


def _scenes(page: Any, device_id: str) -> list[dict[str, Any]]:
    r = page.request.get(f"/api/v1/devices/{device_id}/scenes")
    assert r.ok, r.text()
    return list(r.json()["data"])


def _csrf(page: Any) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "smartlock_csrf")


def _create_bell_scene(page: Any, device_id: str) -> dict[str, Any]:
    """Through the editor: doorbell, only if the door is open, two actions."""
    page.goto(f"/app/devices/{device_id}/scenes")
    page.fill("#scene-name", "Bell while open")
    page.select_option("#scene-trigger", "doorbell")
    page.check("#scene-cond-door")
    page.check("#scene-cond-door-open")
    page.select_option("#action-1-type", "notify")
    page.fill("#action-1-title", "Someone rang")
    page.click("#scene-add-action")
    page.select_option("#action-2-type", "set_mode")
    page.select_option("#action-2-mode", "armed")
    page.click("#scene-submit")
    expect(page.get_by_test_id("scene-list").locator("li")).to_have_count(1)
    (scene,) = _scenes(page, device_id)
    return scene


def test_edit_scene_changes_name_condition_and_action_A_SCENE(
    page: Any, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    before = _create_bell_scene(page, device_id)
    assert before["condition"]["door"] == ["open"]
    # A webhook timeout is API-only: a PATCH outside the app sets it, the app keeps it.
    r = page.request.patch(
        f"/api/v1/devices/{device_id}/scenes/{before['id']}",
        data={
            "actions": [
                *before["actions"],
                {"type": "webhook", "url": "http://h.test/x", "timeout_s": 2.5},
            ]
        },
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert r.ok, r.text()
    page.reload()
    cards = page.get_by_test_id("scene-list").locator("li")
    expect(cards).to_have_count(1)

    edit = page.get_by_role("button", name="Edit: Bell while open")
    expect(edit).to_be_visible()
    edit.click()
    # The form is in edit mode, filled with the scene, and focus is on its first field.
    expect(page.locator("#scene-name")).to_be_focused()
    expect(page.locator("#scene-name")).to_have_value("Bell while open")
    expect(page.locator("#scene-submit")).to_have_text("Save changes")
    expect(page.locator("#scene-cancel")).to_be_visible()
    expect(page.locator("#scene-create-h")).to_have_text("Edit scene “Bell while open”")
    expect(page.locator("#scene-trigger")).to_have_value("doorbell")
    expect(page.locator("#scene-cond-door")).to_be_checked()
    expect(page.locator("#scene-cond-door-open")).to_be_checked()
    expect(page.locator("#scene-cond-door-ajar")).not_to_be_checked()
    expect(page.locator("#scene-enabled")).to_be_checked()
    rows = page.locator("#scene-actions > li")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("[data-f=type]")).to_have_value("notify")
    expect(rows.nth(0).locator("[data-f=title]")).to_have_value("Someone rang")
    expect(rows.nth(1).locator("[data-f=mode]")).to_have_value("armed")
    expect(rows.nth(2).locator("[data-f=url]")).to_have_value("http://h.test/x")
    assert page.evaluate(AUDIT) == [], "scene editor in edit mode"

    # An invalid change: the API's error is shown at the form, nothing is saved.
    rows.nth(2).locator("[data-f=url]").fill("ftp://h.test/x")
    page.click("#scene-submit")
    expect(page.locator("#scene-error")).to_contain_text("Some fields are not valid.")
    expect(page.locator("#scene-error")).to_contain_text("http:// or https://")
    assert _scenes(page, device_id)[0]["actions"][2]["url"] == "http://h.test/x"

    # The real change: name, the door condition, the notification's title, switched off.
    rows.nth(2).locator("[data-f=url]").fill("https://h.test/y")
    page.fill("#scene-name", "Bell while ajar")
    page.uncheck("#scene-cond-door-open")
    page.check("#scene-cond-door-ajar")
    rows.nth(0).locator("[data-f=title]").fill("Rang, door ajar")
    page.uncheck("#scene-enabled")
    with page.expect_request(
        lambda req: req.method == "PATCH" and req.url.endswith(f"/scenes/{before['id']}")
    ) as sent:
        page.click("#scene-submit")
    body = sent.value.post_data_json
    # Only fields the API's SceneUpdate takes; the trigger did not change, so it is not sent.
    assert set(body) <= {
        "name",
        "trigger",
        "manual",
        "condition",
        "no_condition",
        "actions",
        "enabled",
    }
    assert "trigger" not in body and "manual" not in body

    expect(page.get_by_test_id("scenes-message")).to_have_text("Scene “Bell while ajar” saved.")
    expect(cards).to_have_count(1)
    expect(cards.first.locator("h4")).to_have_text("Bell while ajar")
    expect(cards.first).to_contain_text("Only if: door is Not closed properly")
    # Back to "new scene" mode.
    expect(page.locator("#scene-submit")).to_have_text("Save scene")
    expect(page.locator("#scene-cancel")).to_be_hidden()
    expect(page.locator("#scene-name")).to_have_value("")

    (after,) = _scenes(page, device_id)
    assert after["id"] == before["id"]
    assert after["name"] == "Bell while ajar"
    assert after["trigger"]["type"] == "doorbell"
    assert after["condition"]["door"] == ["ajar"]
    assert after["enabled"] is False
    assert after["actions"][0] == {"type": "notify", "title": "Rang, door ajar", "body": ""}
    assert after["actions"][1] == {"type": "set_mode", "mode": "armed", "on": True}
    assert after["actions"][2]["url"] == "https://h.test/y"
    assert after["actions"][2]["timeout_s"] == 2.5  # kept though the form does not show it


def test_cancel_edit_leaves_scene_unchanged_A_SCENE(page: Any, lock: tuple[str, str]) -> None:
    device_id, _ = lock
    before = _create_bell_scene(page, device_id)
    page.get_by_role("button", name="Edit: Bell while open").click()
    expect(page.locator("#scene-name")).to_be_focused()
    page.fill("#scene-name", "Not saved")
    page.check("#scene-cond-door-ajar")
    page.locator("#scene-actions > li [data-f=type]").first.select_option("lock")
    page.click("#scene-cancel")

    expect(page.locator("#scene-submit")).to_have_text("Save scene")
    expect(page.locator("#scene-create-h")).to_have_text("New scene")
    expect(page.locator("#scene-cancel")).to_be_hidden()
    expect(page.locator("#scene-enabled-box")).to_be_hidden()
    expect(page.locator("#scene-name")).to_have_value("")
    expect(page.locator("#scene-cond-door-box")).to_be_hidden()
    expect(page.locator("#scene-actions > li")).to_have_count(1)
    expect(page.get_by_role("button", name="Edit: Bell while open")).to_be_focused()
    assert _scenes(page, device_id) == [before]

    # The form creates a new scene again (POST), the old one untouched.
    page.fill("#scene-name", "Lock at night")
    page.locator("#scene-actions > li [data-f=type]").first.select_option("lock")
    page.click("#scene-submit")
    expect(page.get_by_test_id("scene-list").locator("li")).to_have_count(2)
    scenes = _scenes(page, device_id)
    assert before in scenes
    assert any(s["name"] == "Lock at night" and s["trigger"] is None for s in scenes)
