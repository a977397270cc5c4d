"""Issue 16, walked as a new user would: the bugs they hit, the confusing parts, and
the features users of commercial lock apps expect, on a 390×844 phone and a desktop,
in English and 中文 (A-USERS, A-SETTINGS, A-LIVE, A-TEMP, A-STATUS, A-RECORDS).

Rules proved here (named in the tests' names): A-USERS, A-SETTINGS, A-STATUS, A-LIVE,
A-TEMP, A-RECORDS, A-NOTIFY, D-MODE-ARM.
"""

from __future__ import annotations

import base64
import io
import re
import time
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from smartlock.link.schemas import ShadowReported, Snapshot
from smartlock.vocab import CredentialType, DoorState, EventKind, Method, Source

from . import a11y
from .conftest import DESKTOP, PHONE, SHOTS, api_sign_in
from .world import WebWorld, unlock

pytestmark = pytest.mark.e2e

SECTIONS = ("", "/activity", "/users", "/temp", "/records", "/shares", "/settings", "/scenes")
MARKS = {
    "": "#recent-events li",
    "/activity": "#timeline li",
    "/users": "#user-list li",
    "/records": "#records-body tr",
    "/settings": "#info-serial:not(:empty)",
}


def _jpeg() -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 160)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def _csrf(page: Any) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "smartlock_csrf")


def _wait(page: Any, section: str) -> None:
    if section in MARKS:
        page.wait_for_selector(MARKS[section])
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    "size,viewport,lang",
    [
        ("phone", PHONE, "en"),
        ("phone", PHONE, "zh"),
        ("desktop", DESKTOP, "en"),
        ("desktop", DESKTOP, "zh"),
    ],
)
def test_every_page_passes_axe_has_44px_targets_and_fits_A_STATUS(
    page: Any,
    world: WebWorld,
    lock: tuple[str, str],
    context: Any,
    size: str,
    viewport: dict[str, int],
    lang: str,
) -> None:
    """axe-core: 0 serious/critical; every control >= 44 px; no sideways scroll; a
    screenshot of every page at this size and language in artifacts/screenshots/."""
    device_id, _ = lock
    out = SHOTS / "issue16"
    out.mkdir(parents=True, exist_ok=True)
    context.add_cookies([{"name": "smartlock_lang", "value": lang, "url": world.base}])
    page.set_viewport_size(viewport)

    problems: list[str] = []

    def visit(p: Any, name: str) -> None:
        overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{name} scrolls sideways on {size} by {overflow}px")
        try:
            a11y.check(p, f"{name} ({size}, {lang})")
        except AssertionError as e:
            problems.append(str(e))
        p.screenshot(path=str(out / f"{size}-{lang}-{name}.png"), full_page=True)

    anonymous = context.browser.new_context(base_url=world.base, viewport=viewport)
    anonymous.add_cookies([{"name": "smartlock_lang", "value": lang, "url": world.base}])
    try:
        p = anonymous.new_page()
        for name in ("signin", "signup", "invite"):
            p.goto(f"/app/{name}")
            visit(p, name)
    finally:
        anonymous.close()
    for name in ("devices", "pair", "notifications", "account"):
        page.goto("/app/" + ("" if name == "devices" else name))
        page.wait_for_load_state("networkidle")
        visit(page, name)
    for section in SECTIONS:
        page.goto(f"/app/devices/{device_id}{section}")
        _wait(page, section)
        visit(page, section.strip("/") or "status")
    assert not problems, "\n".join(problems)


def test_header_is_one_line_with_44px_links_and_tabs_hint_more_on_a_phone_A_STATUS(
    page: Any, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}")
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 72, (
        header
    )  # one line of 44 px links, not three
    for link in ("#nav-devices", "#nav-notifications", "#nav-account", "#lang-zh"):
        box = page.locator(link).bounding_box()
        assert box is not None and box["height"] >= 44, (link, box)
    # The bottom bar stays in view; the tab strip says it scrolls (a fade and an arrow).
    nav = page.locator(".topnav").bounding_box()
    assert nav is not None and nav["y"] + nav["height"] == pytest.approx(844, abs=1)
    expect(page.locator("#tabs-scroll")).to_have_class("tabs-scroll more-right")
    page.goto(f"/app/devices/{device_id}/settings")
    tab = page.locator("#tab-settings").bounding_box()
    assert tab is not None and tab["x"] >= 0 and tab["x"] + tab["width"] <= 390  # in view
    expect(page.locator("#tabs-scroll")).to_have_class(re.compile(r"\bmore-left\b"))


