"""Issue 13, finding 1 (and 5's camera bomb): the demo panel obeys only whoever holds
the run's secret, and a hostile picture gets a clear 4xx, not a 500.

No browser needed: the panel's own routes on a real virtual lock (not started: the
requests act on its hardware directly, as the panel does).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from smartlock.demo.lockproc import LockProcess
from smartlock.demo.panel import new_panel_key, panel_router
from smartlock.link.connection import BrokerConfig

KNOB = {"action": "mechanism", "mechanism": "knob"}  # turns the bolt back by hand


@pytest.fixture
def lock(tmp_path: Path) -> LockProcess:
    return LockProcess(tmp_path / "lock", BrokerConfig("127.0.0.1", 1))


@pytest.fixture
def panel(lock: LockProcess) -> Iterator[tuple[TestClient, str]]:
    key = new_panel_key()
    app = FastAPI()
    app.include_router(panel_router([lock], key))
    lock.hardware.bolt.throw()
    with TestClient(app) as client:
        yield client, key


def _requests(client: TestClient) -> list[int]:
    """Everything the panel serves, asked without the key."""
    return [
        client.get("/panel").status_code,
        client.get("/panel/1").status_code,
        client.get("/panel/static/panel.js").status_code,
        client.get("/panel/1/state").status_code,
        client.get("/panel/1/events").status_code,
        client.post("/panel/1/act", json=KNOB).status_code,
        client.post(
            "/panel/1/act", json={"action": "button", "button": "unlock", "held_s": 0.1}
        ).status_code,
        client.post(
            "/panel/1/camera", content=b"\x89PNG", headers={"content-type": "image/png"}
        ).status_code,
        client.delete("/panel/1/camera").status_code,
    ]


def test_panel_refuses_every_request_without_the_run_key_issue13_finding1(
    panel: tuple[TestClient, str], lock: LockProcess
) -> None:
    """What apprise's json:// did (a POST to /panel/1/act from the cloud's own host)
    and what any local process could do: all refused, nothing moved."""
    client, _ = panel
    assert _requests(client) == [401] * 9
    assert lock.hardware.bolt.state.value == "thrown"
    # A key from another run, in the URL or in the header, opens nothing either.
    other = new_panel_key()
    assert client.get(f"/panel/1?key={other}", follow_redirects=False).status_code == 401
    headers = {"X-Panel-Key": other}
    assert client.post("/panel/1/act", json=KNOB, headers=headers).status_code == 401
    assert lock.hardware.bolt.state.value == "thrown"


def test_the_printed_link_sets_a_strict_http_only_cookie_issue13_finding1(
    panel: tuple[TestClient, str], lock: LockProcess
) -> None:
    client, key = panel
    first = client.get(f"/panel/1?key={key}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/panel/1"
    set_cookie = first.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    assert "path=/panel" in set_cookie
    assert client.get("/panel/1").status_code == 200  # the cookie now carries the key
    assert client.get("/panel/1/state").json()["serial"] == lock.serial
    answer = client.post("/panel/1/act", json=KNOB)
    assert answer.json() == {"ok": True}
    assert lock.hardware.bolt.state.value == "retracted"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_decompression_bomb_photo_is_refused_with_422_issue13_finding5(
    panel: tuple[TestClient, str],
) -> None:
    """A 20000x20000 one-bit PNG is ~48 KB on the wire and 1.2 GB decoded."""
    client, key = panel
    bomb = _png(20_000, 20_000)
    assert len(bomb) < 100_000
    headers = {"content-type": "image/png", "X-Panel-Key": key}
    answer = client.post("/panel/1/camera", content=bomb, headers=headers)
    assert answer.status_code == 422
    assert "pixels" in answer.json()["detail"]
    fine = client.post("/panel/1/camera", content=_png(64, 48), headers=headers)
    assert fine.status_code == 200
