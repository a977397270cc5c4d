"""`DurableLock`: the core and its store wired so every `handle()` is one transaction.

    lock = open_lock("lock.db", serial="SL-0001", verification_code="ABCDEF")
    effects = lock.handle(Boot(time.time()))   # then Tick(time.time()) every second

If the commit fails the core is rebuilt from the store (the last committed state) and
`StoreError` is raised: the effects were not durable, so the shell must not play them.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from smartlock.device.core import LockCore
from smartlock.device.effects import Effect
from smartlock.device.errors import StoreError
from smartlock.device.inputs import Input
from smartlock.device.ports import FaceMatcher, OfflineCodeChecker
from smartlock.device.records import Identity
from smartlock.device.store import Store


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
) -> DurableLock:
    """Open the lock stored at `path`, creating it (with a fresh secret) the first time.

    `serial` and `verification_code` are only used when creating; an existing store
    keeps the identity it was created with.
    """
    store = Store.open(path, hardware_key=hardware_key)
    state = store.load()
    if state is None:
        core = LockCore.new(
            Identity(serial, verification_code),
            secrets.token_bytes(32),
            matcher=matcher,
            offline_codes=offline_codes,
        )
        store.commit(core.state, [])
    else:
        core = LockCore.restore(state, matcher=matcher, offline_codes=offline_codes)
    return DurableLock(core, store)
