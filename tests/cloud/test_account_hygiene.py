"""Issue 13, findings 6 and 7: sign-in throttling on the real client address, an
account nobody else can lock, common passwords refused, Secure cookies by default.

Rules proved here (named in the tests' names): A-ACCOUNT.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from smartlock.cloud import crud
from smartlock.cloud.app import build_services, create_app, server_config
from smartlock.cloud.core.config import Settings
from smartlock.cloud.errors import NotAuthenticated, Throttled
from smartlock.cloud.services import Services
from smartlock.link.broker import free_port

from .helpers import API, PASSWORD, sign_up


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "1234567890", "password12", "qwertyuiop", "ann@example.org1"]
)
def test_common_passwords_are_refused_issue13_finding7_A_ACCOUNT(
    client: TestClient, password: str
) -> None:
    r = client.post(f"{API}/auth/signup", json={"email": "ann@example.org", "password": password})
    assert r.status_code == 422 and r.json()["code"] == "weak_password", password


def test_a_passphrase_is_accepted_and_a_weak_new_password_refused_A_ACCOUNT(
    client: TestClient,
) -> None:
    sign_up(client, "ann@example.org")  # "correct horse battery"
    r = client.post(
        f"{API}/auth/tokens", json={"email": "ann@example.org", "password": PASSWORD, "name": "t"}
    )
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = client.put(
        f"{API}/account/password",
        json={"current_password": PASSWORD, "new_password": "password12"},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["code"] == "weak_password"


def test_session_cookie_is_secure_by_default_issue13_finding7_A_ACCOUNT(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.cookie_secure is True
    services = build_services(settings)
    try:
        app = create_app(settings, services=services, with_link=False)
        with TestClient(app, base_url="https://testserver") as client:
            sign_up(client, "ann@example.org")
            r = client.post(
                f"{API}/auth/session", json={"email": "ann@example.org", "password": PASSWORD}
            )
            assert r.status_code == 200
            cookies = r.headers.get_list("set-cookie")
            assert len(cookies) == 2 and all("secure" in c.lower() for c in cookies)
    finally:
        services.engine.dispose()


def test_a_stranger_cannot_lock_the_owner_out_issue13_finding6_A_ACCOUNT(
    client: TestClient, services: Services
) -> None:
    """Five wrong passwords from one address throttle that address for the account,
    not the account: its owner, elsewhere, still signs in."""
    sign_up(client, "ann@example.org")
    settings = services.settings
    with services.sessionmaker() as s:
        for _ in range(settings.throttle_account_failures):
            with pytest.raises(NotAuthenticated):
                crud.authenticate(
                    s,
                    email="ann@example.org",
                    password="x",
                    address="203.0.113.9",
                    settings=settings,
                )
        with pytest.raises(Throttled):
            crud.authenticate(
                s,
                email="ann@example.org",
                password=PASSWORD,
                address="203.0.113.9",
                settings=settings,
            )
        owner = crud.authenticate(
            s, email="ann@example.org", password=PASSWORD, address="198.51.100.7", settings=settings
        )
        assert owner.email == "ann@example.org"


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The cloud under uvicorn as `smartlock cloud serve` runs it (server_config)."""
    trusted = getattr(request, "param", "")
    settings = Settings(data_dir=tmp_path / "data", cookie_secure=False, trusted_proxies=trusted)
    services = build_services(settings)
    app = create_app(settings, services=services, with_link=False)
    port = free_port()
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        services.engine.dispose()


def _tries(base: str, n: int) -> list[int]:
    codes = []
    with httpx.Client(base_url=base, timeout=10) as http:
        for i in range(n):
            r = http.post(
                f"{API}/auth/tokens",
                json={"email": f"u{i}@example.org", "password": "wrong wrong wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            codes.append(r.status_code)
    return codes


def test_forwarded_for_from_a_client_is_ignored_issue13_finding6_A_ACCOUNT(served: str) -> None:
    """The finding: rotating X-Forwarded-For gave 25/25 tries and no 429."""
    codes = _tries(served, 25)
    limit = Settings().throttle_address_failures
    assert codes[:limit] == [401] * limit
    assert set(codes[limit:]) == {429}


@pytest.mark.parametrize("served", ["127.0.0.1"], indirect=True)
def test_a_trusted_proxy_forwards_the_client_address_A_ACCOUNT(served: str) -> None:
    """With the proxy configured, each forwarded client is counted on its own."""
    assert set(_tries(served, 25)) == {401}
