"""Accessibility basics, the language switch and screenshots of the main pages on a
phone and a desktop viewport (A-ACCOUNT … A-SCENE pages).

Rules proved here (named in the tests' names): A-ACCOUNT, A-REMOTE, A-STATUS, D-MENU-2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, SHOTS
from .world import PASSWORD, WebWorld

# Every control named, lang set, ids unique, visible text >= 4.5:1 against its background.
AUDIT = (Path(__file__).parent / "audit.js").read_text()

PAGES = ("", "/users", "/temp", "/records", "/shares", "/settings", "/scenes")

pytestmark = pytest.mark.e2e


def _wait_filled(page: Any, path: str) -> None:
    """Pages fill themselves from the API; wait for the part each one shows."""
    marks = {
        "": "#recent-events li",
        "/users": "#user-list li",
        "/records": "#records-body tr",
        "/settings": "#info-serial:not(:empty)",
    }
    if path in marks:
        page.wait_for_selector(marks[path])
    if path in ("/temp", "/shares", "/scenes"):
        page.wait_for_load_state("networkidle")


def test_every_page_labels_its_controls_sets_lang_and_has_contrast_A_ACCOUNT_A_STATUS(
    page: Any, world: WebWorld, lock: tuple[str, str], context: Any
) -> None:
    device_id, _ = lock
    anonymous = context.browser.new_context(base_url=world.base)
    try:
        for path in ("/app/signin", "/app/signup"):
            p = anonymous.new_page()
            p.goto(path)
            assert p.evaluate(AUDIT) == [], path
    finally:
        anonymous.close()
    for path in ("/app/", "/app/pair", "/app/notifications", "/app/account"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(AUDIT) == [], path
    for section in PAGES:
        page.goto(f"/app/devices/{device_id}{section}")
        _wait_filled(page, section)
        assert page.evaluate(AUDIT) == [], section or "device"
    # The parts that open on demand: every scene condition, a new token's secret.
    for toggle in ("#scene-cond-window", "#scene-cond-door", "#scene-cond-modes"):
        page.check(toggle)
    expect(page.locator("#scene-cond-mode-armed")).to_be_visible()
    assert page.evaluate(AUDIT) == [], "scene conditions"
    page.goto("/app/account")
    page.fill("#token-name", "audit")
    page.fill("#token-password", PASSWORD)
    page.click("#token-submit")
    expect(page.get_by_test_id("token-once")).to_be_visible()
    assert page.evaluate(AUDIT) == [], "token shown once"


def test_keyboard_reaches_the_main_actions_with_visible_focus_A_REMOTE_A_ACCOUNT(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    from smartlock.link.schemas import ShadowReported

    world.lock_says(serial, ShadowReported(version=0, settings={"remote_unlock": True}))
    page.goto(f"/app/devices/{device_id}")
    page.wait_for_selector("#recent-events li")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.id || e.textContent.trim(), getComputedStyle(e).outlineStyle]; }"
        )
        reached.append(info[0])
        assert info[1] != "none", f"no visible focus on {info[0]}"
        if info[0] == "remote-unlock":
            break
    assert reached[0] == "Skip to content"
    assert "tab-settings" in reached and reached[-1] == "remote-unlock", reached
    page.keyboard.press("Enter")
    expect(page.locator("#unlock-password")).to_be_focused()


def test_sign_in_form_is_in_tab_order_A_ACCOUNT(browser: Any, world: WebWorld) -> None:
    ctx = browser.new_context(base_url=world.base)
    try:
        p = ctx.new_page()
        p.goto("/app/signin")
        order = []
        for _ in range(8):
            p.keyboard.press("Tab")
            order.append(p.evaluate("document.activeElement.id"))
        assert (
            order.index("signin-email")
            < order.index("signin-password")
            < order.index("signin-submit")
        )
    finally:
        ctx.close()


def test_language_switch_to_chinese_and_back_A_STATUS_D_MENU_2(
    page: Any, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}")
    expect(page.get_by_test_id("status-door")).to_have_text("Closed and locked")
    page.get_by_test_id("lang-zh").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("status-door")).to_have_text("已关门上锁")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-status-zh.png"), full_page=True)
    expect(page.get_by_role("link", name="设置", exact=True)).to_be_visible()
    page.goto(f"/app/devices/{device_id}/settings")
    # Everyday words first (issue 16); the measured figures behind "The measured figures".
    expect(page.locator("#setting-sensitivity-help")).to_contain_text("陌生人约 4500 次能进 1 次")
    expect(page.locator("#setting-sensitivity-figures")).to_contain_text("误识率")
    page.get_by_test_id("lang-en").click()
    expect(page.locator("#setting-sensitivity-help")).to_contain_text(
        "a stranger gets in about 1 time in 4,500"
    )
    expect(page.locator("#setting-sensitivity-help")).not_to_contain_text("FAR")
    expect(page.locator("#setting-sensitivity-figures")).to_contain_text("FAR 2.2e-4")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("name,viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots_of_the_main_pages_fit_the_viewport_A_STATUS(
    page: Any, lock: tuple[str, str], name: str, viewport: dict[str, int]
) -> None:
    device_id, _ = lock
    page.set_viewport_size(viewport)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shots = [("devices", "/app/"), ("pair", "/app/pair"), ("notifications", "/app/notifications")]
    shots += [("account", "/app/account")]
    shots += [(s.strip("/") or "status", f"/app/devices/{device_id}{s}") for s in PAGES]
    for label, path in shots:
        page.goto(path)
        _wait_filled(
            page, path.removeprefix(f"/app/devices/{device_id}") if "devices/" in path else "-"
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label} scrolls sideways on {name} by {overflow}px"
        out = SHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 5_000
