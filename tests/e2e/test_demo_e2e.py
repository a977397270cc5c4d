"""The demo end to end in a real browser: the virtual lock's panel and the app.

Lock 1 was paired by the demo itself (settings key held 3 s, bound by serial + code);
lock 2 starts factory-new and goes through first use and pairing here. App steps use
the web app's pages (sign-in, pair, device, temp passwords, settings); the JSON API,
in the same browser session, only checks what no page shows (see pages.py).

Rules proved here (named in the tests' names): A-REMOTE, D-DURESS, D-FIRST, D-MODE-ANTI.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from smartlock.web import qr

from .conftest import SCREENSHOTS, DemoRun
from .pages import Panel, WebApp, request_id

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

NORMAL_PIN = "55667788"
DURESS_PIN = "99887766"
LOCK2_PIN = "24681357"


def test_panel_screenshots_phone_and_desktop(browser: Any, demo: DemoRun) -> None:
    """The panel shows the lock's label, keypad and door; saved for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("phone", (390, 844)), ("desktop", (1280, 800))):
        ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = ctx.new_page()
        panel = Panel(page, demo.base, 1, demo.panel_key)
        assert panel.serial == demo.serials[0]
        expect(panel.badge()).to_have_text("Bound · online")
        expect(page.get_by_role("group", name="Keypad").get_by_role("button")).to_have_count(12)
        page.screenshot(path=str(SCREENSHOTS / f"panel-{name}.png"), full_page=True)
        # The label's QR (segno) is a real image the app's pairing decoder reads.
        qr_image = page.get_by_test_id("qr-image")
        expect(qr_image).to_be_visible()
        assert qr.decode(qr_image.screenshot()) == page.locator("#qr").inner_text()
        # Room for "10." and "100." in "What the lock said" (issue 16).
        assert (
            page.evaluate(
                "parseFloat(getComputedStyle(document.getElementById('said')).paddingLeft)"
            )
            >= 40
        )
        # Labels follow the chosen language.
        page.select_option("#lang", "zh")
        expect(page.locator("#front-h")).to_have_text("正面（室外）")
        expect(panel.badge()).to_have_text("已绑定 · 在线")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.screenshot(path=str(SCREENSHOTS / f"panel-{name}-zh.png"), full_page=True)
        page.select_option("#lang", "en")
        expect(page.locator("#front-h")).to_have_text("Front (outside)")
        ctx.close()


def test_first_use_pair_temp_password_record_live_D_FIRST_D_PAIR_A_TEMP_A_RECORDS(
    context: Any, demo: DemoRun
) -> None:
    panel = Panel(context.new_page(), demo.base, 2, demo.panel_key)
    expect(panel.badge()).to_have_text("Not paired")
    panel.first_use(LOCK2_PIN)
    # D-PAIR: settings key held 3 s, then the app binds by the label's serial + code.
    since = panel.said_total()
    panel.page.get_by_role("button", name="Hold settings key 3 s").click()
    panel.says("Pairing mode", since)
    expect(panel.badge()).to_have_text("Pairing mode")
    web = WebApp(context.new_page(), demo.base)
    web.sign_in(demo.email, demo.password)
    panel.page.wait_for_timeout(500)  # the lock's first hello reaches the cloud
    device = web.pair(panel.serial, panel.code, "Back door")
    expect(panel.badge()).to_have_text("Bound · online")
    expect(web.page.locator("#status-online")).to_have_attribute("data-online", "true")

    # A temporary password made in the app, typed at the door (exactly, D-KEY-VIRTUAL).
    code = web.create_temp_password(device, "Plumber")
    web.device(device)
    panel.page.locator("#door-close").click()
    panel.type_and_hear(f"{code}#", "Unlocked")
    # The record arrives on the open device page, without a reload (A-RECORDS, A-STATUS).
    expect(web.recent("unlock")).to_have_count(1)
    expect(web.recent("unlock").first).to_contain_text("Unlocked · Visitor password")
    panel.type_and_hear(f"{code}#", "Verification failed")  # one-time: used up

    # An offline code (A-TEMP): computed by the cloud, checked by the lock alone.
    offline = web.create_offline_code(device, "Cleaner")
    web.device(device)
    expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown", timeout=12_000)
    panel.type_and_hear(f"{offline}#", "Unlocked")
    expect(web.recent("unlock")).to_have_count(2)


