"""The account page (change password, API tokens, notification delivery channels) and
the scene editor's conditions, in a real browser against the real API.

Rules proved here (named in the tests' names): A-ACCOUNT, A-NOTIFY, A-SCENE.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cloud_features.receiver import receiver

from .conftest import api_sign_in
from .world import PASSWORD, WebWorld

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a much longer new passphrase"


def _bearer_get(world: WebWorld, path: str, token: str) -> httpx.Response:
    """A script outside the browser (no cookies) calling the API with the token."""
    return httpx.get(
        f"{world.base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def _sign_in_status(world: WebWorld, password: str) -> int:
    r = httpx.post(
        f"{world.base}/api/v1/auth/session",
        json={"email": "ann@example.org", "password": password},
        timeout=10,
    )
    return r.status_code


def test_change_password_in_the_browser_ends_other_sessions_A_ACCOUNT(
    page: Any, browser: Any, world: WebWorld
) -> None:
    api_sign_in(page, "ann@example.org")
    # Ann is also signed in on another browser; the change must end that session.
    other = browser.new_context(base_url=world.base)
    try:
        other_page = other.new_page()
        r = other_page.request.post(
            "/api/v1/auth/session", data={"email": "ann@example.org", "password": PASSWORD}
        )
        assert r.ok
        other_page.goto("/app/")
        expect(other_page.get_by_role("heading", name="My locks")).to_be_visible()

        page.goto("/app/")
        page.click("#nav-account")
        expect(page).to_have_url(f"{world.base}/app/account")
        expect(page.get_by_test_id("account-email")).to_have_text("ann@example.org")
        expect(page.locator("#password-effect")).to_contain_text("every other session")

        page.fill("#password-current", "not my password")
        page.fill("#password-new", NEW_PASSWORD)
        page.fill("#password-new2", NEW_PASSWORD)
        page.click("#password-submit")
        expect(page.get_by_test_id("password-error")).to_have_text("The current password is wrong.")
        page.fill("#password-current", PASSWORD)
        page.fill("#password-new", "short")
        page.fill("#password-new2", "short")
        page.click("#password-submit")
        expect(page.get_by_test_id("password-error")).to_have_text(
            "The password is too short (at least 10 characters)."
        )
        page.fill("#password-new", NEW_PASSWORD)
        page.fill("#password-new2", NEW_PASSWORD + "x")
        page.click("#password-submit")
        expect(page.get_by_test_id("password-error")).to_have_text("The two passwords differ.")
        assert _sign_in_status(world, NEW_PASSWORD) == 401  # nothing changed so far

        page.fill("#password-new2", NEW_PASSWORD)
        page.click("#password-submit")
        expect(page.get_by_test_id("password-done")).to_contain_text("Password changed")
        expect(page.get_by_test_id("password-error")).to_have_text("")

        # This browser stays signed in; the other one is sent to sign-in.
        page.reload()
        expect(page.get_by_test_id("account-email")).to_have_text("ann@example.org")
        other_page.goto("/app/")
        expect(other_page).to_have_url(f"{world.base}/app/signin?next=%2Fapp%2F")
    finally:
        other.close()

    # Sign out and in again: the old password is refused, the new one works.
    page.click("#signout")
    expect(page).to_have_url(f"{world.base}/app/signin")
    page.fill("#signin-email", "ann@example.org")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("#signin-error")).to_have_text("Wrong email or password.")
    page.fill("#signin-password", NEW_PASSWORD)
    page.click("#signin-submit")
    expect(page.get_by_role("heading", name="My locks")).to_be_visible()


def test_api_token_shown_once_works_as_bearer_and_revoked_is_refused_A_ACCOUNT(
    page: Any, context: Any, world: WebWorld
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    api_sign_in(page, "ann@example.org")
    page.goto("/app/account")
    expect(page.locator("#tokens-empty")).to_be_visible()

    page.fill("#token-name", "Home Assistant")
    page.fill("#token-password", "wrong password")
    page.click("#token-submit")
    expect(page.get_by_test_id("token-error")).to_have_text("The current password is wrong.")
    expect(page.get_by_test_id("token-once")).to_be_hidden()

    page.fill("#token-password", PASSWORD)
    page.click("#token-submit")
    once = page.get_by_test_id("token-once")
    expect(once).to_be_visible()
    expect(once).to_contain_text("shown only this once")
    secret = page.get_by_test_id("token-secret").input_value()
    assert len(secret) >= 32
    page.click("#token-copy")
    expect(page.locator("#token-copied")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    tokens = page.get_by_test_id("token-list").locator("li")
    expect(tokens).to_have_count(1)
    expect(tokens.first).to_contain_text("Home Assistant")
    expect(tokens.first).to_contain_text("last used never")

    # A script uses it as a bearer token.
    r = _bearer_get(world, "/account", secret)
    assert r.status_code == 200 and r.json()["email"] == "ann@example.org"

    # Once hidden (or the page reloaded), the secret is nowhere on the page again.
    page.click("#token-hide")
    expect(once).to_be_hidden()
    page.reload()
    expect(tokens).to_have_count(1)
    expect(tokens.first).not_to_contain_text("never")  # it has been used now
    assert secret not in page.content()

    # Revoke asks first; cancelling keeps it.
    page.get_by_role("button", name="Revoke: Home Assistant").click()
    expect(page.locator("#confirm-text")).to_contain_text("Home Assistant")
    page.click("#confirm-no")
    expect(tokens).to_have_count(1)
    assert _bearer_get(world, "/account", secret).status_code == 200
    page.get_by_role("button", name="Revoke: Home Assistant").click()
    page.click("#confirm-yes")
    expect(page.get_by_test_id("tokens-message")).to_have_text('Token "Home Assistant" revoked.')
    expect(tokens).to_have_count(0)
    expect(page.locator("#tokens-empty")).to_be_visible()
    assert _bearer_get(world, "/account", secret).status_code == 401


def test_add_test_and_remove_a_delivery_channel_A_NOTIFY(page: Any, world: WebWorld) -> None:
    api_sign_in(page, "ann@example.org")
    page.goto("/app/account")
    expect(page.locator("#channels-empty")).to_be_visible()

    # A service from the picker builds its apprise URL from a form (issue 16).
    page.fill("#ch-ntfy-topic", "front-door-4711")
    page.fill("#channel-label", "Phone")
    with page.expect_request(lambda r: r.url.endswith("/notifications/channels")) as sent:
        page.click("#channel-submit")
    assert sent.value.post_data_json["url"] == "ntfys://ntfy.sh/front-door-4711"
    expect(page.get_by_test_id("channels-message")).to_have_text('Channel "Phone" added.')
    page.get_by_role("button", name="Remove: Phone").click()
    page.click("#confirm-yes")
    page.click("#svc-telegram")
    expect(page.locator("#ch-telegram-bot_token")).to_be_focused()
    expect(page.locator("#ch-ntfy-topic")).to_be_hidden()
    page.click("#channel-submit")
    expect(page.get_by_test_id("channel-error")).to_have_text("Fill in the fields of this service.")
    page.fill("#ch-telegram-bot_token", "123456:ABC-def")
    page.fill("#ch-telegram-chat_id", "987654")
    with page.expect_request(lambda r: r.url.endswith("/notifications/channels")) as sent:
        page.click("#channel-submit")
    assert sent.value.post_data_json["url"] == "tgram://123456:ABC-def/987654"
    expect(page.get_by_test_id("channel-error")).to_have_text("")
    expect(page.get_by_test_id("channel-list").locator("li")).to_have_count(1)
    page.get_by_role("button", name=re.compile(r"^Remove: ")).click()
    page.click("#confirm-yes")
    expect(page.locator("#channels-empty")).to_be_visible()

    page.click("#svc-other")
    page.fill("#channel-url", "nope://nowhere")
    page.click("#channel-submit")
    expect(page.get_by_test_id("channel-error")).to_have_text(
        "This is not a channel URL apprise understands."
    )
    with receiver() as rec:
        page.click("#svc-webhook")
        page.fill("#ch-webhook-webhook", f"http://127.0.0.1:{rec.port}/hook/secret-path")
        page.fill("#channel-label", "Door hook")
        page.click("#channel-submit")
        expect(page.get_by_test_id("channel-error")).to_have_text("")
        expect(page.get_by_test_id("channels-message")).to_have_text('Channel "Door hook" added.')
        channels = page.get_by_test_id("channel-list").locator("li")
        expect(channels).to_have_count(1)
        expect(channels.first).to_contain_text("Door hook")
        expect(channels.first).to_contain_text(f"json://127.0.0.1:{rec.port}/…")
        expect(channels.first).not_to_contain_text("secret-path")  # only the hint comes back
        listed = page.request.get("/api/v1/notifications/channels").json()
        assert [c["label"] for c in listed["data"]] == ["Door hook"]

        page.get_by_role("button", name="Send a test: Door hook").click()
        expect(page.get_by_test_id("channels-message")).to_have_text(
            'Test sent to "Door hook": the channel accepted it.'
        )
        assert len(rec.received) == 1 and rec.received[0]["path"] == "/hook/secret-path"
        rec.fail_next = 1
        page.get_by_role("button", name="Send a test: Door hook").click()
        expect(page.get_by_test_id("channels-message")).to_contain_text("did not arrive")

    page.get_by_role("button", name="Remove: Door hook").click()
    page.click("#confirm-yes")
    expect(page.get_by_test_id("channels-message")).to_have_text('Channel "Door hook" removed.')
    expect(channels).to_have_count(0)
    expect(page.locator("#channels-empty")).to_be_visible()
    listed = page.request.get("/api/v1/notifications/channels").json()
    assert listed["count"] == 0


def test_scene_editor_builds_door_mode_online_and_window_conditions_A_SCENE(
    page: Any, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}/scenes")
    page.fill("#scene-name", "Bell while open")
    page.select_option("#scene-trigger", "doorbell")
    page.select_option("#action-1-type", "notify")
    page.fill("#action-1-title", "Someone rang and the door is open")

    expect(page.locator("#scene-cond-door-box")).to_be_hidden()
    page.check("#scene-cond-door")
    expect(page.locator("#scene-cond-door-box")).to_be_visible()
    page.click("#scene-submit")
    expect(page.locator("#scene-error")).to_have_text("Pick at least one door state.")
    page.check("#scene-cond-door-open")
    page.check("#scene-cond-door-ajar")
    page.check("#scene-cond-modes")
    page.select_option("#scene-cond-mode-armed", "on")
    page.select_option("#scene-cond-mode-mute", "off")
    page.select_option("#scene-cond-online", "true")
    page.click("#scene-submit")

    cards = page.get_by_test_id("scene-list").locator("li")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(
        "Only if: door is Open or Not closed properly and Armed on and Mute off and lock online"
    )
    # The form is ready for the next scene: conditions off again.
    expect(page.locator("#scene-cond-door-box")).to_be_hidden()

    scenes = page.request.get(f"/api/v1/devices/{device_id}/scenes").json()["data"]
    assert scenes[0]["trigger"]["type"] == "doorbell"
    assert scenes[0]["condition"]["door"] == ["open", "ajar"]
    assert scenes[0]["condition"]["modes"] == {"armed": True, "mute": False}
    assert scenes[0]["condition"]["online"] is True

    # A night window on weekdays only, with the lock offline.
    page.fill("#scene-name", "Weeknight offline")
    page.select_option("#action-2-type", "lock")  # the fresh form's action
    page.check("#scene-cond-window")
    page.fill("#scene-cond-start", "23:00")
    page.fill("#scene-cond-end", "05:30")
    page.uncheck("#scene-cond-day-5")
    page.uncheck("#scene-cond-day-6")
    page.select_option("#scene-cond-online", "false")
    page.click("#scene-submit")
    expect(cards).to_have_count(2)
    expect(page.get_by_test_id("scene-list")).to_contain_text(
        "Only if: between 23:00 and 05:30 (Mon, Tue, Wed, Thu, Fri) and lock offline"
    )
    scenes = page.request.get(f"/api/v1/devices/{device_id}/scenes").json()["data"]
    night = next(s for s in scenes if s["name"] == "Weeknight offline")
    window = night["condition"]["time_window"]
    assert (window["start"], window["end"], window["days"]) == ("23:00", "05:30", [0, 1, 2, 3, 4])
    assert night["condition"]["online"] is False
    assert "door" not in night["condition"] or night["condition"]["door"] is None