def test_changed_password_is_listed_once_and_menu_users_appear_live_A_USERS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    """Bug: a changed password was listed twice; users added at the lock's menu needed
    a reload."""
    device_id, serial = lock
    page.goto(f"/app/devices/{device_id}/users")
    master = page.get_by_test_id("user-001")
    expect(master.locator("[data-cred] > span")).to_have_text(["Password"])
    page.fill("#user-001-pw", "24681357")
    page.fill("#user-001-pw2", "24681357")
    page.click("#user-001-send")
    expect(page.get_by_test_id("users-message")).to_have_text("Done.")
    # The lock replaced the PIN (device.core.remote._set_password) and journals it so.
    world.events(
        serial,
        {
            "kind": EventKind.CREDENTIAL_ADDED,
            "user_no": 1,
            "source": Source.REMOTE,
            "details": {
                "cred_id": 9,
                "cred_type": CredentialType.PIN,
                "duress": False,
                "replaced": True,
            },
        },
    )
    expect(master.locator("[data-cred] > span")).to_have_text(["Password"])
    expect(master.locator("[data-cred]")).to_have_attribute("data-cred", "9")
    expect(page.locator("#cred-001-9-delete")).to_have_count(1)
    # The duress password of user 002 is another kind: it stays.
    expect(page.get_by_test_id("user-002").locator("[data-cred] > span")).to_have_text(
        ["Face", "Password (duress)"]
    )
    page.evaluate("window.__same = true")
    world.events(
        serial,
        {
            "kind": EventKind.USER_ADDED,
            "user_no": 3,
            "source": Source.MENU,
            "details": {"user_type": "normal"},
        },
        {
            "kind": EventKind.CREDENTIAL_ADDED,
            "user_no": 3,
            "source": Source.MENU,
            "details": {"cred_id": 10, "cred_type": "face", "duress": False},
        },
    )
    expect(page.get_by_test_id("user-003").locator("[data-cred] > span")).to_have_text(["Face"])
    assert page.evaluate("window.__same") is True  # no reload


def test_a_scene_armed_lock_shows_armed_in_settings_and_unticking_disarms_D_MODE_ARM(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    """Bug: after "Leaving home" armed the lock, Settings showed Armed unticked and
    unticking sent nothing; the siren kept going."""
    device_id, serial = lock
    world.state(serial, DoorState.LOCKED, modes={"armed": True})  # armed by a scene
    page.goto(f"/app/devices/{device_id}/settings")
    armed = page.get_by_test_id("setting-armed")
    expect(armed).to_be_checked()
    armed.uncheck()
    expect(page.get_by_test_id("settings-message")).to_have_text("Saved")
    sent = world.link.commands[-1]
    assert sent.action == "set_mode" and sent.params == {"mode": "armed", "on": False}
    world.state(serial, DoorState.LOCKED, modes={"armed": False})  # the lock's report
    expect(armed).not_to_be_checked()
    expect(page.locator("#setting-armed-pending")).to_be_hidden()
    # The shadow follows, so the retained settings never arm it again.
    r = page.request.get(f"/api/v1/devices/{device_id}/settings")
    assert r.json()["desired"].get("armed", False) is False


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alarm_banner_and_mode_switches_on_the_status_page_A_STATUS_A_NOTIFY(
    page: Any, world: WebWorld, lock: tuple[str, str], context: Any, lang: str
) -> None:
    device_id, serial = lock
    context.add_cookies([{"name": "smartlock_lang", "value": lang, "url": world.base}])
    world.state(serial, DoorState.OPEN, modes={"armed": True})
    page.goto(f"/app/devices/{device_id}")
    expect(page.get_by_test_id("mode-armed")).to_have_attribute("aria-checked", "true")
    banner = page.get_by_test_id("alarm-banner")
    expect(banner).to_be_hidden()
    world.events(serial, {"kind": EventKind.INTRUSION, "source": Source.SYSTEM})
    expect(banner).to_be_visible()
    title = {"en": "Intrusion alarm", "zh": "闯入报警"}[lang]
    expect(page.get_by_test_id("alarm-title")).to_have_text(title)
    # The alarm stands out in the list too.
    expect(page.locator("#recent-events li.alarm").first).to_contain_text(title)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "issue16" / f"phone-{lang}-status-alarm.png"), full_page=True)
    a11y.check(page, "alarm banner")
    page.get_by_test_id("alarm-disarm").click()
    expect(banner).to_be_hidden()
    assert world.link.commands[-1].params == {"mode": "armed", "on": False}
    # Any mode is a switch: anti-lock on, answered by the lock.
    world.state(serial, DoorState.LOCKED, modes={"armed": False})
    page.get_by_test_id("mode-anti_lock").click()
    expect(page.get_by_test_id("modes-result")).to_have_attribute("data-status", "done")
    assert world.link.commands[-1].params == {"mode": "anti_lock", "on": True}
    # Dismiss hides a duress alarm in this browser (it made no sound on the lock).
    world.events(serial, {"kind": EventKind.DURESS, "user_no": 2, "source": Source.KEYPAD})
    expect(page.get_by_test_id("alarm-title")).to_have_text(
        {"en": "Duress alarm", "zh": "胁迫报警"}[lang]
    )
    page.get_by_test_id("alarm-dismiss").click()
    expect(banner).to_be_hidden()
    page.reload()
    page.wait_for_selector("#recent-events li")
    expect(banner).to_be_hidden()


