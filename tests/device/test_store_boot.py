"""Issue 12 (6): a damaged store is an error with a clear message, never a silent reset.

Before the fix a 0-byte `lock.db`, or a missing one with its `-wal` left over, booted
as a brand-new lock (new secret, 0 users, journal from 1, nothing logged), and a
store that lost only its identity row got a new secret and then crash-looped on a
duplicate journal number. A factory reset now happens only on request (D-RESET).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smartlock.device.core.inputs import Boot, KeyPress
from smartlock.device.durable import open_lock
from smartlock.errors import StoreError

T0 = 1_700_000_000.0
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _used_lock(path: Path) -> bytes:
    """A lock with a master user and some journal; returns its secret."""
    lock = open_lock(path, serial="SL-BOOT", verification_code="VC")
    lock.handle(Boot(T0))
    for key in "*#123456#123456#":
        lock.handle(KeyPress(key))
    assert lock.core.state.users
    secret = lock.core.state.secret
    lock.store.close()
    return secret


def test_a_zero_byte_store_is_an_error_not_a_new_lock_D_RESET(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    _used_lock(path)
    path.write_bytes(b"")
    for side in ("-wal", "-shm"):
        (tmp_path / f"lock.db{side}").unlink(missing_ok=True)
    with pytest.raises(StoreError, match="empty"):
        open_lock(path, serial="SL-BOOT", verification_code="VC")
    assert path.stat().st_size == 0  # nothing was written over it


def test_a_missing_store_with_its_wal_left_over_is_an_error_D_RESET(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    _used_lock(path)
    conn = sqlite3.connect(path)  # hold a reader so the WAL stays after the delete
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("INSERT INTO kv VALUES ('x', '1')")
    conn.commit()
    wal = tmp_path / "lock.db-wal"
    assert wal.exists()
    saved = wal.read_bytes()
    conn.close()
    path.unlink()
    wal.write_bytes(saved)
    with pytest.raises(StoreError, match=r"missing but lock\.db-wal"):
        open_lock(path, serial="SL-BOOT", verification_code="VC")
    assert not path.exists()


def test_a_store_without_its_identity_row_keeps_its_secret_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    secret = _used_lock(path)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM kv WHERE key = 'identity'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="no identity row"):
        open_lock(path, serial="SL-BOOT", verification_code="VC")
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT value FROM kv WHERE key = 'secret'").fetchone()
    journal = conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    conn.close()
    assert row is not None and bytes.fromhex(row[0].strip('"')) == secret  # not overwritten
    assert journal > 1


def test_a_factory_reset_happens_on_request_and_keeps_the_old_files_aside(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lock.db"
    secret = _used_lock(path)
    path.write_bytes(b"")
    lock = open_lock(path, serial="SL-BOOT", verification_code="VC", factory_reset=True)
    assert lock.core.state.secret != secret and not lock.core.state.users
    assert [p.name for p in tmp_path.glob("lock.db.broken-*")]
    lock.store.close()
    again = open_lock(path, serial="SL-BOOT", verification_code="VC")  # boots normally
    assert again.core.state.secret == lock.core.state.secret


_CREATE = """
import sys
from smartlock.device.durable import open_lock
print("ready", flush=True)
sys.stdin.readline()
open_lock(sys.argv[1], serial="SL-FIRST", verification_code="VC")
print("created", flush=True)
"""


def _run_child(path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CREATE, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.stdin.write("go\n")
    proc.stdin.flush()
    return proc


def _creation_time(path: Path) -> float:
    path.parent.mkdir()
    proc = _run_child(path)
    start = time.monotonic()
    assert proc.stdout is not None and proc.stdout.readline().strip() == "created"
    took = time.monotonic() - start
    proc.wait(30)
    return took


def test_a_first_boot_killed_at_any_point_boots_next_time(tmp_path: Path) -> None:
    """The new store is built beside `lock.db` and renamed in, so a SIGKILL at any
    point of a first boot leaves either no store (start over) or a whole one."""
    span = statistics.median(_creation_time(tmp_path / f"timing{i}" / "lock.db") for i in range(3))
    created, kills = 0, 0
    # 25 kills spread over the measured creation time, then more (up to 100) while
    # they all landed on one side of its end: a loaded machine (CI) varies the time a
    # creation takes from one child to the next.
    while kills < 25 or (kills < 100 and created in (0, kills)):
        path = tmp_path / f"l{kills}" / "lock.db"
        path.parent.mkdir()
        proc = _run_child(path)
        if kills == 25:  # all on one side: the machine's pace changed, measure again
            span = _creation_time(tmp_path / "timing-again" / "lock.db")
        spread = kills / 20 if kills < 25 else random.uniform(0.0, 3.0)
        time.sleep(span * spread)  # before, during and (the last few) after it
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        created += "created" in out
        kills += 1
        lock = open_lock(path, serial="SL-FIRST", verification_code="VC")
        assert lock.core.state.identity.serial == "SL-FIRST"
        lock.store.close()
    assert 0 < created < kills  # some kills landed before the end, some after


def test_lock_run_refuses_a_damaged_store_with_a_clear_message(tmp_path: Path) -> None:
    """The real `smartlock lock run` exits 2 and says why (and how to reset)."""
    _used_lock(tmp_path / "lock.db")
    (tmp_path / "lock.db").write_bytes(b"")
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "smartlock.cli",
            "lock",
            "run",
            "--data-dir",
            str(tmp_path),
            "--broker",
            "mqtt://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "is empty (0 bytes)" in proc.stderr and "--factory-reset" in proc.stderr
