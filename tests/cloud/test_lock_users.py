"""The lock's users as the cloud follows them from the journal; names in the cloud
(A-USERS); concurrent workers store a batch once (D-LOG)."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from smartlock.cloud.app import build_services
from smartlock.cloud.core.config import Settings
from smartlock.cloud.services import Services
from smartlock.link.schemas import Event, EventBatch

from .helpers import API, add_lock, lock_says, user

SERIAL = "SLTEST0001"


def ev(seq: int, kind: str, user_no: int, **details: object) -> Event:
    return Event(seq=seq, at=1_780_000_000.0 + seq, kind=kind, user_no=user_no, details=details)  # type: ignore[arg-type]


def test_users_and_credential_types_follow_the_journal_never_secrets_A_USERS(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org", SERIAL)
    batch = [
        ev(1, "user_added", 1, user_type="master"),
        ev(2, "credential_added", 1, cred_id=1, cred_type="pin", duress=False),
        ev(3, "user_added", 2, user_type="normal"),
        ev(4, "credential_added", 2, cred_id=2, cred_type="face", duress=False),
        ev(5, "credential_added", 2, cred_id=3, cred_type="pin", duress=True),
        ev(6, "credential_deleted", 2, cred_id=2),
    ]
    lock_says(services, key, SERIAL, EventBatch(acked_through=0, events=batch))
    lock_says(services, key, SERIAL, EventBatch(acked_through=0, events=batch))  # redelivered
    users = client.get(f"{API}/devices/{device.id}/users", headers=ann).json()
    assert users["count"] == 2
    first, second = users["data"]
    assert (first["number"], first["user_type"]) == ("001", "master")
    assert first["credentials"] == [{"id": 1, "type": "pin", "duress": False}]
    assert second["credentials"] == [{"id": 3, "type": "pin", "duress": True}]
    # Names live in the cloud and show in the records.
    r = client.patch(f"{API}/devices/{device.id}/users/002", json={"name": "Bob"}, headers=ann)
    assert r.status_code == 200 and r.json()["name"] == "Bob"
    records = client.get(f"{API}/devices/{device.id}/records", params={"user": "002"}, headers=ann)
    assert {e["user_name"] for e in records.json()["data"]} == {"Bob"}
    # A user the lock does not have cannot be named or given a password.
    assert (
        client.patch(
            f"{API}/devices/{device.id}/users/009", json={"name": "X"}, headers=ann
        ).status_code
        == 404
    )
    r = client.delete(
        f"{API}/devices/{device.id}/users/002/credentials/2",
        params={"request_id": "req-del-0001"},
        headers=ann,
    )
    assert r.status_code == 404  # already deleted at the lock


def test_a_deleted_user_disappears_A_USERS(client: TestClient, services: Services) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org", SERIAL)
    lock_says(
        services,
        key,
        SERIAL,
        EventBatch(
            acked_through=0,
            events=[ev(1, "user_added", 4, user_type="normal"), ev(2, "user_deleted", 4)],
        ),
    )
    assert client.get(f"{API}/devices/{device.id}/users", headers=ann).json()["count"] == 0


def test_two_workers_storing_one_batch_store_it_once_D_LOG(
    client: TestClient, services: Services, settings: Settings
) -> None:
    """A shared subscription may hand a redelivered batch to another worker at once."""
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org", SERIAL)
    other = build_services(settings)
    batch = EventBatch(
        acked_through=0,
        events=[Event(seq=i, at=1_780_000_000.0 + i, kind="doorbell") for i in range(1, 21)],  # type: ignore[arg-type]
    )
    errors: list[BaseException] = []

    def deliver(worker: Services) -> None:
        try:
            lock_says(worker, key, SERIAL, batch)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=deliver, args=(w,)) for w in (services, other, services, other)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.engine.dispose()
    page = client.get(
        f"{API}/devices/{device.id}/records", params={"limit": 200}, headers=ann
    ).json()
    assert page["count"] == 20
    assert sorted(e["seq"] for e in page["data"]) == list(range(1, 21))
    assert not errors, errors
