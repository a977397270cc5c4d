"""Browser tests of the web app: Debian's chromium (never a downloaded one) driving a
real uvicorn. Skipped when /usr/bin/chromium is absent, unless CI is set (then fail).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .world import PASSWORD, WebWorld

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


# Package scope: sync Playwright runs an event loop while it is open, which would
# break the asyncio tests of later packages.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait like actions do: CI machines can be several times slower than
    # a laptop, and Playwright's own 5 s default then fails pages that are only slow.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[WebWorld]:
    w = WebWorld(tmp_path / "data")
    w.start()
    yield w
    w.stop()


@pytest.fixture
def context(browser: Any, world: WebWorld) -> Iterator[Any]:
    ctx = browser.new_context(viewport=PHONE, base_url=world.base, locale="en-US")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def api_sign_in(page: Any, email: str, password: str = PASSWORD) -> str:
    """An account signed in within the page's browser context; returns the CSRF token."""
    r = page.request.post("/api/v1/auth/signup", data={"email": email, "password": password})
    assert r.status in (201, 409), r.text()
    r = page.request.post("/api/v1/auth/session", data={"email": email, "password": password})
    assert r.ok, r.text()
    return str(r.json()["csrf_token"])


def api_pair(page: Any, world: WebWorld, csrf: str, name: str = "Front door") -> tuple[str, str]:
    """Pair a lock in pairing mode through the API (D-PAIR); returns (device id, serial)."""
    label = world.pairing_mode()
    r = page.request.post(
        "/api/v1/devices",
        data={"serial": label.serial, "code": label.code, "name": name},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status == 201, r.text()
    return str(r.json()["id"]), label.serial


def user_events() -> list[dict[str, Any]]:
    """The journal of a lock with a master (password) and a normal user (face)."""
    from smartlock.vocab import EventKind, Source

    def ev(kind: EventKind, user_no: int, **details: Any) -> dict[str, Any]:
        return {"kind": kind, "user_no": user_no, "source": Source.MENU, "details": details}

    return [
        ev(EventKind.USER_ADDED, 1, user_type="master"),
        ev(EventKind.CREDENTIAL_ADDED, 1, cred_id=1, cred_type="pin", duress=False),
        ev(EventKind.USER_ADDED, 2, user_type="normal"),
        ev(EventKind.CREDENTIAL_ADDED, 2, cred_id=2, cred_type="face", duress=False),
        ev(EventKind.CREDENTIAL_ADDED, 2, cred_id=3, cred_type="pin", duress=True),
    ]


@pytest.fixture
def lock(page: Any, world: WebWorld) -> tuple[str, str]:
    """Ann signed in, with a paired lock that has users and a few records."""
    from smartlock.vocab import DoorState, Method

    from .world import unlock

    csrf = api_sign_in(page, "ann@example.org")
    device_id, serial = api_pair(page, world, csrf)
    world.state(serial, DoorState.LOCKED, battery=64)
    world.events(serial, *user_events())
    world.events(serial, unlock(1), unlock(2, Method.FACE), unlock(1))
    return device_id, serial
