"""A-SHARE: for each role and each endpoint family, allowed or denied as the spec says
(owner: all; admin: manage, not delete; member: status, records, remote unlock when the
owner allowed it; viewer: status, live view and records). A stranger gets 404.

Rules proved here (named in the tests' names): A-NOTIFY, A-STATUS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloud.helpers import PASSWORD, user
from smartlock.cloud.services import Services

from .helpers import API, pair, rid

ROLES = ("owner", "admin", "member", "member_unlock", "viewer", "stranger")
# family -> (method, path under /devices/{id}, body factory, roles allowed)
ALL = {"owner", "admin", "member", "member_unlock", "viewer"}
MANAGE = {"owner", "admin"}
FAMILIES: dict[str, tuple[str, str, Any, set[str]]] = {
    "status": ("GET", "/status", None, ALL),
    "records": ("GET", "/records", None, ALL),
    "users (read)": ("GET", "/users", None, ALL - {"viewer"}),
    "users (rename)": ("PATCH", "/users/001", lambda p: {"name": "Ann"}, MANAGE),
    "settings (read)": ("GET", "/settings", None, ALL - {"viewer"}),
    "settings (change)": (
        "PATCH",
        "/settings",
        lambda p: {
            "version": p.get("/settings").json()["version"],
            "changes": {"remote_unlock": True},
        },
        MANAGE,
    ),
    "remote unlock": (
        "POST",
        "/unlock",
        lambda p: {"request_id": rid(), "password": PASSWORD},
        {"owner", "admin", "member_unlock"},
    ),
    "temp passwords (list)": ("GET", "/temp-passwords", None, MANAGE),
    "offline codes (issue)": (
        "POST",
        "/offline-codes",
        lambda p: {"name": "V", "kind": "one_time"},
        MANAGE,
    ),
    "scenes (list)": ("GET", "/scenes", None, MANAGE),
    "sharing (list)": ("GET", "/shares", None, MANAGE),
    "notification switches": ("GET", "/notification-switches", None, ALL),
    "delete device": ("DELETE", "", None, {"owner"}),
}


def _world(
    client: TestClient, services: Services, tmp: Path
) -> tuple[Any, dict[str, dict[str, str]]]:
    p = pair(client, services, tmp)
    heads = {"owner": p.owner}
    for role in ROLES[1:]:
        email = f"{role}@example.org"
        heads[role] = user(client, email)
        if role == "stranger":
            continue
        body: dict[str, Any] = {"email": email, "role": role.removesuffix("_unlock")}
        if role == "member_unlock":
            body["may_remote_unlock"] = True
        assert p.post("/shares", body).status_code == 201
    return p, heads


@pytest.mark.parametrize("family", list(FAMILIES))
def test_role_matrix_A_SHARE(
    client: TestClient, services: Services, tmp_path: Path, family: str
) -> None:
    method, path, body, allowed = FAMILIES[family]
    p, heads = _world(client, services, tmp_path)
    outcomes = {}
    # The owner goes last: deleting the device must not hide the others' answers.
    for role in sorted(ROLES, key=lambda r: r == "owner"):
        r = client.request(method, p.url(path), json=body(p) if body else None, headers=heads[role])
        outcomes[role] = r.status_code
        if role == "stranger":
            assert r.status_code == 404, (family, r.text)
        elif role in allowed:
            assert r.status_code < 400, (role, family, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, family, r.status_code, r.text)
            assert r.json()["code"] == "insufficient_role"
    assert outcomes


@pytest.mark.parametrize("role", ["viewer", "member", "stranger"])
def test_live_channel_by_role_A_SHARE_A_STATUS(
    client: TestClient, services: Services, tmp_path: Path, role: str
) -> None:
    p, heads = _world(client, services, tmp_path)
    with client.stream("GET", p.url("/live"), headers=heads[role]) as r:
        if role == "stranger":
            assert r.status_code == 404
            return
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event:"):
                assert line.split(":", 1)[1].strip() == "status"
                break


def test_revoked_share_stops_notifications_A_SHARE_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p, heads = _world(client, services, tmp_path)
    vic = heads["viewer"]
    vic_id = client.get(f"{API}/account", headers=vic).json()["id"]
    p.sim.ring()
    p.link.sync()
    assert client.get(f"{API}/notifications/unread-count", headers=vic).json()["unread"] == 1
    assert client.delete(p.url(f"/shares/{vic_id}"), headers=p.owner).status_code == 200
    p.sim.ring()
    p.link.sync()
    assert client.get(f"{API}/notifications/unread-count", headers=vic).json()["unread"] == 1
    assert client.get(p.url("/status"), headers=vic).status_code == 404