def test_remote_unlock_needs_confirmation_A_REMOTE(context: Any, demo: DemoRun) -> None:
    panel = Panel(context.new_page(), demo.base, 1, demo.panel_key)
    web = WebApp(context.new_page(), demo.base)
    web.sign_in(demo.email, demo.password)
    app = web.api()
    device = app.device_id(demo.serials[0])
    web.set_setting(device, "remote_unlock", True)
    # Without re-confirmation the cloud refuses and nothing moves (the API, as a script would).
    r = app.call("POST", f"/devices/{device}/unlock", {"request_id": request_id()})
    assert r.status == 403 and r.json()["code"] == "confirmation_required"
    web.device(device)
    expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown")
    since = panel.said_total()
    web.page.bring_to_front()
    result = web.remote_unlock(demo.password)
    expect(result).to_have_attribute("data-status", "done")
    expect(panel.page.locator("#door-state")).to_contain_text("bolt retracted (unlocked)")
    panel.says("Unlocked", since)
    expect(web.page.locator("#status-door")).to_have_attribute("data-door", "unlocked")
    # D-BOLT: not opened within 5 s, it locks again; the app sees it live.
    expect(web.page.locator("#status-door")).to_have_attribute(
        "data-door", "locked", timeout=12_000
    )
    assert [e["method"] for e in app.wait_records(device, kind="unlock", limit="1")] == ["remote"]


def _add_normal_user(panel: Panel, master_pin: str) -> str:
    panel.open_menu(master_pin)
    since = panel.said_total()
    panel.type_and_hear("1", "1 master user, 2 normal user")
    panel.press_keys("2")
    announces = "(li) => /^User \\d{3}: 1 add face/.test(li.textContent)"
    panel.page.wait_for_function(
        f"() => [...document.querySelectorAll('#said li')].some({announces})"
    )
    announced = [s for s in panel.said_after(since) if s.startswith("User ")][-1]
    user_no = announced[5:8]
    panel.type_and_hear("2", "Enter a 6 to 10 digit password, then press #")
    panel.type_and_hear(f"{NORMAL_PIN}#", "Enter the password again")
    panel.type_and_hear(f"{NORMAL_PIN}#", "Success")
    panel.leave_menu()
    return user_no


@pytest.fixture(scope="module")
def normal_user(browser: Any, demo: DemoRun) -> str:
    """A normal user with a password on lock 1, added at the panel's menu (D-USER-2)."""
    ctx = browser.new_context()
    try:
        panel = Panel(ctx.new_page(), demo.base, 1, demo.panel_key)
        return _add_normal_user(panel, demo.master_pin)
    finally:
        ctx.close()


def _panel_view(panel: Panel, since: int) -> dict[str, Any]:
    return {
        "display": panel.page.locator("#display").inner_text(),
        "said": panel.said_after(since),
        "door": panel.door_state(),
        "leds": [
            panel.page.locator(s).get_attribute("aria-label")
            for s in ("#armed-led", "#battery-led")
        ],
        "siren": panel.page.locator("#siren").is_visible(),
    }


def _unlock_and_watch(panel: Panel, pin: str) -> dict[str, Any]:
    since = panel.said_total()
    panel.press_keys(f"{pin}#")
    panel.says("Unlocked", since)
    panel.page.wait_for_timeout(300)
    view = _panel_view(panel, since)
    expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown", timeout=12_000)
    return view


def test_anti_lock_refuses_normal_user_at_the_panel_D_MODE_ANTI(
    context: Any, demo: DemoRun, normal_user: str
) -> None:
    panel = Panel(context.new_page(), demo.base, 1, demo.panel_key)
    web = WebApp(context.new_page(), demo.base)
    web.sign_in(demo.email, demo.password)
    app = web.api()
    device = app.device_id(demo.serials[0])
    user_no = normal_user
    web.set_setting(device, "anti_lock", True)
    try:
        web.device(device)
        panel.type_and_hear(f"{NORMAL_PIN}#", "Anti-lock mode: only master users may open")
        expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown")
        expect(web.recent("unlock_refused")).to_have_count(1)
        refused = app.wait_records(device, kind="unlock_refused", limit="1")
        assert refused[0]["user_number"] == user_no
        # A master may still open from outside.
        panel.type_and_hear(f"{demo.master_pin}#", "Unlocked")
    finally:
        web.set_setting(device, "anti_lock", False)
    expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown", timeout=12_000)


