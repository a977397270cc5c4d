"""`DurableLock`: the core and its store wired so every `handle()` is one transaction.

    lock = open_lock("lock.db", serial="SL-0001", verification_code="ABCDEF")
    effects = lock.handle(Boot(time.time()))   # then Tick(time.time()) every second

If the commit fails the core is rebuilt from the store (the last committed state) and
`StoreError` is raised: the effects were not durable, so the shell must not play them.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path

from smartlock.device.core import LockCore
from smartlock.device.effects import Effect
from smartlock.device.errors import StoreError
from smartlock.device.inputs import Input
from smartlock.device.ports import FaceMatcher, OfflineCodeChecker
from smartlock.device.records import Identity
from smartlock.device.store import Store

log = logging.getLogger(__name__)


class DurableLock:
    """`handle(input) -> effects`, committed to the store before they are returned."""

    def __init__(self, core: LockCore, store: Store) -> None:
        self.core = core
        self.store = store
        self._lock = threading.RLock()

    def handle(self, inp: Input) -> list[Effect]:
        with self._lock:
            effects = self.core.handle(inp)
            try:
                self.store.commit(self.core.state, effects)
            except StoreError:
                state = self.store.load()
                if state is not None:
                    self.core = LockCore.restore(
                        state,
                        matcher=self.core.matcher,
                        offline_codes=self.core.offline_codes,
                        firmware=self.core.image_firmware,
                    )
                raise
            return effects


def open_lock(
    path: str | Path,
    *,
    serial: str,
    verification_code: str,
    matcher: FaceMatcher | None = None,
    offline_codes: OfflineCodeChecker | None = None,
    hardware_key: bytes | None = None,
    factory_reset: bool = False,
) -> DurableLock:
    """Open the lock stored at `path`, creating it (with a fresh secret) the first time.

    `serial` and `verification_code` are only used when creating; an existing store
    keeps the identity it was created with. A new store is built beside `path` and
    renamed into place only once its identity is committed, so a store at `path`
    without an identity (0 bytes, rows lost) or a write-ahead log without its store is
    damage, never a first boot: `StoreError` says so and nothing is overwritten (a
    new secret would orphan the users, the binding and the journal's numbering).
    `factory_reset=True` (asked for by a person) moves whatever is there aside into
    `<name>.broken-<time>` files and starts a new lock.
    """
    if str(path) == ":memory:":
        return _open(
            Store.open(path, hardware_key=hardware_key),
            path,
            serial,
            verification_code,
            matcher,
            offline_codes,
            hardware_key,
        )
    path = Path(path)
    if factory_reset:
        _set_aside(path)
    if not path.exists():
        leftovers = [p.name for p in _sidecars(path) if p.exists()]
        if leftovers:
            raise StoreError(
                f"the lock store {path} is missing but {', '.join(leftovers)} is still "
                "there: the store was deleted or moved, so its data would be lost; put "
                "it back, or factory-reset the lock on purpose (lock run --factory-reset)"
            )
        _create(path, serial, verification_code, hardware_key)
    elif path.stat().st_size == 0:
        raise StoreError(_damaged(path, "is empty (0 bytes)"))
    return _open(
        Store.open(path, hardware_key=hardware_key),
        path,
        serial,
        verification_code,
        matcher,
        offline_codes,
        hardware_key,
    )


def _open(
    store: Store,
    path: str | Path,
    serial: str,
    verification_code: str,
    matcher: FaceMatcher | None,
    offline_codes: OfflineCodeChecker | None,
    hardware_key: bytes | None,
) -> DurableLock:
    state = store.load()
    if state is None and str(path) == ":memory:":
        core = LockCore.new(
            Identity(serial, verification_code),
            secrets.token_bytes(32),
            matcher=matcher,
            offline_codes=offline_codes,
        )
        store.commit(core.state, [])
        return DurableLock(core, store)
    if state is None:
        size = Path(path).stat().st_size
        store.close()
        what = "is empty (0 bytes)" if size == 0 else "has no identity row"
        raise StoreError(_damaged(path, what))
    return DurableLock(LockCore.restore(state, matcher=matcher, offline_codes=offline_codes), store)


def _damaged(path: str | Path, what: str) -> str:
    return (
        f"the lock store {path} {what}: it was damaged, so the lock will not start as a "
        "new one over it (its users, binding and journal would be lost); restore it, or "
        "factory-reset the lock on purpose (lock run --factory-reset)"
    )


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _create(path: Path, serial: str, verification_code: str, hardware_key: bytes | None) -> None:
    """A new store with its identity, built at `<path>.new` and renamed into place."""
    new = path.with_name(path.name + ".new")
    for stale in (new, *_sidecars(new)):
        stale.unlink(missing_ok=True)  # a first boot that died half-way: start it over
    store = Store.open(new, hardware_key=hardware_key)
    core = LockCore.new(Identity(serial, verification_code), secrets.token_bytes(32))
    store.commit(core.state, [])
    store.checkpoint()
    store.close()
    for side in _sidecars(new):
        side.unlink(missing_ok=True)  # checkpointed: the file alone holds everything
    with open(new, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(new, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _set_aside(path: Path) -> None:
    """D-RESET on request: keep the old files (renamed) for whoever wants to look."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for old in (path, *_sidecars(path)):
        if old.exists():
            target = old.with_name(f"{old.name}.broken-{stamp}")
            log.warning("factory reset: %s moved to %s", old, target)
            os.replace(old, target)
