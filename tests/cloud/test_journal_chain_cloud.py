"""The cloud checks the journal's hash chain on ingest (issue 12, docs/link.md): an
intact journal shows no break; an event whose predecessor was edited or deleted on the
lock is flagged in the records."""

from __future__ import annotations

from fastapi.testclient import TestClient

from smartlock.cloud.services import Services
from smartlock.device.core.journal_chain import GENESIS
from smartlock.link.schemas import Event, EventBatch, event_hash

from .helpers import API, add_lock, lock_says, user

T0 = 1_780_000_000.0


def chain(n: int, *, start: int = 1, prev: str = GENESIS) -> list[Event]:
    events = []
    for seq in range(start, start + n):
        e = Event(seq=seq, at=T0 + seq, kind="doorbell", prev_hash=prev)
        prev = event_hash(e)
        events.append(e)
    return events


def breaks(client: TestClient, headers: dict[str, str], device_id: str) -> dict[int, object]:
    r = client.get(f"{API}/devices/{device_id}/records", headers=headers, params={"limit": 100})
    assert r.status_code == 200, r.text
    return {e["seq"]: e["chain_break"] for e in r.json()["data"]}


def test_an_intact_journal_has_no_break(client: TestClient, services: Services) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    events = chain(6)
    lock_says(services, key, device.serial, EventBatch(acked_through=0, events=events[:3]))
    lock_says(services, key, device.serial, EventBatch(acked_through=3, events=events[3:]))
    assert breaks(client, ann, device.id) == dict.fromkeys(range(1, 7), False)


def test_an_edited_or_deleted_event_shows_as_a_break(
    client: TestClient, services: Services
) -> None:
    ann = user(client, "ann@example.org")
    device, key = add_lock(services, "ann@example.org")
    events = chain(3)
    lock_says(services, key, device.serial, EventBatch(acked_through=0, events=events))
    # A thief edits event 4 in the stolen store after the lock hashed it: event 5,
    # hashed over the original, no longer links to what the cloud receives as 4.
    original = chain(2, start=4, prev=event_hash(events[-1]))
    edited = original[0].model_copy(update={"kind": "unlock"})
    later = chain(1, start=5, prev=event_hash(original[0]))
    lock_says(services, key, device.serial, EventBatch(acked_through=3, events=[edited, *later]))
    seen = breaks(client, ann, device.id)
    assert seen[4] is False  # 4 itself still claims the right predecessor
    assert seen[5] is True
    # A genesis that is not the genesis hash is a break too.
    other, other_key = add_lock(services, "ann@example.org", "SLTEST0002")
    bad = Event(seq=1, at=T0, kind="doorbell", prev_hash="1" * 64)
    lock_says(services, other_key, other.serial, EventBatch(acked_through=0, events=[bad]))
    assert breaks(client, ann, other.id) == {1: True}