def test_duress_alarm_in_app_only_panel_identical_D_DURESS(
    context: Any, demo: DemoRun, normal_user: str
) -> None:
    panel = Panel(context.new_page(), demo.base, 1, demo.panel_key)
    web = WebApp(context.new_page(), demo.base)
    web.sign_in(demo.email, demo.password)
    app = web.api()
    device = app.device_id(demo.serials[0])
    user_no = normal_user
    panel.open_menu(demo.master_pin)
    panel.type_and_hear("2", "Enter the user number, then press #")
    panel.type_and_hear(f"{user_no}#", "1 add, 2 delete, 3 deregister user")
    panel.type_and_hear(
        "1", f"User {user_no}: 1 add face, 2 add password, 3 add duress key, 4 add fingerprint"
    )
    panel.type_and_hear("3", "1 duress face, 2 duress password, 3 duress fingerprint")
    panel.type_and_hear("2", "Enter a 6 to 10 digit password, then press #")
    panel.type_and_hear(f"{DURESS_PIN}#", "Enter the password again")
    panel.type_and_hear(f"{DURESS_PIN}#", "Success")
    panel.leave_menu()
    web.device(device)

    normal_view = _unlock_and_watch(panel, NORMAL_PIN)
    duress_view = _unlock_and_watch(panel, DURESS_PIN)
    assert duress_view == normal_view, (normal_view, duress_view)  # nothing to see or hear
    assert normal_view["display"] == user_no
    expect(web.recent("duress")).to_have_count(1)  # the app raises it, live
    assert len(app.wait_records(device, kind="duress")) == 1


def test_fingerprint_pad_enrols_and_opens_D_FINGER_ENROL_D_FINGER_OPEN(
    context: Any, demo: DemoRun
) -> None:
    """Lock 1's master enrols a finger from the menu with two clicks on the pad, the
    same finger opens and the app's records say fingerprint; another finger fails."""
    panel = Panel(context.new_page(), demo.base, 1, demo.panel_key)
    web = WebApp(context.new_page(), demo.base)
    web.sign_in(demo.email, demo.password)
    app = web.api()
    device = app.device_id(demo.serials[0])
    panel.open_menu(demo.master_pin)
    panel.type_and_hear("2", "Enter the user number, then press #")
    panel.type_and_hear("001#", "1 add, 2 delete, 3 deregister user")
    panel.type_and_hear(
        "1", "User 001: 1 add face, 2 add password, 3 add duress key, 4 add fingerprint"
    )
    panel.type_and_hear("4", "Place your finger on the sensor")
    finger = panel.page.get_by_role("button", name="Press the right index finger")
    since = panel.said_total()
    finger.click()
    panel.says("Place the same finger again", since)
    finger.click()
    panel.says("Fingerprint enrolled", since)
    panel.leave_menu()
    panel.page.wait_for_timeout(200)
    since = panel.said_total()
    finger.click()
    panel.says("Unlocked", since)
    expect(panel.page.locator("#display")).to_have_text("001")
    records = app.wait_records(device, kind="unlock", method="fingerprint", limit="1")
    assert records[0]["user_number"] == "001" and records[0]["source"] == "fingerprint"
    since = panel.said_total()
    panel.page.get_by_role("button", name="Press the left thumb").click()
    panel.says("Verification failed", since)
    since = panel.said_total()
    finger.click()  # a success resets the failure count the later tests start from
    panel.says("Unlocked", since)
    expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown", timeout=12_000)


