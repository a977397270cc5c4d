"""Another account cannot see or control a lock, on any endpoint; shared roles get
exactly their rights (A-ACCOUNT, A-SHARE, A-STATUS, A-USERS, A-REMOTE, A-RECORDS,
A-SETTINGS, A-OTA)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud import crud
from smartlock.cloud.services import Services

from .helpers import API, PASSWORD, add_lock, user

# Every device endpoint: (method, path under /devices/{id}, JSON body or None).
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "", None),
    ("PATCH", "", {"name": "Mine now"}),
    ("DELETE", "", None),
    ("GET", "/status", None),
    ("GET", "/live", None),
    ("GET", "/settings", None),
    ("PATCH", "/settings", {"version": 0, "changes": {"remote_unlock": True}}),
    ("GET", "/records", None),
    ("GET", "/users", None),
    ("PATCH", "/users/001", {"name": "Mallory"}),
    ("PUT", "/users/001/password", {"request_id": "req-00000001", "password": "123456"}),
    ("DELETE", "/users/001/credentials/1?request_id=req-00000002", None),
    ("POST", "/unlock", {"request_id": "req-00000003", "password": PASSWORD}),
    ("GET", "/commands/0123456789abcdef0123456789abcdef", None),
    ("GET", "/shares", None),
    ("POST", "/shares", {"email": "eve@example.org", "role": "admin"}),
    ("PATCH", "/shares/1", {"role": "admin"}),
    ("DELETE", "/shares/1", None),
    ("GET", "/firmware", None),  # A-OTA
    ("POST", "/firmware/update", {"request_id": "req-00000004"}),
]
IDS = [f"{m} {p or '/'}" for m, p, _ in ENDPOINTS]


@pytest.fixture
def world(client: TestClient, services: Services) -> dict[str, Any]:
    ann = user(client, "ann@example.org")
    eve = user(client, "eve@example.org")
    device, _ = add_lock(
        services, "ann@example.org", reported={"remote_unlock": True, "face_unlock": True}
    )
    with services.sessionmaker() as s:
        crud.replace_lock_users(
            s,
            device_id=device.id,
            users=[
                {"number": "001", "user_type": "master", "credentials": [{"id": 1, "type": "pin"}]}
            ],
        )
    return {"ann": ann, "eve": eve, "device_id": device.id}


def call(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_stranger_cannot_see_or_control_a_lock_A_ACCOUNT_A_SHARE(
    client: TestClient, world: dict[str, Any], method: str, path: str, body: Any
) -> None:
    device_id = world["device_id"]
    r = call(client, method, f"{API}/devices/{device_id}{path}", body, world["eve"])
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "device_not_found"
    # Nothing changed for the owner.
    mine = client.get(f"{API}/devices/{device_id}", headers=world["ann"]).json()
    assert mine["name"] == "Front door"
    assert client.get(f"{API}/devices", headers=world["eve"]).json()["count"] == 0


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_unknown_device_id_is_not_found_A_STATUS(
    client: TestClient, world: dict[str, Any], method: str, path: str, body: Any
) -> None:
    r = call(client, method, f"{API}/devices/{'f' * 32}{path}", body, world["ann"])
    assert r.status_code == 404


VIEWER_ALLOWED = {
    "GET /",
    "GET /status",
    "GET /live",
    "GET /records",
    "GET /firmware",  # A-OTA: a viewer sees the version and the offer, cannot start it
}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_viewer_sees_status_and_records_but_changes_nothing_A_SHARE(
    client: TestClient, world: dict[str, Any], method: str, path: str, body: Any
) -> None:
    ann, eve, device_id = world["ann"], world["eve"], world["device_id"]
    r = client.post(
        f"{API}/devices/{device_id}/shares",
        json={"email": "eve@example.org", "role": "viewer"},
        headers=ann,
    )
    assert r.status_code == 201
    key = f"{method} {path or '/'}"
    if key in VIEWER_ALLOWED:
        if path == "/live":
            return  # streaming; covered in test_live
        assert (
            call(client, method, f"{API}/devices/{device_id}{path}", body, eve).status_code == 200
        )
        return
    r = call(client, method, f"{API}/devices/{device_id}{path}", body, eve)
    if key in {"DELETE /shares/1", "PATCH /shares/1"}:
        assert r.status_code in (403, 404)
    elif key == "GET /commands/0123456789abcdef0123456789abcdef":
        assert r.status_code == 404  # allowed to look, but there is no such command
    else:
        assert r.status_code == 403, (key, r.text)
        assert r.json()["code"] == "insufficient_role"


def test_member_may_unlock_only_when_the_owner_allowed_it_A_SHARE_A_REMOTE(
    client: TestClient, world: dict[str, Any]
) -> None:
    ann, eve, device_id = world["ann"], world["eve"], world["device_id"]
    client.post(
        f"{API}/devices/{device_id}/shares",
        json={"email": "eve@example.org", "role": "member"},
        headers=ann,
    )
    body = {"request_id": "req-member-1", "password": PASSWORD}
    r = client.post(f"{API}/devices/{device_id}/unlock", json=body, headers=eve)
    assert r.status_code == 403
    eve_id = client.get(f"{API}/account", headers=eve).json()["id"]
    r = client.patch(
        f"{API}/devices/{device_id}/shares/{eve_id}", json={"may_remote_unlock": True}, headers=ann
    )
    assert r.status_code == 200
    r = client.post(f"{API}/devices/{device_id}/unlock", json=body, headers=eve)
    assert r.status_code == 200
    assert r.json()["status"] == "offline"  # no broker in this test: the lock cannot answer


def test_revoked_share_loses_access_A_SHARE(client: TestClient, world: dict[str, Any]) -> None:
    ann, eve, device_id = world["ann"], world["eve"], world["device_id"]
    client.post(
        f"{API}/devices/{device_id}/shares",
        json={"email": "eve@example.org", "role": "admin"},
        headers=ann,
    )
    assert client.get(f"{API}/devices/{device_id}", headers=eve).json()["role"] == "admin"
    eve_id = client.get(f"{API}/account", headers=eve).json()["id"]
    assert (
        client.delete(f"{API}/devices/{device_id}/shares/{eve_id}", headers=ann).status_code == 200
    )
    assert client.get(f"{API}/devices/{device_id}", headers=eve).status_code == 404


def test_admin_cannot_delete_the_device_or_make_admins_A_SHARE(
    client: TestClient, world: dict[str, Any]
) -> None:
    ann, eve, device_id = world["ann"], world["eve"], world["device_id"]
    user(client, "bob@example.org")
    client.post(
        f"{API}/devices/{device_id}/shares",
        json={"email": "eve@example.org", "role": "admin"},
        headers=ann,
    )
    assert client.delete(f"{API}/devices/{device_id}", headers=eve).status_code == 403
    r = client.post(
        f"{API}/devices/{device_id}/shares",
        json={"email": "bob@example.org", "role": "admin"},
        headers=eve,
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/devices/{device_id}/shares",
        json={"email": "bob@example.org", "role": "viewer"},
        headers=eve,
    )
    assert r.status_code == 201
