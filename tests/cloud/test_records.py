"""The lock journal in the cloud: exactly once, in order, filtered and paged
(D-LOG, A-RECORDS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud import ingest
from smartlock.cloud.services import Services
from smartlock.link.errors import LinkError
from smartlock.link.schemas import Event, EventBatch
from smartlock.link.signing import new_lock_key, sign_message

from .helpers import API, add_lock, lock_says, user

SERIAL = "SLTEST0001"
T0 = 1_780_000_000.0


def ev(seq: int, kind: str = "unlock", **kw: object) -> Event:
    return Event(seq=seq, at=T0 + seq * 60, kind=kind, **kw)  # type: ignore[arg-type]


@pytest.fixture
def ann(client: TestClient) -> dict[str, str]:
    return user(client, "ann@example.org")


@pytest.fixture
def lock(ann: dict[str, str], services: Services) -> tuple[str, str]:
    device, key = add_lock(services, "ann@example.org", SERIAL)
    return device.id, key


def records(
    client: TestClient, headers: dict[str, str], device_id: str, **params: object
) -> dict[str, Any]:
    r = client.get(f"{API}/devices/{device_id}/records", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_events_are_stored_once_and_acked_even_when_resent_D_LOG(
    client: TestClient, services: Services, ann: dict[str, str], lock: tuple[str, str]
) -> None:
    device_id, key = lock
    first = lock_says(services, key, SERIAL, EventBatch(acked_through=0, events=[ev(1), ev(2)]))
    assert first.publish and first.publish[0].topic.endswith("/ack")
    # The ack was lost; the lock resends 1-2 with 3.
    lock_says(services, key, SERIAL, EventBatch(acked_through=0, events=[ev(1), ev(2), ev(3)]))
    page = records(client, ann, device_id)
    assert page["count"] == 3
    assert [e["seq"] for e in page["data"]] == [3, 2, 1]


def test_ack_covers_the_highest_stored_seq_D_LOG(
    services: Services, ann: dict[str, str], lock: tuple[str, str]
) -> None:
    from smartlock.link.codec import parse
    from smartlock.link.signing import verify_message

    _device_id, key = lock
    out = lock_says(services, key, SERIAL, EventBatch(acked_through=4, events=[ev(5), ev(6)]))
    ack = verify_message(key, parse(out.publish[0].topic, out.publish[0].payload))
    assert ack.up_to_seq == 6


def test_forged_batch_is_dropped_D_LOG(
    client: TestClient, services: Services, ann: dict[str, str], lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    forged = sign_message(new_lock_key(), SERIAL, EventBatch(acked_through=0, events=[ev(1)]))
    with pytest.raises(LinkError):
        ingest.handle(services, *forged)
    assert records(client, ann, device_id)["count"] == 0


def test_records_filter_by_user_method_kind_and_time_A_RECORDS(
    client: TestClient, services: Services, ann: dict[str, str], lock: tuple[str, str]
) -> None:
    device_id, key = lock
    batch = [
        ev(1, "unlock", user_no=1, method="face", source="face"),
        ev(2, "unlock", user_no=3, method="password", source="keypad"),
        ev(3, "unlock_failed", source="keypad"),
        ev(4, "unlock", user_no=3, method="face", source="face"),
        ev(5, "doorbell"),
    ]
    lock_says(services, key, SERIAL, EventBatch(acked_through=0, events=batch))
    assert [e["seq"] for e in records(client, ann, device_id, user="003")["data"]] == [4, 2]
    assert [e["seq"] for e in records(client, ann, device_id, method="face")["data"]] == [4, 1]
    assert [e["seq"] for e in records(client, ann, device_id, kind="unlock_failed")["data"]] == [3]
    # between events 2 (T0+120) and 3 (T0+180)
    since = dt.datetime.fromtimestamp(T0 + 150, dt.UTC).isoformat().replace("+00:00", "Z")
    page = records(client, ann, device_id, since=since)
    assert [e["seq"] for e in page["data"]] == [5, 4, 3]
    assert records(client, ann, device_id, until=since)["count"] == 2


def test_records_page_with_cursor_and_total_A_RECORDS(
    client: TestClient, services: Services, ann: dict[str, str], lock: tuple[str, str]
) -> None:
    device_id, key = lock
    lock_says(
        services, key, SERIAL, EventBatch(acked_through=0, events=[ev(i) for i in range(1, 8)])
    )
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = records(client, ann, device_id, **params)
        assert page["count"] == 7
        seen += [e["seq"] for e in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1]


def test_records_reject_bad_filters_A_RECORDS(
    client: TestClient, ann: dict[str, str], lock: tuple[str, str]
) -> None:
    device_id, _ = lock
    for params in (
        {"method": "telepathy"},
        {"user": "1; DROP TABLE events"},
        {"cursor": "abc"},
        {"limit": 0},
        {"limit": 10_000},
        {"since": "yesterday"},
        {"since": "2026-01-01T00:00:00"},  # no timezone
    ):
        r = client.get(f"{API}/devices/{device_id}/records", params=params, headers=ann)
        assert r.status_code == 422, params
        assert r.json()["code"] in {"invalid_request", "naive_time"}


def test_one_poisoned_message_does_not_stall_the_other_locks_of_its_batch_D_LOG(
    client: TestClient, services: Services
) -> None:
    """A batch holds many locks' messages; one the database (or the clock) cannot take
    — a time far past year 9999, a seq beyond any integer column — is logged and
    dropped, the other locks' events in the same batch are stored and acked."""
    user(client, "bob@example.org")
    good = [add_lock(services, "bob@example.org", f"SLGOOD{i:04d}") for i in range(5)]
    bad, bad_key = add_lock(services, "bob@example.org", "SLPOISON01")
    poison = [
        EventBatch(acked_through=0, events=[Event(seq=1, at=1e300, kind="doorbell")]),
        EventBatch(acked_through=0, events=[Event(seq=2**62, at=T0, kind="doorbell")]),
    ]
    messages = [sign_message(bad_key, "SLPOISON01", p) for p in poison]
    for i, (device, key) in enumerate(good):
        messages.insert(
            i, sign_message(key, device.serial, EventBatch(acked_through=0, events=[ev(1)]))
        )
    out = ingest.handle_batch(services, messages)
    acks = {o.topic.split("/")[2] for o in out.publish if o.topic.endswith("/ack")}
    assert {d.serial for d, _ in good} <= acks
    assert out.dropped >= 1  # the year-10^292 event; the huge seq too where int is 32-bit
    with services.sessionmaker() as s:
        from smartlock.cloud.models import Event as Row

        assert s.query(Row).filter(Row.device_id != bad.id).count() == 5
        assert s.query(Row).filter(Row.device_id == bad.id, Row.seq == 1).count() == 0