def test_hold_time_measured_on_the_button_by_keyboard_D_MODE_ANTI(
    context: Any, demo: DemoRun
) -> None:
    """The unlock button held 3 s with the space bar toggles anti-lock; a tap does not."""
    panel = Panel(context.new_page(), demo.base, 2, demo.panel_key)
    button = panel.page.get_by_role("button", name="Unlock button", exact=True)
    button.focus()
    since = panel.said_total()
    panel.page.keyboard.down(" ")
    panel.page.wait_for_timeout(3_200)
    panel.page.keyboard.up(" ")
    panel.says("Anti-lock mode on", since)
    since = panel.said_total()
    panel.page.keyboard.press(" ")  # a tap: unlock from inside (D-OPEN-IN), mode unchanged
    expect(panel.page.locator("#door-state")).to_contain_text("bolt retracted")
    assert "Anti-lock mode off" not in panel.said_after(since)
    expect(panel.page.locator("#door-state")).to_contain_text("bolt thrown", timeout=12_000)
    panel.page.keyboard.down(" ")
    panel.page.wait_for_timeout(3_200)
    panel.page.keyboard.up(" ")
    panel.says("Anti-lock mode off", since)


def test_camera_takes_an_uploaded_photo_and_refuses_other_files(
    context: Any, demo: DemoRun, tmp_path: Any
) -> None:
    from PIL import Image

    photo = tmp_path / "visitor.png"
    Image.new("RGB", (64, 48), (200, 180, 160)).save(photo)
    panel = Panel(context.new_page(), demo.base, 2, demo.panel_key)
    state = panel.page.locator("#camera-state")
    expect(state).to_have_text("Nobody in front of the camera")
    panel.page.get_by_label("Show a photo").set_input_files(str(photo))
    expect(panel.page.get_by_alt_text("Photo shown to the camera")).to_be_visible()
    expect(state).to_contain_text("Photo shown")
    panel.page.get_by_role("button", name="Nobody at the door").click()
    expect(state).to_have_text("Nobody in front of the camera")
    notes = tmp_path / "notes.png"
    notes.write_bytes(b"not a picture at all")
    panel.page.get_by_label("Show a photo").set_input_files(str(notes))
    expect(panel.page.locator("#message")).to_contain_text("not a picture")
    expect(state).to_have_text("Nobody in front of the camera")


def test_doorbell_picture_and_live_view_reach_the_app_faces_masked_A_LIVE_D_PRIV(
    context: Any, demo: DemoRun
) -> None:
    """The whole way: panel photo → lock (mask on the lock) → broker → cloud → app."""
    from pathlib import Path

    from smartlock.face.decode import load_image
    from smartlock.face.detect import detect_faces

    faces = Path(__file__).resolve().parents[2].parent / "shared" / "faces"
    photo = faces / "camera" / "obama_small.jpg"  # the demo takes bodies up to 64 KiB
    if not photo.is_file():
        pytest.skip(f"no face photos at {photo.parent}")
    panel = Panel(context.new_page(), demo.base, 1, demo.panel_key)
    web = WebApp(context.new_page(), demo.base)
    web.sign_in(demo.email, demo.password)
    device = web.api().device_id(panel.serial)
    web.device(device)
    panel.page.get_by_label("Show a photo").set_input_files(str(photo))
    expect(panel.page.get_by_alt_text("Photo shown to the camera")).to_be_visible()
    expect(panel.page.locator("#camera-state")).to_contain_text("Photo shown")
    panel.page.locator("#doorbell").click()
    image = web.page.get_by_test_id("doorbell-image")
    expect(image).to_be_visible(timeout=20_000)
    expect(web.page.get_by_test_id("doorbell-caption")).to_contain_text("Doorbell rang")
    sid = image.get_attribute("data-snapshot-id")
    shown = web.page.request.get(f"{demo.base}/api/v1/devices/{device}/snapshots/{sid}.jpg")
    assert shown.ok
    assert detect_faces(load_image(shown.body()), upsample=1) == []

    web.page.get_by_test_id("live-button").click()
    state = web.page.get_by_test_id("live-state")
    expect(state).to_have_attribute("data-state", "running", timeout=20_000)
    expect(web.page.get_by_test_id("live-image")).to_be_visible()
    frame = web.page.request.get(f"{demo.base}/api/v1/devices/{device}/live-view.jpg")
    assert frame.ok
    assert detect_faces(load_image(frame.body()), upsample=1) == []
