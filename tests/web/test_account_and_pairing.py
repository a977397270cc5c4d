"""Sign up, sign out, sign in, empty device list, pairing form errors and success
(A-ACCOUNT, D-PAIR) in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .world import PASSWORD, WebWorld

pytestmark = pytest.mark.e2e


def test_sign_up_sign_in_empty_list_and_pairing_errors_A_ACCOUNT_D_PAIR(
    page: Any, world: WebWorld
) -> None:
    page.goto("/app/")
    expect(page).to_have_url(f"{world.base}/app/signin?next=%2Fapp%2F")
    page.click("#to-signup")
    page.fill("#signup-email", "ann@example.org")
    page.fill("#signup-password", PASSWORD)
    page.fill("#signup-password2", PASSWORD + "x")
    page.click("#signup-submit")
    expect(page.locator("#signup-error")).to_have_text("The two passwords differ.")
    page.fill("#signup-password2", PASSWORD)
    page.click("#signup-submit")
    expect(page.get_by_role("heading", name="My locks")).to_be_visible()

    page.click("#signout")
    expect(page).to_have_url(f"{world.base}/app/signin")
    page.fill("#signin-email", "ann@example.org")
    page.fill("#signin-password", "not the password")
    page.click("#signin-submit")
    expect(page.locator("#signin-error")).to_have_text("Wrong email or password.")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    expect(page.get_by_test_id("devices-empty")).to_be_visible()
    expect(page.get_by_test_id("device-list").locator("li")).to_have_count(0)

    page.click("#pair-link")
    label = world.pairing_mode()
    page.fill("#pair-serial", label.serial)
    page.fill("#pair-code", "ZZZZ-ZZZZ" if label.code != "ZZZZ-ZZZZ" else "YYYY-YYYY")
    page.click("#pair-submit")
    expect(page.get_by_test_id("pair-error")).to_have_text(
        "The serial number or the verification code is wrong."
    )
    page.fill("#pair-serial", "SLNOTPAIRING1")
    page.click("#pair-submit")
    expect(page.get_by_test_id("pair-error")).to_contain_text("not in pairing mode")

    # The label's QR text typed (or pasted) into the serial field fills both fields.
    page.fill("#pair-serial", f"smartlock:{label.serial}:{label.code.replace('-', '')}")
    page.locator("#pair-serial").dispatch_event("change")
    expect(page.locator("#pair-code")).to_have_value(label.code.replace("-", ""))
    page.fill("#pair-name", "Back door")
    page.click("#pair-submit")
    expect(page.get_by_test_id("device-name")).to_have_text("Back door")
    page.click("#nav-devices")
    expect(page.get_by_test_id("device-link")).to_have_text("Back door")


def test_scan_button_falls_back_to_the_form_without_a_camera_D_PAIR(
    page: Any, world: WebWorld
) -> None:
    from .conftest import api_sign_in

    api_sign_in(page, "bob@example.org")
    page.goto("/app/pair")
    page.click("#scan-qr")
    expect(page.locator("#scan-status")).to_contain_text("type the serial")
    expect(page.locator("#pair-form")).to_be_visible()
