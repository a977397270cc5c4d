"""Binding a lock by serial + label code while it is in pairing mode (D-PAIR).

Rules proved here (named in the tests' names): A-ACCOUNT.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from smartlock.cloud import crud, ingest
from smartlock.cloud.lockops import lock_key
from smartlock.cloud.services import Services

from .helpers import API, hello_payload, user

SERIAL, CODE = "SL7K3MQ9TX2A", "7K3M-Q9TX"


def lock_enters_pairing_mode(services: Services, serial: str = SERIAL, code: str = CODE) -> None:
    ingest.handle(services, *hello_payload(serial, code))


def test_right_code_binds_the_lock_to_the_account_D_PAIR_A_ACCOUNT(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    lock_enters_pairing_mode(services)
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": "7k3m q9tx"}, headers=ann)
    assert r.status_code == 201, r.text
    device = r.json()
    assert device["serial"] == SERIAL and device["role"] == "owner"
    listed = client.get(f"{API}/devices", headers=ann).json()
    assert [d["id"] for d in listed["data"]] == [device["id"]]
    with services.sessionmaker() as s:
        row = crud.get_device(s, device_id=device["id"])
        assert row is not None
        # The lock's key is kept encrypted at rest, and opens with the master key.
        key = lock_key(services, row)
        assert key.encode() not in row.key_encrypted
        assert len(key) == 43
    # The hello is spent: binding again needs a new pairing mode.
    again = client.post(f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann)
    assert again.status_code == 409 and again.json()["code"] == "not_in_pairing_mode"


def test_wrong_code_fails_and_binds_nothing_D_PAIR(client: TestClient, services: Services) -> None:
    ann = user(client, "ann@example.org")
    lock_enters_pairing_mode(services)
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": "AAAA-AAAA"}, headers=ann)
    assert r.status_code == 403 and r.json()["code"] == "pairing_failed"
    assert client.get(f"{API}/devices", headers=ann).json()["count"] == 0


def test_lock_not_in_pairing_mode_cannot_be_bound_D_PAIR(client: TestClient) -> None:
    ann = user(client, "ann@example.org")
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann)
    assert r.status_code == 409 and r.json()["code"] == "not_in_pairing_mode"


def test_repeated_wrong_codes_are_throttled_D_PAIR(client: TestClient, services: Services) -> None:
    ann = user(client, "ann@example.org")
    lock_enters_pairing_mode(services)
    for _ in range(5):
        r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": "AAAA-AAAA"}, headers=ann)
        assert r.status_code == 403
    # Even the right code is refused while throttled: guessing is pointless.
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann)
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_a_lock_bound_to_one_account_cannot_be_taken_by_another_D_PAIR(
    client: TestClient, services: Services
) -> None:
    ann, bob = user(client, "ann@example.org"), user(client, "bob@example.org")
    lock_enters_pairing_mode(services)
    assert (
        client.post(
            f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann
        ).status_code
        == 201
    )
    lock_enters_pairing_mode(services)  # someone holds the settings key again
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=bob)
    assert r.status_code == 409 and r.json()["code"] == "already_bound"
    assert client.get(f"{API}/devices", headers=ann).json()["count"] == 1


def test_deleting_the_device_ends_the_binding_D_PAIR(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    passwd = tmp_path / "passwd"
    services.settings.broker_password_file = passwd
    ann = user(client, "ann@example.org")
    lock_enters_pairing_mode(services)
    device = client.post(
        f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann
    ).json()
    assert passwd.read_text().startswith(f"{SERIAL}:$7$")  # the lock may log in
    assert passwd.stat().st_mode & 0o077 == 0
    assert client.delete(f"{API}/devices/{device['id']}", headers=ann).status_code == 200
    assert SERIAL not in passwd.read_text()  # ... and no longer
    assert client.get(f"{API}/devices/{device['id']}", headers=ann).status_code == 404
    with services.sessionmaker() as s:
        assert crud.get_device_by_serial(s, serial=SERIAL) is None


def _forged_hello(serial: str) -> tuple[str, bytes]:
    """What anyone with the shared provisioning login can publish: a well-formed hello
    for someone else's serial, proved with a code the forger does not know."""
    return hello_payload(serial, "AAAA-AAAA")


def test_forged_hellos_do_not_displace_the_owners_issue13_finding3_D_PAIR(
    client: TestClient, services: Services
) -> None:
    """The finding: random hellos every 0.2 s made the owner's right code fail with
    403 pairing_failed, and each failure counted toward the 5-per-15-min limit."""
    ann = user(client, "ann@example.org")
    lock_enters_pairing_mode(services)  # the owner's lock
    for _ in range(60):  # 12 s of the forger at 5 hellos a second
        ingest.handle(services, *_forged_hello(SERIAL))
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann)
    assert r.status_code == 201, r.text
    # Nothing was counted against the owner on the way.
    with services.sessionmaker() as s:
        from smartlock.cloud.models import Throttle

        assert s.get(Throttle, f"pair-serial:{SERIAL}") is None
        assert s.get(Throttle, f"pair-account:{ann_id(s)}") is None


def ann_id(session: object) -> int:
    account = crud.get_account_by_email(session, email="ann@example.org")  # type: ignore[arg-type]
    assert account is not None
    return account.id


def test_forged_hellos_arriving_first_or_last_never_win_issue13_finding3_D_PAIR(
    client: TestClient, services: Services
) -> None:
    """Before and after the owner's hello: the right code still binds, the forger's
    hellos prove nothing, and the owner keeps the full five tries."""
    ann = user(client, "ann@example.org")
    for _ in range(10):
        ingest.handle(services, *_forged_hello(SERIAL))
    lock_enters_pairing_mode(services)
    for _ in range(10):
        ingest.handle(services, *_forged_hello(SERIAL))
    for _ in range(4):  # the owner mistypes four times: still not throttled
        r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": "BBBB-BBBB"}, headers=ann)
        assert r.status_code == 403 and r.json()["code"] == "pairing_failed"
    r = client.post(f"{API}/devices", json={"serial": SERIAL, "code": CODE}, headers=ann)
    assert r.status_code == 201, r.text
