"""Hostile requests get clear 4xx errors in the one error shape, and change nothing
(A-ACCOUNT, A-SETTINGS, A-USERS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud.services import Services

from .helpers import API, PASSWORD, add_lock, sign_up, user


def test_oversized_body_is_refused_with_413_A_ACCOUNT(client: TestClient) -> None:
    big = {"email": "ann@example.org", "password": "x" * 200_000}
    r = client.post(f"{API}/auth/signup", json=big)
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    # Nothing was created.
    r = client.post(f"{API}/auth/tokens", json={"email": "ann@example.org", "password": PASSWORD})
    assert r.status_code == 401


def test_oversized_chunked_body_is_refused_A_ACCOUNT(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    r = client.post(
        f"{API}/auth/signup", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "ann@example.org", "password": 12345678901},
        {"email": ["ann@example.org"], "password": PASSWORD},
        {"email": "ann@example.org"},
        {"email": "ann@example.org", "password": PASSWORD, "is_admin": True},
        {"email": "' OR 1=1 --@example.org", "password": PASSWORD},
    ],
)
def test_malformed_sign_up_is_a_clear_422_A_ACCOUNT(client: TestClient, body: object) -> None:
    r = client.post(f"{API}/auth/signup", json=body)
    assert r.status_code == 422
    error = r.json()
    assert error["code"] == "invalid_request" and error["details"]
    assert PASSWORD not in r.text  # the rejected input is not echoed


def test_not_json_is_a_clear_4xx_A_ACCOUNT(client: TestClient) -> None:
    r = client.post(
        f"{API}/auth/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"


def test_sql_ish_strings_are_just_data_A_ACCOUNT(client: TestClient, services: Services) -> None:
    sign_up(client, "ann@example.org")
    r = client.post(
        f"{API}/auth/tokens",
        json={"email": "ann@example.org", "password": "'; DROP TABLE accounts; --"},
    )
    assert r.status_code == 401
    ann = user(client, "bob@example.org")
    device, _ = add_lock(services, "bob@example.org")
    r = client.patch(
        f"{API}/devices/{device.id}", json={"name": "x'); DELETE FROM devices; --"}, headers=ann
    )
    assert r.status_code == 200
    assert client.get(f"{API}/devices", headers=ann).json()["data"][0]["name"].startswith("x');")
    r = client.get(f"{API}/devices/' OR '1'='1", headers=ann)
    assert r.status_code == 404


def test_bad_values_for_lock_users_are_refused_A_USERS(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, _ = add_lock(services, "ann@example.org")
    base = f"{API}/devices/{device.id}/users"
    for number in ("51", "000x", "-1", "9" * 40):
        assert client.patch(f"{base}/{number}", json={"name": "A"}, headers=ann).status_code == 422
    for password in ("12345", "12345678901", "abcdef", 123456):
        r = client.put(
            f"{base}/001/password",
            json={"request_id": "req-pw-00001", "password": password},
            headers=ann,
        )
        assert r.status_code == 422, password
        assert str(password) not in r.text
