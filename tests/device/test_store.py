"""The durable store: round trip, migrations, journal sync, restart, kill -9 (D-LOG).

Rules proved here (named in the tests' names): D-LOCKOUT, D-RESET, D-USER-7.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from array import array
from pathlib import Path

import pytest

from smartlock.device.core.inputs import (
    Bind,
    Boot,
    DoorbellKey,
    FactoryReset,
    KeyPress,
    RemoteAction,
    RemoteCommand,
    SettingsKey,
    Tick,
)
from smartlock.device.core.prompts import PromptId
from smartlock.device.durable import open_lock
from smartlock.device.store import MIGRATIONS, Store
from smartlock.errors import StoreError
from smartlock.vocab import EventKind

from .rig import MASTER_PIN, T0, Rig, prompts


def _rich_rig() -> Rig:
    rig = Rig()
    rig.first_master()
    rig.enrol_face(1, "2001#11")
    rig.add_user_with_pin("246810", duress=True)
    rig.remote(
        RemoteAction.ADD_TEMP_PASSWORD,
        temp_id="t",
        code="8642097",
        valid_from=T0,
        valid_to=T0 + 60,
        max_uses=3,
    )
    rig.remote(
        RemoteAction.ADD_USER,
        user_type="scheduled",
        schedules=[
            {"kind": "week_day", "days": [0, 6], "start_min": 60, "end_min": 120},
            {"kind": "year_day", "start": T0, "end": T0 + 86400},
        ],
    )
    rig.remote(RemoteAction.CHANGE_SETTING, name="language", value="en")
    rig.feed(SettingsKey(3.0))
    rig.feed(
        Bind("b", "SL-TEST-0001", "VC1234", "owner", "user", "broker-secret-xyz", "lock-key-abc")
    )
    rig.keys("8642097#")
    rig.keys("999999#999999#")
    return rig


def test_state_round_trips_exactly_through_the_store(tmp_path: Path) -> None:
    rig = _rich_rig()
    store = Store.open(tmp_path / "lock.db")
    store.commit(rig.core.state, rig.history)
    store.close()
    loaded = Store.open(tmp_path / "lock.db").load()
    assert loaded == rig.core.state


def test_passwords_are_stored_only_as_keyed_hashes_D_USER_7(tmp_path: Path) -> None:
    rig = _rich_rig()
    store = Store.open(tmp_path / "lock.db")
    store.commit(rig.core.state, rig.history)
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (MASTER_PIN, "246810", "8642097", "broker-secret-xyz", "lock-key-abc"):
        assert secret.encode() not in raw
    template = next(iter(rig.core.state.faces.values()))[0]
    assert array("d", template.embedding).tobytes() not in raw  # sealed at rest (D-PRIV)
    assert Store.open(tmp_path / "lock.db").load() == rig.core.state


def test_sealed_data_does_not_open_with_another_key(tmp_path: Path) -> None:
    rig = _rich_rig()
    store = Store.open(tmp_path / "lock.db", hardware_key=b"k" * 32)
    store.commit(rig.core.state, rig.history)
    store.close()
    with pytest.raises(StoreError, match="does not open"):
        Store.open(tmp_path / "lock.db", hardware_key=b"x" * 32).load()
    assert Store.open(tmp_path / "lock.db", hardware_key=b"k" * 32).load() == rig.core.state


def test_schema_is_versioned_and_refuses_a_newer_one(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "lock.db")
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    conn = sqlite3.connect(tmp_path / "lock.db")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path / "lock.db")


def test_unacked_events_and_ack_deliver_each_event_once_D_LOG(tmp_path: Path) -> None:
    lock = open_lock(tmp_path / "l.db", serial="S", verification_code="V")
    lock.handle(Boot(T0))
    for key in "*#123456#123456#" + "999999#" * 2 + f"{MASTER_PIN}#":
        lock.handle(KeyPress(key))
    first = lock.store.unacked_events(3)
    assert [e.seq for e in first] == [1, 2, 3]
    lock.store.ack(first[-1].seq)
    rest = lock.store.unacked_events(100)
    assert rest[0].seq == 4 and [e.seq for e in rest] == list(range(4, 4 + len(rest)))
    lock.store.ack(1)  # a stale ack never moves the marker back
    assert lock.store.unacked_events(100) == rest
    assert rest[-1].kind is EventKind.UNLOCK


def test_lockout_survives_a_restart_and_wake_tells_time_left_D_LOCKOUT(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    lock = open_lock(path, serial="S", verification_code="V")
    lock.handle(Boot(T0))
    for key in "*#123456#123456#" + "999999#" * 5:
        lock.handle(KeyPress(key))
    assert lock.core.locked_out
    lock.store.close()
    again = open_lock(path, serial="ignored", verification_code="ignored")
    again.handle(Boot(T0 + 70))
    woke = again.handle(KeyPress("1"))
    assert PromptId.LOCKED_OUT in prompts(woke)
    assert again.core.locked_out
    for key in f"*{MASTER_PIN}#":
        assert not any(
            e for e in again.handle(KeyPress(key)) if getattr(e, "kind", None) is EventKind.UNLOCK
        )
    again.handle(Tick(T0 + 181))
    assert not again.core.locked_out


def test_factory_reset_starts_a_new_journal_life_D_RESET(tmp_path: Path) -> None:
    lock = open_lock(tmp_path / "l.db", serial="S", verification_code="V")
    lock.handle(Boot(T0))
    for key in "*#123456#123456#":
        lock.handle(KeyPress(key))
    reset = [
        e
        for e in lock.handle(FactoryReset())
        if getattr(e, "kind", None) is EventKind.FACTORY_RESET
    ]
    events = lock.store.unacked_events(100)
    assert [e.kind for e in events] == [EventKind.FACTORY_RESET]
    assert events[0].seq == reset[0].seq
    assert lock.store.load().users == {}


def test_refused_command_commits_only_its_answer(tmp_path: Path) -> None:
    lock = open_lock(tmp_path / "l.db", serial="S", verification_code="V")
    lock.handle(Boot(T0))
    before = lock.store.load()
    lock.handle(RemoteCommand("r", RemoteAction.UNLOCK, {}))
    after = lock.store.load()
    assert after.replace(next_seq=0, recent_requests=()) == before.replace(
        next_seq=0, recent_requests=()
    )


@pytest.mark.slow
def test_kill_9_at_random_moments_keeps_the_last_committed_state_D_LOG(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    child = Path(__file__).with_name("crash_child.py")
    rnd = random.Random(7)
    for round_no in range(12):
        proc = subprocess.Popen(
            [sys.executable, str(child), str(path), str(round_no)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the child is up and has committed at least once
        assert first.strip().isdigit(), proc.stderr.read() if proc.stderr else first
        time.sleep(rnd.uniform(0.02, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        printed = [int(line) for line in (first + out).split() if line.isdigit()]
        store = Store.open(path)
        state = store.load()
        assert state is not None
        committed = state.next_seq - 1
        # Everything printed was committed; at most the one in flight is beyond it.
        assert committed >= printed[-1]
        events = store.events(0, 1_000_000)
        seqs = [e.seq for e in events]
        assert seqs == list(range(1, committed + 1))  # no gap, no repeat, nothing lost
        added = sum(1 for e in events if e.kind is EventKind.USER_ADDED)
        deleted = sum(1 for e in events if e.kind is EventKind.USER_DELETED)
        assert len(state.users) == added - deleted  # state and journal moved together
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.close()


def test_failed_commit_raises_and_the_lock_keeps_the_committed_state_D_LOG(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = open_lock(tmp_path / "l.db", serial="S", verification_code="V")
    lock.handle(Boot(T0))
    committed = lock.store.load()

    def disk_full(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # a full disk: test_full_disk.py

    monkeypatch.setattr(Store, "_insert", staticmethod(disk_full))
    with pytest.raises(StoreError, match="nothing was written"):
        lock.handle(DoorbellKey())  # journals a doorbell event
    monkeypatch.undo()
    assert lock.store.load() == committed
    assert lock.core.state == committed  # rebuilt from the store, not half-applied
    assert lock.handle(Tick(T0 + 1)) is not None


def test_time_never_runs_backwards_in_the_core() -> None:
    rig = Rig()
    rig.feed(Tick(T0 - 3600))
    assert rig.core.now == T0
