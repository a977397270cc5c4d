"""Issue 12: the journal is tamper-evident; each event carries the hash of the one
before it, computed and stored by the lock's store and checked here exactly as the
cloud will check it (from the wire `Event` after signing and strict parsing).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from smartlock.device.core.inputs import Boot, DoorbellKey, KeyPress
from smartlock.device.core.journal_chain import GENESIS
from smartlock.device.durable import DurableLock, open_lock
from smartlock.device.store_schema import MIGRATIONS
from smartlock.link.codec import parse
from smartlock.link.runtime_adapter import to_link_event
from smartlock.link.schemas import Event, EventBatch, event_hash
from smartlock.link.signing import new_lock_key, sign_message, verify_message

from .rig import MASTER_PIN, T0


def _wire(lock: DurableLock) -> list[Event]:
    """The events as the cloud receives them: signed, sent, parsed strictly."""
    key, out, after = new_lock_key(), [], 0
    while events := lock.store.events(after, 50):
        batch = EventBatch(acked_through=after, events=[to_link_event(e) for e in events])
        name, payload = sign_message(key, "SL-CHAIN", batch)
        out += verify_message(key, parse(name, payload)).events
        after = events[-1].seq
    return out


def breaks(events: list[Event], start: str | None = GENESIS) -> list[int]:
    """The cloud's check: seqs whose prev_hash is not the hash of the event before."""
    bad, prev = [], start
    for e in events:
        if prev is not None and e.prev_hash != prev:
            bad.append(e.seq)
        prev = event_hash(e)
    return bad


def _busy_lock(path: Path) -> DurableLock:
    lock = open_lock(path, serial="SL-CHAIN", verification_code="VC")
    lock.handle(Boot(T0))
    for key in f"*#{MASTER_PIN}#{MASTER_PIN}#" + "999999#" + f"{MASTER_PIN}#":
        lock.handle(KeyPress(key))
    for _ in range(3):
        lock.handle(DoorbellKey())
    return lock


def test_every_event_carries_the_hash_of_the_one_before(tmp_path: Path) -> None:
    lock = _busy_lock(tmp_path / "lock.db")
    events = _wire(lock)
    assert len(events) > 5 and events[0].prev_hash == GENESIS
    assert breaks(events) == []
    lock.store.close()
    again = open_lock(tmp_path / "lock.db", serial="SL-CHAIN", verification_code="VC")
    again.handle(DoorbellKey())  # the chain goes on across a restart
    assert breaks(_wire(again)) == []


def test_an_edited_or_deleted_event_in_a_stolen_store_shows(tmp_path: Path) -> None:
    lock = _busy_lock(tmp_path / "lock.db")
    seqs = [e.seq for e in _wire(lock)]
    lock.store.close()
    conn = sqlite3.connect(tmp_path / "lock.db")
    conn.execute("UPDATE journal SET user_no = 7 WHERE seq = ?", (seqs[3],))  # "it was 007"
    conn.execute("DELETE FROM journal WHERE seq = ?", (seqs[6],))  # hide one
    conn.commit()
    conn.close()
    reopened = open_lock(tmp_path / "lock.db", serial="SL-CHAIN", verification_code="VC")
    assert breaks(_wire(reopened)) == [seqs[4], seqs[7]]


def test_a_store_from_before_the_chain_links_its_first_new_event(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    lock = _busy_lock(path)
    old = _wire(lock)
    lock.store.close()
    conn = sqlite3.connect(path)  # make it a schema-1 store, as older firmware left it
    conn.execute("ALTER TABLE journal DROP COLUMN prev_hash")
    conn.execute("DELETE FROM kv WHERE key = 'journal_head'")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    upgraded = open_lock(path, serial="SL-CHAIN", verification_code="VC")
    assert upgraded.store.schema_version == len(MIGRATIONS)
    upgraded.handle(DoorbellKey())
    events = _wire(upgraded)
    assert all(e.prev_hash is None for e in events[: len(old)])
    legacy_last = events[len(old) - 1]
    assert events[len(old)].prev_hash == event_hash(legacy_last)