def test_viewer_sees_modes_as_text_not_as_switches_A_STATUS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    api_sign_in(page, "vic@example.org")
    csrf = api_sign_in(page, "ann@example.org")
    r = page.request.post(
        f"/api/v1/devices/{device_id}/shares",
        data={"email": "vic@example.org", "role": "viewer"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status == 201, r.text()
    api_sign_in(page, "vic@example.org")
    page.goto(f"/app/devices/{device_id}")
    expect(page.get_by_test_id("mode-armed")).to_be_disabled()
    expect(page.locator("#modes-hint")).to_be_visible()


def test_doorbell_card_says_when_the_newest_ring_came_without_a_picture_A_LIVE(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    then = time.time() - 600
    world.events(serial, {"kind": EventKind.DOORBELL, "source": Source.SYSTEM, "at": then})
    world.lock_says(serial, Snapshot(kind="doorbell", seq=1, taken_at=then, jpeg_b64=_jpeg()))
    page.goto(f"/app/devices/{device_id}")
    caption = page.get_by_test_id("doorbell-caption")
    expect(caption).to_have_attribute("data-state", "picture")
    expect(caption).to_contain_text("Doorbell rang")
    world.events(serial, {"kind": EventKind.DOORBELL, "source": Source.SYSTEM})
    expect(caption).to_have_attribute("data-state", "no_picture")
    expect(caption).to_contain_text("without a picture")
    expect(caption).to_contain_text("The picture is from an earlier ring")
    expect(page.get_by_test_id("doorbell-image")).to_have_class("stale")


def test_visitor_uses_update_live_and_a_used_up_code_offers_no_edit_A_TEMP(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    page.goto(f"/app/devices/{device_id}/temp")
    page.fill("#temp-name", "Cleaner")
    page.select_option("#temp-uses", "n")
    page.fill("#temp-count", "2")
    page.click("#temp-submit")
    once = page.get_by_test_id("temp-code-once")
    expect(once).to_be_visible()
    # Share the code at once, with its validity (the cloud never shows it again).
    expect(page.get_by_test_id("temp-share-text")).to_contain_text("Hello Cleaner")
    expect(page.get_by_test_id("temp-share-text")).to_contain_text("up to 2 times")
    code = page.locator("#temp-once-code").inner_text()
    expect(page.get_by_test_id("temp-share-text")).to_contain_text(code)
    page.get_by_test_id("temp-once-copy").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Message copied")
    sent = next(c for c in world.link.commands if c.action == "add_temp_password")
    temp_id = sent.params["temp_id"]
    world.events(
        serial,
        {
            "kind": EventKind.CREDENTIAL_ADDED,
            "source": Source.REMOTE,
            "details": {"cred_type": "temp_pin", "temp_id": temp_id},
        },
    )
    row = page.locator("[data-temp]").first
    expect(row).to_contain_text("used 0 of 2")
    expect(row.get_by_role("button", name="Edit: Cleaner")).to_be_visible()
    for uses in (1, 2):
        world.events(
            serial,
            {
                "kind": EventKind.UNLOCK,
                "method": Method.TEMP_PASSWORD,
                "source": Source.KEYPAD,
                "details": {"temp_id": temp_id, "uses": uses},
            },
        )
        expect(row).to_contain_text(f"used {uses} of 2")
    expect(row).to_have_attribute("data-state", "used_up")
    expect(row.get_by_role("button")).to_have_count(0)
    # The records name the visitor instead of "—".
    page.goto(f"/app/devices/{device_id}/records")
    expect(page.locator("#records-body tr").first).to_contain_text("Visitor: Cleaner")


def test_records_and_recent_events_say_what_changed_and_who_A_RECORDS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    device_id, serial = lock
    world.lock_says(serial, ShadowReported(version=0, settings={"remote_unlock": True}))
    r = page.request.post(
        f"/api/v1/devices/{device_id}/unlock",
        data={"request_id": "remote-0001", "password": "correct horse battery"},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert r.ok, r.text()
    command_id = r.json()["id"]
    world.events(
        serial,
        {"kind": EventKind.UNLOCK, "method": Method.REMOTE, "source": Source.REMOTE},
        {
            "kind": EventKind.REMOTE_COMMAND,
            "source": Source.REMOTE,
            "details": {"action": "unlock", "request_id": command_id, "ok": True},
        },
        {
            "kind": EventKind.SETTING_CHANGED,
            "source": Source.REMOTE,
            "details": {"name": "auto_relock_s", "value": 8},
        },
        {
            "kind": EventKind.REMOTE_COMMAND,
            "source": Source.REMOTE,
            "details": {"action": "change_setting", "request_id": "x" * 12, "ok": True},
        },
    )
    page.goto(f"/app/devices/{device_id}")
    recent = page.get_by_test_id("recent-events")
    expect(recent.locator("li").first).to_contain_text("Setting changed · Relock after")
    expect(recent.locator("li").first).to_contain_text(": 8")
    expect(recent.locator('li[data-kind="remote_command"]')).to_have_count(0)
    page.goto(f"/app/devices/{device_id}/records")
    rows = page.locator("#records-body tr")
    expect(rows.filter(has_text="Unlocked").first).to_contain_text("ann@example.org")
    expect(page.locator("#records-body")).not_to_contain_text("null")


def test_activity_shows_a_chart_by_method_and_a_timeline_by_day_A_RECORDS(
    page: Any, world: WebWorld, lock: tuple[str, str], context: Any
) -> None:
    device_id, serial = lock
    yesterday = time.time() - 86400
    world.events(
        serial,
        unlock(1, at=yesterday),
        unlock(2, Method.FACE, at=yesterday),
        unlock(2, Method.FACE, at=yesterday),
        {"kind": EventKind.TAMPER, "source": Source.SYSTEM},
    )
    page.goto(f"/app/devices/{device_id}/activity")
    chart = page.get_by_test_id("activity-chart")
    expect(chart).to_be_visible()
    expect(page.get_by_test_id("chart-total")).to_contain_text("6 unlocks")
    faces = chart.locator('rect[data-method="face"]')
    assert sum(int(x) for x in faces.evaluate_all("e => e.map(r => r.dataset.count)")) == 3
    expect(page.get_by_test_id("chart-legend")).to_contain_text("Face")
    heads = page.locator("#timeline .day-head")
    expect(heads).to_have_text(["Today", "Yesterday"])
    page.check("#activity-alarms")
    expect(page.locator("#timeline li")).to_have_count(1)
    expect(page.locator("#timeline li")).to_contain_text("Tamper alarm")
    context.add_cookies([{"name": "smartlock_lang", "value": "zh", "url": world.base}])
    page.reload()
    expect(page.locator("#timeline .day-head").first).to_have_text("今天")
    expect(page.get_by_test_id("chart-legend")).to_contain_text("人脸")


def test_words_stay_whole_in_chinese_records_and_chart_text_stays_page_sized_A_RECORDS(
    page: Any, world: WebWorld, lock: tuple[str, str], context: Any
) -> None:
    """On a phone in 中文 the records' narrow columns keep "密码" / "用户" whole (they broke
    into one character a line); on a desktop the chart's day labels stay near the page's
    text size instead of growing with the card."""
    device_id, _ = lock
    context.add_cookies([{"name": "smartlock_lang", "value": "zh", "url": world.base}])
    page.goto(f"/app/devices/{device_id}/records")
    page.wait_for_selector("#records-body tr")
    lines = page.evaluate(
        """() => [...document.querySelectorAll("#records-table th, #records-body td")]
          .filter((c) => /^[\u4e00-\u9fff]{2}$/.test(c.textContent.trim()))
          .map((c) => { const r = document.createRange(); r.selectNodeContents(c);
                        const tops = new Set([...r.getClientRects()].map((b) => Math.round(b.top)));
                        return [c.textContent.trim(), tops.size]; })"""
    )
    assert any(word == "密码" for word, _ in lines), lines
    assert all(n == 1 for _, n in lines), lines
    page.set_viewport_size(DESKTOP)
    page.goto(f"/app/devices/{device_id}/activity")
    label = page.get_by_test_id("activity-chart").locator("text").last.bounding_box()
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert label is not None and label["height"] <= 1.6 * body, (label, body)


def test_notifications_layout_mark_all_clear_of_the_list_unread_padded_A_NOTIFY(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    _, serial = lock
    world.events(serial, {"kind": EventKind.DOORBELL, "source": Source.SYSTEM})
    page.goto("/app/notifications")
    item = page.locator("#notes-list li.unread").first
    expect(item).to_be_visible()
    button = page.locator("#notes-read-all").bounding_box()
    listing = page.locator("#notes-list").bounding_box()
    assert button and listing and button["y"] + button["height"] <= listing["y"], (button, listing)
    pad = item.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")
    assert pad >= 8
    # In 中文 the centre speaks 中文 (the text stored for push channels is English).
    page.get_by_test_id("lang-zh").click()
    expect(page.locator("#notes-list li strong").first).to_have_text("门铃")


def test_pairing_reads_the_label_qr_from_an_uploaded_photo_D_PAIR(
    page: Any, world: WebWorld
) -> None:
    """The label's QR (segno) in a photo, read by the server's decoder (OpenCV)."""
    import segno

    api_sign_in(page, "ann@example.org")
    label = world.pairing_mode()
    qr = segno.make(label.qr_text(), error="m")
    out = io.BytesIO()
    qr.save(out, kind="png", scale=8, border=4)
    photo = Image.open(io.BytesIO(out.getvalue())).convert("RGB").resize((400, 400))
    canvas = Image.new("RGB", (900, 700), (210, 205, 195))  # the label on a door
    canvas.paste(photo, (250, 150))
    shot = io.BytesIO()
    canvas.save(shot, "JPEG", quality=85)
    page.goto("/app/pair")
    page.set_input_files(
        "#scan-file",
        files=[{"name": "label.jpg", "mimeType": "image/jpeg", "buffer": shot.getvalue()}],
    )
    expect(page.locator("#pair-serial")).to_have_value(label.serial)
    expect(page.locator("#pair-code")).to_have_value(label.code.replace("-", ""))
    expect(page.locator("#scan-status")).to_contain_text("Read the label")
    page.click("#pair-submit")
    page.wait_for_url("**/app/devices/*")
    # A photo without a code says so and keeps the form.
    page.goto("/app/pair")
    blank = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 255, 255)).save(blank, "JPEG")
    page.set_input_files(
        "#scan-file",
        files=[{"name": "x.jpg", "mimeType": "image/jpeg", "buffer": blank.getvalue()}],
    )
    expect(page.locator("#scan-status")).to_contain_text("No QR code")


def test_invite_someone_without_an_account_by_link_A_SHARE(
    page: Any, world: WebWorld, lock: tuple[str, str], browser: Any
) -> None:
    device_id, _ = lock
    page.goto(f"/app/devices/{device_id}/shares")
    page.fill("#share-email", "Bea@Example.org")
    page.click("#share-submit")
    expect(page.locator("#share-error")).to_contain_text("no account with this email yet")
    expect(page.get_by_test_id("share-invite")).to_be_focused()
    page.get_by_test_id("share-invite").click()
    expect(page.get_by_test_id("invite-once")).to_contain_text("bea@example.org")
    link = page.get_by_test_id("invite-link").input_value()
    assert "/app/invite#" in link
    a11y.check(page, "invitation made")
    # Bea opens the link in her own browser, signs up with the invited email, accepts.
    ctx = browser.new_context(base_url=world.base, viewport=PHONE)
    try:
        bea = ctx.new_page()
        bea.goto(link)
        expect(bea.get_by_test_id("invite-text")).to_contain_text(
            'ann@example.org invites you to the lock "Front door" as Member'
        )
        a11y.check(bea, "invitation page")
        bea.get_by_test_id("invite-signup").click()
        expect(bea.locator("#signup-email")).to_have_value("bea@example.org")
        bea.fill("#signup-password", "another good password")
        bea.fill("#signup-password2", "another good password")
        bea.click("#signup-submit")
        bea.wait_for_url("**/app/invite")
        bea.get_by_test_id("invite-accept").click()
        bea.wait_for_url(f"**/app/devices/{device_id}")
        expect(bea.get_by_test_id("device-name")).to_have_text("Front door")
        # A forwarded link is no use to another account.
        api_sign_in(bea, "eve@example.org")
        bea.goto(link)
        bea.get_by_test_id("invite-accept").click()
        expect(bea.get_by_test_id("invite-error")).to_contain_text("for another email")
    finally:
        ctx.close()
    page.reload()
    expect(page.get_by_test_id("share-list")).to_contain_text("bea@example.org — Member")


def test_enrol_fingerprint_from_the_user_page_and_it_appears_live_D_FINGER_ENROL(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    """The user page asks the lock to enrol a finger; the credential shows once the
    lock's module has stored it (the lock journals it), with no reload."""
    device_id, serial = lock
    page.goto(f"/app/devices/{device_id}/users")
    page.evaluate("window.__same = true")
    expect(page.locator("#user-002-fp-hint")).to_contain_text("never leave the lock")
    page.check("#user-002-fp-duress")
    page.click("#user-002-fp-enrol")
    expect(page.get_by_test_id("users-message")).to_have_text("Done.")
    sent = world.link.commands[-1]
    assert sent.action == "enrol_fingerprint" and sent.params == {"user_no": 2, "duress": True}
    world.events(
        serial,
        {
            "kind": EventKind.CREDENTIAL_ADDED,
            "user_no": 2,
            "source": Source.REMOTE,
            "details": {"cred_id": 11, "cred_type": "fingerprint", "duress": True},
        },
    )
    expect(page.get_by_test_id("user-002").locator("[data-cred] > span")).to_have_text(
        ["Face", "Password (duress)", "Fingerprint (duress)"]
    )
    page.check("#user-002-fp-duress")  # the list was redrawn: a second duress finger
    page.click("#user-002-fp-enrol")  # is refused on the page (D-FINGER-1)
    expect(page.get_by_test_id("user-002").locator(".fp .error")).to_have_text(
        "This user has a fingerprint; delete it to enrol another."
    )
    # An enrolment the app started that fails at the lock says why, live.
    world.events(
        serial,
        {
            "kind": EventKind.FINGERPRINT_ENROL_FAILED,
            "user_no": 2,
            "source": Source.REMOTE,
            "details": {"reason": "presses_differ"},
        },
    )
    expect(page.get_by_test_id("users-message")).to_have_text(
        "Fingerprint enrolment for user 002 failed: the presses were not the same finger"
    )
    assert page.evaluate("window.__same") is True


def test_a_status_arriving_while_a_switch_saves_does_not_flip_it_back_A_SETTINGS(
    page: Any, world: WebWorld, lock: tuple[str, str]
) -> None:
    """Bug (a flaky e2e test under load): the lock's status came in on the live channel
    while a switch's change was on its way; the page reloaded the settings and showed
    the old value again, so the switch flipped back under the user's finger."""
    device_id, serial = lock
    world.lock_says(serial, ShadowReported(version=0, settings={"remote_unlock": False}))
    page.goto(f"/app/devices/{device_id}/settings")
    switch = page.locator("#setting-remote_unlock")
    expect(page.locator('[data-setting="remote_unlock"]')).to_have_attribute(
        "data-pending", "false"
    )
    expect(switch).to_be_enabled()
    expect(switch).not_to_be_checked()
    held: list[Any] = []  # the PATCH, kept in flight until the status has come and gone

    def hold_patch(route: Any) -> None:
        if route.request.method == "PATCH":
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/devices/*/settings", hold_patch)
    switch.click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the change was not sent"
    with page.expect_response(
        lambda r: r.request.method == "GET" and r.url.endswith("/settings")
    ) as reloaded:
        world.state(serial, DoorState.LOCKED)  # a status while the change is saved
    assert reloaded.value.ok
    page.wait_for_timeout(100)  # the page has applied what it reloaded
    assert switch.is_checked()
    held[0].continue_()
    expect(page.get_by_test_id("settings-message")).to_have_text("Saved")
    assert switch.is_checked()
