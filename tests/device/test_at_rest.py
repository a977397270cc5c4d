"""Issue 13, finding 8: at rest. The PIN hashes are keyed by the per-lock secret; with
a hardware key (a secure element on hardware, a separate 0600 file on the virtual
lock) that secret is sealed, so a copy of lock.db alone does not give the PINs. Data
files are created 0600.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from pathlib import Path

import pytest

from smartlock.demo.lockproc import HARDWARE_KEY_FILE, virtual_hardware_key
from smartlock.device.core.users import pin_hash
from smartlock.device.durable import open_lock
from smartlock.errors import StoreError

from .rig import MASTER_PIN, Rig, unlocks


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _with_master(path: Path, key: bytes | None) -> bytes:
    lock = open_lock(path, serial="SL-AT-REST-1", verification_code="VC", hardware_key=key)
    rig = Rig(lock.core)
    effects = rig.first_master()
    lock.store.commit(rig.core.state, effects)
    secret = rig.core.state.secret
    lock.store.close()
    return secret


def test_a_copy_of_lock_db_does_not_hold_the_pin_key_issue13_finding8(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    path = tmp_path / "lock.db"
    secret = _with_master(path, key)
    raw = path.read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("lock.db-*") if p.is_file()
    )
    assert secret not in raw and secret.hex().encode() not in raw
    with sqlite3.connect(path) as db:
        stored = [bytes(h) for (h,) in db.execute("SELECT secret_hash FROM credentials")]
    assert stored == [pin_hash(secret, MASTER_PIN)]  # keyed by the sealed secret only
    with pytest.raises(StoreError):
        open_lock(path, serial="x", verification_code="x")  # no key: nothing opens
    again = open_lock(path, serial="x", verification_code="x", hardware_key=key)
    rig = Rig(again.core)
    assert unlocks(rig.keys(f"{MASTER_PIN}#"))  # with the key the PIN still works
    again.store.close()


def test_the_virtual_lock_keeps_its_key_in_its_own_0600_file_issue13_finding8(
    tmp_path: Path,
) -> None:
    key = virtual_hardware_key(tmp_path)
    assert key is not None and len(key) == 32
    assert _mode(tmp_path / HARDWARE_KEY_FILE) == 0o600
    assert virtual_hardware_key(tmp_path) == key
    # A lock.db from before (sealed without a key) keeps working without one.
    old = tmp_path / "old"
    old.mkdir()
    _with_master(old / "lock.db", None)
    assert virtual_hardware_key(old) is None


def test_lock_db_and_its_wal_are_owner_only_issue13_finding8(tmp_path: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "lock.db"
    _with_master(path, None)
    for p in [path, *tmp_path.glob("lock.db-*")]:
        os.chmod(p, 0o644)  # as an older version left them
    lock = open_lock(path, serial="x", verification_code="x")
    for p in [path, *tmp_path.glob("lock.db-*")]:
        assert _mode(p) == 0o600, p
    lock.store.close()


def test_cloud_sqlite_and_its_wal_are_owner_only_issue13_finding8(tmp_path: Path) -> None:
    from smartlock.cloud.app import build_services
    from smartlock.cloud.core.config import Settings

    os.umask(0o022)
    services = build_services(Settings(data_dir=tmp_path / "data"))
    try:
        with services.engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            conn.commit()
            files = list((tmp_path / "data").glob("cloud.sqlite3*"))
            assert {p.name for p in files} >= {"cloud.sqlite3", "cloud.sqlite3-wal"}
            for p in files:
                assert _mode(p) == 0o600, p
    finally:
        services.engine.dispose()
