"""Helpers shared by the cloud tests: accounts, tokens, a lock paired in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from smartlock.cloud import crud
from smartlock.cloud.models import Account, Device
from smartlock.cloud.services import Services
from smartlock.link.signing import new_lock_key

API = "/api/v1"
PASSWORD = "correct horse battery"


def sign_up(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    r = client.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def bearer(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def user(client: TestClient, email: str) -> dict[str, str]:
    """A new account and its bearer header."""
    sign_up(client, email)
    return bearer(client, email)


def add_lock(
    services: Services,
    owner_email: str,
    serial: str = "SLTEST0001",
    *,
    state: dict[str, Any] | None = None,
    reported: dict[str, Any] | None = None,
    online: bool = True,
) -> tuple[Device, str]:
    """A lock already paired to ``owner_email`` (as D-PAIR leaves it); returns its key."""
    key = new_lock_key()
    with services.sessionmaker() as s:
        owner = crud.get_account_by_email(s, email=owner_email)
        assert isinstance(owner, Account)
        device = crud.bind_device(
            s,
            owner=owner,
            serial=serial,
            name="Front door",
            key_encrypted=services.key_box.seal(key.encode(), context=f"lock-key:{serial}"),
            broker_username=serial,
            broker_password_hash="x",
        )
        now = dt.datetime.now(dt.UTC)
        crud.set_state(
            s,
            device_id=device.id,
            state=state
            or {"door": "locked", "bolt": "thrown", "modes": {"anti_lock": False}, "battery": 80},
            at=now,
        )
        crud.set_online(s, device_id=device.id, online=online)
        if reported is not None:
            crud.apply_reported(s, device_id=device.id, reported=reported, applied_version=0)
        s.refresh(device)
        return device, key


def hello_payload(serial: str, code: str) -> tuple[str, bytes]:
    """(topic, payload) of the hello a lock in pairing mode publishes (D-PAIR)."""
    import time

    from smartlock.link.codec import encode
    from smartlock.link.pairing import Label, make_hello
    from smartlock.link.topics import Channel, topic

    hello = make_hello(Label(serial=serial, code=code), now=time.time())
    return topic(serial, Channel.PAIRING_HELLO), encode(hello)


def lock_says(services: Services, key: str, serial: str, message: Any) -> Any:
    """Deliver a signed message from the lock as the broker would (ingest.handle)."""
    from smartlock.cloud import ingest
    from smartlock.link.signing import sign_message

    return ingest.handle(services, *sign_message(key, serial, message))
