"""Page objects: the virtual lock panel, the web app's pages, and the JSON API.

`Panel` and `WebApp` are used with clicks and typing as a person would. `App` is the
cloud's JSON API through the browser context's own request client (same cookies,
the CSRF header a page sends), for what no page shows.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

API = "/api/v1"

SAID_SINCE = """([since, text]) => {
  const list = document.getElementById('said');
  const total = Number(list.dataset.total || 0);
  const items = [...list.children].map((li) => li.textContent);
  const first = total - items.length;
  return items.slice(Math.max(0, since - first)).includes(text);
}"""


class Panel:
    """The virtual lock's panel, used with clicks as a person would."""

    def __init__(self, page: Page, base: str, n: int, key: str) -> None:
        self.page = page
        page.goto(f"{base}/panel/{n}?key={key}")  # the link the demo printed
        expect(page.locator("#serial")).not_to_have_text("…")

    @property
    def serial(self) -> str:
        return self.page.locator("#serial").inner_text()

    @property
    def code(self) -> str:
        return self.page.locator("#code").inner_text()

    def said_total(self) -> int:
        return int(self.page.locator("#said").get_attribute("data-total") or 0)

    def press_keys(self, keys: str) -> None:
        self.page.bring_to_front()  # a background tab's timers run once a second
        for key in keys:
            self.page.locator(f'#keypad [data-key="{key}"]').click()

    def says(self, text: str, since: int, timeout: float = 10_000) -> None:
        """Wait until the lock said `text` (shown in the prompt list) after `since`."""
        self.page.wait_for_function(SAID_SINCE, arg=[since, text], timeout=timeout)

    def type_and_hear(self, keys: str, text: str) -> None:
        since = self.said_total()
        self.press_keys(keys)
        self.says(text, since)

    def said_after(self, since: int) -> list[str]:
        items = self.page.locator("#said li").all_inner_texts()
        first = self.said_total() - len(items)
        return items[max(0, since - first) :]

    def door_state(self) -> str:
        return self.page.locator("#door-state").inner_text()

    def badge(self) -> Any:
        return self.page.locator("#link-state")

    def first_use(self, pin: str) -> None:
        """D-FIRST: touch a key, # for the master user, the password twice."""
        self.type_and_hear("1", "Press # to add the master user")
        self.type_and_hear("#", "Enter a 6 to 10 digit password, then press #")
        self.type_and_hear(f"{pin}#", "Enter the password again")
        self.type_and_hear(f"{pin}#", "Success")

    def open_menu(self, master_pin: str) -> None:
        since = self.said_total()
        self.page.locator("#settings").click()  # a short press of the settings key
        self.says("Verify a master user's face or password", since)
        self.type_and_hear(
            f"{master_pin}#", "1 new user, 2 user management, 3 system settings, 4 system info"
        )

    def leave_menu(self) -> None:
        since = self.said_total()
        for _ in range(6):
            self.press_keys("*")
            if "Leaving the menu" in self.said_after(since):
                return
            self.page.wait_for_timeout(150)
        self.says("Leaving the menu", since)


class App:
    """The JSON API in the browser's own session (cookie + CSRF), for steps a page
    does not show (the refusal of an unconfirmed unlock, the records' fields).
    """

    def __init__(self, context: BrowserContext, base: str, csrf: str) -> None:
        self.base = base
        self.request = context.request
        self.csrf = csrf

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"X-CSRF-Token": self.csrf}
        r = self.request.fetch(f"{self.base}{API}{path}", method=method, data=body, headers=headers)
        return r

    def device_id(self, serial: str) -> str:
        r = self.call("GET", "/devices")
        assert r.ok, r.text()
        found = [d["id"] for d in r.json()["data"] if d["serial"] == serial]
        assert found, f"{serial} is not in the app"
        return str(found[0])

    def wait_applied(self, device: str, **changes: Any) -> None:
        """Wait until the lock reports these settings (A-SETTINGS)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            s = self.call("GET", f"/devices/{device}/settings").json()
            if s["in_sync"] and all(s["reported"].get(k) == v for k, v in changes.items()):
                return
            time.sleep(0.2)
        raise AssertionError(f"the lock did not apply {changes}: {s}")

    def records(self, device: str, **filters: str) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        r = self.call("GET", f"/devices/{device}/records?{query}")
        assert r.ok, r.text()
        return list(r.json()["data"])

    def wait_records(self, device: str, count: int = 1, **filters: str) -> list[dict[str, Any]]:
        """At least `count` matching records, once the lock's journal has reached the cloud."""
        deadline = time.monotonic() + 10
        while len(found := self.records(device, **filters)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count} records {filters} in the app: {found}")
            time.sleep(0.2)
        return found


