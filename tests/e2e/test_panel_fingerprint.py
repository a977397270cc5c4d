"""The panel's fingerprint pad: ten virtual fingers, each click one press on the
simulated module behind the real driver (no browser: the panel's own routes).

Rules: D-FINGER-HW (the virtual lock's sensor), D-FINGER-OPEN.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartlock.demo.lockproc import LockProcess
from smartlock.demo.panel import new_panel_key, panel_router
from smartlock.device.core.prompts import PromptId, render
from smartlock.link.connection import BrokerConfig


@pytest.fixture
def panel(tmp_path: Path) -> Iterator[tuple[TestClient, LockProcess]]:
    lock = LockProcess(tmp_path / "lock", BrokerConfig("127.0.0.1", 1))
    key = new_panel_key()
    app = FastAPI()
    app.include_router(panel_router([lock], key))
    with TestClient(app, headers={"X-Panel-Key": key}) as client:
        yield client, lock


def test_the_pad_has_ten_fingers_D_FINGER_HW(panel: tuple[TestClient, LockProcess]) -> None:
    client, _ = panel
    page = client.get("/panel/1").text
    assert page.count("data-finger=") == 10 and 'id="finger-pad"' in page


def test_a_finger_press_reaches_the_lock_through_the_module_D_FINGER_OPEN(
    panel: tuple[TestClient, LockProcess],
) -> None:
    client, lock = panel
    lock.runtime.boot()
    r = client.post("/panel/1/act", json={"action": "finger", "finger": 3})
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert lock.hardware.fingerprint.module.commands  # the library spoke to the module
    said = lock.hardware.speaker.said
    assert render(PromptId.ADD_MASTER_FIRST, "en") in said  # no users yet (D-FIRST)


def test_a_finger_that_is_not_one_of_ten_is_refused_D_FINGER_HW(
    panel: tuple[TestClient, LockProcess],
) -> None:
    client, _ = panel
    for finger in (10, -1, "3", True):
        r = client.post("/panel/1/act", json={"action": "finger", "finger": finger})
        assert r.status_code == 422
