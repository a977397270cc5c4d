"""The demo's virtual lock panel through the same accessibility check as the app's
pages (issue 16): axe-core with 0 serious or critical violations, touch targets of at
least 44 px, the keypad, the fingerprint pad and the doorbell reached with Tab and
operated with Enter and Space, at 390×844 and a desktop size, in English and 中文;
screenshots written beside the app's (artifacts/screenshots/issue16/).

The panel is served here as the demo serves it (``panel_router``) for one factory-new
virtual lock of its own, running but with no broker, so pressing its keys cannot
disturb the demo's locks the e2e tests share.

Rules proved here (named in the tests' names): A-PANEL, D-FIRST, D-FINGER-HW.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import expect

from smartlock.demo.lockproc import LockProcess
from smartlock.demo.panel import new_panel_key, panel_router
from smartlock.link.connection import BrokerConfig

from . import a11y
from .conftest import DESKTOP, PHONE, SHOTS
from .world import free_port

pytestmark = pytest.mark.e2e

SIZES = [("phone", PHONE), ("desktop", DESKTOP)]


class PanelServer:
    """One virtual lock's panel on uvicorn in a thread; ``link`` is the printed URL."""

    def __init__(self, data: Path) -> None:
        self.lock = LockProcess(data / "lock", BrokerConfig("127.0.0.1", 1))
        key = new_panel_key()
        app = FastAPI()
        app.include_router(panel_router([self.lock], key))
        port = free_port()
        self.link = f"http://127.0.0.1:{port}/panel/1?key={key}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self.server.serve())
        pending = asyncio.all_tasks(loop)  # the event streams' tasks
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    def __enter__(self) -> PanelServer:
        self.lock.runtime.start()
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(5)
        self.lock.runtime.stop()
        self.lock.durable.store.close()


@pytest.fixture
def panel_server(tmp_path: Path) -> Iterator[PanelServer]:
    with PanelServer(tmp_path) as server:
        yield server


def _open(browser: Any, server: PanelServer, viewport: dict[str, int], lang: str) -> Any:
    ctx = browser.new_context(viewport=viewport, locale="en-US")
    ctx.set_default_timeout(15_000)
    # The panel remembers the chosen voice language (the select at the top).
    ctx.add_init_script(f"localStorage.setItem('smartlock-lang', '{lang}')")
    page = ctx.new_page()
    page.goto(server.link)
    expect(page.locator("#serial")).to_have_text(server.lock.serial)
    return page


def _said(page: Any) -> int:
    return int(page.locator("#said").get_attribute("data-total") or 0)


@pytest.mark.parametrize("size,viewport", SIZES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_panel_passes_axe_has_44px_targets_and_fits_A_PANEL(
    browser: Any, panel_server: PanelServer, size: str, viewport: dict[str, int], lang: str
) -> None:
    """The panel as the demo opens it, with its label's QR and a prompt in the list."""
    out = SHOTS / "issue16"
    out.mkdir(parents=True, exist_ok=True)
    page = _open(browser, panel_server, viewport, lang)
    try:
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
        heading = "正面（室外）" if lang == "zh" else "Front (outside)"
        expect(page.locator("#front-h")).to_have_text(heading)
        expect(page.get_by_test_id("qr-image")).to_be_visible()
        page.locator('#keypad [data-key="5"]').click()  # wakes it: the lit keypad, a prompt
        expect(page.locator("#said li")).not_to_have_count(0)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the panel scrolls sideways on {size} by {overflow}px"
        page.screenshot(path=str(out / f"{size}-{lang}-panel.png"), full_page=True)
        a11y.check(page, f"panel ({size}, {lang})")
    finally:
        page.context.close()


def _tab_to(page: Any, selector: str, limit: int = 80) -> list[str]:
    """Press Tab until `selector` has the focus; every stop shows a focus ring (on the
    label for a visually hidden file input: the label is what is seen)."""
    reached = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """(sel) => { const e = document.activeElement;
              const seen = e.classList.contains("visually-hidden") ? e.closest("label") : e;
              const s = getComputedStyle(seen);
              return [e.id || (e.dataset.key && "key " + e.dataset.key)
                        || (e.dataset.finger && "finger " + e.dataset.finger) || e.tagName,
                      s.outlineStyle, s.outlineWidth, e.matches(sel)]; }""",
            selector,
        )
        reached.append(info[0])
        assert info[1] != "none" and info[2] != "0px", f"no visible focus on {info[0]}"
        if info[3]:
            return reached
    raise AssertionError(f"Tab never reached {selector}: {reached}")


def _said_more(page: Any, since: int) -> None:
    page.wait_for_function(
        "(n) => Number(document.getElementById('said').dataset.total) > n", arg=since
    )


# What the keyboard test sees, in each language of the panel.
WORDS = {
    "en": {
        "first": "Press # to add the master user",
        "chime": "Ding-dong (doorbell chime)",
        "finger": "Press the right index finger",
    },
    "zh": {"first": "请按#号键添加主用户", "chime": "叮咚（门铃声）", "finger": "按下右手食指"},
}


@pytest.mark.parametrize("size,viewport", SIZES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_keyboard_reaches_and_operates_keypad_fingers_and_doorbell_A_PANEL_D_FIRST(
    browser: Any, panel_server: PanelServer, size: str, viewport: dict[str, int], lang: str
) -> None:
    """Tab from the top: a key, Enter, the factory-new lock wakes and asks for the master
    user; on to the doorbell, Space rings it (seen as well as heard); on to a finger,
    Enter and Space each press it once."""
    words = WORDS[lang]
    page = _open(browser, panel_server, viewport, lang)
    hw = panel_server.lock.hardware
    try:
        expect(page.locator("#said-empty")).to_be_visible()  # nothing said yet: it says so
        path = _tab_to(page, '#keypad [data-key="1"]')
        assert path.index("lang") < path.index("key 1"), path  # the top bar, then the lock
        since = _said(page)
        page.keyboard.press("Enter")
        expect(page.locator("#keypad")).to_have_class("keypad awake")
        _said_more(page, since)
        expect(page.locator("#said li").last).to_have_text(words["first"])
        expect(page.locator("#prompt")).to_have_text(words["first"])
        expect(page.locator("#said-empty")).to_be_hidden()
        page.keyboard.press("Tab")  # the next key, in reading order
        expect(page.locator('#keypad [data-key="2"]')).to_be_focused()

        path = _tab_to(page, "#doorbell")
        assert path[-2] == "key #", path  # straight after the keypad's last key
        chimes = hw.speaker.chimes
        page.keyboard.press(" ")
        expect(page.locator("#sound")).to_have_text(words["chime"])
        assert hw.speaker.chimes == chimes + 1

        _tab_to(page, '[data-finger="6"]')
        presses = len(hw.fingerprint.module.commands)
        since = _said(page)
        page.keyboard.press("Enter")  # no users yet: the lock says so (D-FIRST)
        _said_more(page, since)
        expect(page.locator("#said li").last).to_have_text(words["first"])
        since = _said(page)
        page.keyboard.press(" ")
        _said_more(page, since)
        assert len(hw.fingerprint.module.commands) > presses
        finger = page.get_by_role("button", name=words["finger"], exact=True)
        expect(finger).to_be_focused()
        _tab_to(page, "#finger-smudged")  # the pad's own option, then the camera
        _tab_to(page, "#photo")
    finally:
        page.context.close()
