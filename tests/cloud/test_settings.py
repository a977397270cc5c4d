"""The settings shadow: desired / reported / version, conflicts, offline changes
(A-SETTINGS)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud.services import Services
from smartlock.link.schemas import ShadowReported

from .helpers import API, add_lock, lock_says, user

SERIAL = "SLTEST0001"


@pytest.fixture
def setup(client: TestClient, services: Services) -> dict[str, Any]:
    ann = user(client, "ann@example.org")
    device, key = add_lock(
        services, "ann@example.org", SERIAL, online=False, reported={"anti_lock": False}
    )
    return {"ann": ann, "id": device.id, "key": key}


def test_change_while_offline_is_pending_until_the_lock_reports_it_A_SETTINGS(
    client: TestClient, services: Services, setup: dict[str, Any]
) -> None:
    url = f"{API}/devices/{setup['id']}/settings"
    r = client.patch(
        url,
        json={"version": 0, "changes": {"anti_lock": True, "watch_window_s": 45}},
        headers=setup["ann"],
    )
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["version"] == 1
    assert shown["pending"] == {"anti_lock": True, "watch_window_s": 45}
    assert not shown["in_sync"]
    # The lock reconnects, applies version 1 and reports it.
    lock_says(
        services,
        setup["key"],
        SERIAL,
        ShadowReported(version=1, settings={"anti_lock": True, "watch_window_s": 45}),
    )
    shown = client.get(url, headers=setup["ann"]).json()
    assert shown["pending"] == {} and shown["in_sync"]
    assert shown["reported"]["anti_lock"] is True


def test_a_stale_version_is_a_conflict_and_changes_nothing_A_SETTINGS(
    client: TestClient, setup: dict[str, Any]
) -> None:
    url = f"{API}/devices/{setup['id']}/settings"
    assert (
        client.patch(
            url, json={"version": 0, "changes": {"mute": True}}, headers=setup["ann"]
        ).status_code
        == 200
    )
    r = client.patch(url, json={"version": 0, "changes": {"mute": False}}, headers=setup["ann"])
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    assert client.get(url, headers=setup["ann"]).json()["desired"]["mute"] is True


def test_a_change_made_at_the_lock_becomes_the_desired_value_A_SETTINGS(
    client: TestClient, services: Services, setup: dict[str, Any]
) -> None:
    """Anti-lock toggled by the inside button (D-MODE-ANTI) after the app's change."""
    url = f"{API}/devices/{setup['id']}/settings"
    client.patch(url, json={"version": 0, "changes": {"anti_lock": True}}, headers=setup["ann"])
    lock_says(
        services, setup["key"], SERIAL, ShadowReported(version=1, settings={"anti_lock": True})
    )
    lock_says(
        services, setup["key"], SERIAL, ShadowReported(version=1, settings={"anti_lock": False})
    )
    shown = client.get(url, headers=setup["ann"]).json()
    assert shown["desired"]["anti_lock"] is False and shown["in_sync"]


def test_out_of_range_and_unknown_settings_are_refused_A_SETTINGS(
    client: TestClient, setup: dict[str, Any]
) -> None:
    url = f"{API}/devices/{setup['id']}/settings"
    for changes in (
        {"watch_window_s": 2},
        {"watch_window_s": "30"},
        {"sensitivity": "extreme"},
        {"self_destruct": True},
        {},
    ):
        r = client.patch(url, json={"version": 0, "changes": changes}, headers=setup["ann"])
        assert r.status_code == 422, changes
    assert client.get(url, headers=setup["ann"]).json()["version"] == 0
