"""Issue 12 (6, full disk): the lock says so, still unlocks from memory, still counts.

Before the fix every commit on a full disk raised and the core was rebuilt from the
store: a doorbell press was never journaled, the right code did not unlock, the lock
said nothing and wrong codes were not counted (D-LOCKOUT). Now steps that only touch
the journal and the failure count run from memory and are written once space
returns, with a `storage_full` event; changes to users, credentials, settings or the
binding are refused with `store_full`. Proved on a real small tmpfs (root only) and
with an injected `OSError(ENOSPC)`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smartlock.device.core import effects as fx
from smartlock.device.core.inputs import (
    Boot,
    DoorbellKey,
    KeyPress,
    RemoteAction,
    RemoteCommand,
    Tick,
)
from smartlock.device.core.prompts import PromptId
from smartlock.device.durable import DurableLock, open_lock
from smartlock.device.store import Store
from smartlock.errors import ErrorCode
from smartlock.vocab import EventKind

from .rig import MASTER_PIN, T0


def _keys(lock: DurableLock, typed: str, now: float) -> list[fx.Effect]:
    out: list[fx.Effect] = []
    lock.handle(Tick(now))
    for key in typed:
        out += lock.handle(KeyPress(key))
    return out


def _said(effects: list[fx.Effect]) -> list[PromptId]:
    return [e.prompt_id for e in effects if isinstance(e, fx.Prompt)]


def _unlocked(effects: list[fx.Effect]) -> bool:
    return any(isinstance(e, fx.MoveBolt) and e.action is fx.BoltAction.RETRACT for e in effects)


def _campaign(lock: DurableLock, fill: Callable[[], None], free: Callable[[], None]) -> None:
    """The same story on any kind of full disk."""
    now = T0 + 10
    assert lock.core.state.users  # the master from the setup
    committed = lock.store.load()
    assert committed is not None
    fill()
    bell = lock.handle(DoorbellKey())
    assert lock.storage_full
    assert PromptId.STORAGE_FULL in _said(bell)  # the lock says so
    assert any(isinstance(e, fx.JournalEvent) and e.kind is EventKind.DOORBELL for e in bell)
    # The right code still unlocks: the credential is in memory and nothing changes.
    opened = _keys(lock, f"{MASTER_PIN}#", now)
    assert _unlocked(opened) and PromptId.STORAGE_FULL in _said(opened)
    # Wrong codes still count, up to a lockout (D-LOCKOUT).
    for _ in range(5):
        now += 20
        _keys(lock, "999999#", now)
    assert lock.core.locked_out
    # A change that must be durable is refused and undone, with a reason.
    users = dict(lock.core.state.users)
    effects = lock.handle(
        RemoteCommand(uuid.uuid4().hex, RemoteAction.ADD_USER, {"user_type": "normal"})
    )
    results = [e for e in effects if isinstance(e, fx.CommandResult)]
    assert results and not results[0].ok and results[0].code is ErrorCode.STORE_FULL
    assert lock.core.state.users == users and PromptId.STORAGE_FULL in _said(effects)
    # Nothing of it reached the disk yet; the cloud sees nothing half-written.
    assert lock.store.events(committed.next_seq - 1, 1000) == []
    # Space returns: the next tick writes everything held, then a storage_full event.
    free()
    lock.handle(Tick(now + 1))
    assert not lock.storage_full
    written = lock.store.events(committed.next_seq - 1, 1000)
    kinds = [e.kind for e in written]
    assert kinds[0] is EventKind.DOORBELL and EventKind.UNLOCK in kinds
    assert kinds.count(EventKind.UNLOCK_FAILED) == 5 and EventKind.LOCKOUT in kinds
    assert kinds[-1] is EventKind.STORAGE_FULL and written[-1].details["refused"] == 1
    seqs = [e.seq for e in written]
    assert seqs == list(range(committed.next_seq, committed.next_seq + len(seqs)))
    reopened = Store.open(lock.store_path).load()  # type: ignore[attr-defined]
    assert reopened is not None and reopened.lockout == lock.core.state.lockout


def _setup(path: Path) -> DurableLock:
    lock = open_lock(path, serial="SL-FULL", verification_code="VC")
    lock.handle(Boot(T0))
    for key in f"*#{MASTER_PIN}#{MASTER_PIN}#":
        lock.handle(KeyPress(key))
    lock.store_path = path  # type: ignore[attr-defined]
    return lock


@contextlib.contextmanager
def _tmpfs(root: Path, size: str) -> Iterator[Path]:
    mount = root / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the ENOSPC test covers the rest)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("this machine does not allow a tmpfs mount")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_a_small_tmpfs(tmp_path: Path) -> None:
    with _tmpfs(tmp_path, "2m") as disk:
        lock = _setup(disk / "lock.db")
        filler = disk / "filler"

        def fill() -> None:
            with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * 4096)
            assert os.statvfs(disk).f_bavail == 0

        _campaign(lock, fill, lambda: filler.unlink())
        lock.store.close()


def test_an_injected_enospc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = _setup(tmp_path / "lock.db")

    def enospc(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    _campaign(
        lock,
        lambda: monkeypatch.setattr(Store, "_insert", staticmethod(enospc)),
        monkeypatch.undo,
    )