def request_id() -> str:
    return secrets.token_hex(8)


LOCAL_INPUT = """(minutes) => {
  const d = new Date(Date.now() + minutes * 60000);
  const p = (n) => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${day}T${p(d.getHours())}:${p(d.getMinutes())}`;
}"""


class WebApp:
    """The web engineer's pages (smartlock.web, under /app), used as a person would."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base

    def sign_in(self, email: str, password: str) -> None:
        self.page.goto(f"{self.base}/app/signin")
        self.page.locator("#signin-email").fill(email)
        self.page.locator("#signin-password").fill(password)
        self.page.locator("#signin-submit").click()
        self.page.wait_for_url(f"{self.base}/app/")

    def api(self) -> App:
        """The same session for the steps that have no page yet (cookie + CSRF cookie)."""
        cookies = {c["name"]: c["value"] for c in self.page.context.cookies()}
        return App(self.page.context, self.base, cookies["smartlock_csrf"])

    def pair(self, serial: str, code: str, name: str) -> str:
        self.page.goto(f"{self.base}/app/pair")
        self.page.locator("#pair-serial").fill(serial)
        self.page.locator("#pair-code").fill(code)
        self.page.locator("#pair-name").fill(name)
        self.page.locator("#pair-submit").click()
        self.page.wait_for_url(f"{self.base}/app/devices/*")
        return self.page.url.rsplit("/", 1)[-1]

    def device(self, device: str) -> None:
        self.page.goto(f"{self.base}/app/devices/{device}")
        expect(self.page.locator("#live-indicator")).to_have_attribute("data-live", "true")

    def recent(self, kind: str) -> Any:
        return self.page.locator(f'#recent-events li[data-kind="{kind}"]')

    def create_temp_password(self, device: str, name: str) -> str:
        page = self.page
        page.goto(f"{self.base}/app/devices/{device}/temp")
        page.locator("#temp-name").fill(name)
        page.locator("#temp-from").fill(page.evaluate(LOCAL_INPUT, -2))
        page.locator("#temp-until").fill(page.evaluate(LOCAL_INPUT, 120))
        page.locator("#temp-uses").select_option("once")
        page.locator("#temp-submit").click()
        code = page.locator("#temp-once-code")
        expect(code).to_have_text(re.compile(r"^\d{6,10}$"))
        return code.inner_text()

    def create_offline_code(self, device: str, name: str) -> str:
        page = self.page
        page.goto(f"{self.base}/app/devices/{device}/temp")
        page.locator("#offline-name").fill(name)
        page.locator("#offline-kind").select_option("one_time")
        page.locator("#offline-submit").click()
        code = page.locator("#offline-once-code")
        expect(code).to_have_text(re.compile(r"^\d{10,12}$"))
        return code.inner_text()

    def remote_unlock(self, password: str) -> Any:
        page = self.page
        page.locator("#remote-unlock").click()
        expect(page.locator("#unlock-dialog")).to_be_visible()
        page.locator("#unlock-password").fill(password)
        page.locator("#unlock-confirm").click()
        return page.locator("#remote-result")

    def set_setting(self, device: str, name: str, on: bool) -> None:
        """Flip a switch on the settings page; done once the lock reports it (A-SETTINGS)."""
        page = self.page
        page.goto(f"{self.base}/app/devices/{device}/settings")
        switch = page.locator(f"#setting-{name}")
        box = page.locator(f'[data-setting="{name}"]')
        expect(box).to_have_attribute("data-pending", "false")  # the page has loaded them
        expect(switch).to_be_enabled()
        switch.set_checked(on)
        expect(page.locator("#settings-message")).not_to_be_empty()
        expect(box).to_have_attribute("data-pending", "false", timeout=10_000)
        self.api().wait_applied(device, **{name: on})
