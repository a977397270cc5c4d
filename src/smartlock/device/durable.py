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
from dataclasses import fields, replace
from pathlib import Path

from smartlock.device.core import Checkpoint, LockCore
from smartlock.device.core.effects import (
    CommandResult,
    Effect,
    JournalEvent,
    Led,
    MoveBolt,
    Prompt,
    SetLed,
)
from smartlock.device.core.inputs import Input
from smartlock.device.core.ports import FaceMatcher, OfflineCodeChecker
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.records import DurableState, Identity
from smartlock.device.files import move_into_place
from smartlock.device.store import Store
from smartlock.errors import ErrorCode, StoreError, StoreFull
from smartlock.vocab import EventKind, Source

log = logging.getLogger(__name__)


# What may change in memory only while the disk is full (issue 12): the journal's
# numbering, the failure count and lockout (D-LOCKOUT: wrong codes still count),
# requests seen, offline codes and temporary passwords used. Anything else (users,
# credentials, faces, settings, binding, identity, firmware) must be durable before
# it counts: a deleted user who came back after a power cut is worse than a refusal.
_MEMORY_OK = frozenset(
    {
        "next_seq",
        "lockout",
        "recent_requests",
        "mech_pending",
        "low_battery_reported",
        "used_offline_ids",
    }
)


class DurableLock:
    """`handle(input) -> effects`, committed to the store before they are returned.

    When the disk is full (`StoreFull`) the lock keeps working from memory where that
    is safe: a step that changes only what `_MEMORY_OK` names (an unlock with a known
    credential, a wrong code counted towards the lockout, a doorbell) is played and
    its journal events are held until a commit succeeds; a step that would change a
    user, a credential, a setting or the binding is undone and refused. Either way
    the lock speaks `STORAGE_FULL`. The first commit that succeeds again writes
    everything held plus a `storage_full` event (since, until, refused).
    """

    def __init__(self, core: LockCore, store: Store) -> None:
        self.core = core
        self.store = store
        self._lock = threading.RLock()
        self.full_since: float | None = None  # wall-clock time of the first full commit
        self._held: list[JournalEvent] = []
        self._refused = 0

    @property
    def storage_full(self) -> bool:
        return self.full_since is not None

    def handle(self, inp: Input) -> list[Effect]:
        with self._lock:
            before = self.core.state
            checkpoint = self.core.checkpoint()
            effects = self.core.handle(inp)
            events = [e for e in effects if isinstance(e, JournalEvent)]
            try:
                self.store.commit(self.core.state, [*self._held, *events])
            except StoreFull as err:
                return self._on_full(err, inp, before, checkpoint, effects)
            except StoreError:
                self._rebuild()
                raise
            self._held = []
            if self.full_since is not None:
                effects += self._recovered()
            return effects

    def _on_full(
        self,
        err: StoreFull,
        inp: Input,
        before: DurableState,
        checkpoint: Checkpoint,
        effects: list[Effect],
    ) -> list[Effect]:
        first = self.full_since is None
        if first:
            self.full_since = self.core.now
            log.error("store full, running from memory where safe: %s", err)
        if _durable_change(before, self.core.state):
            self.core.undo(checkpoint)
            self._refused += 1
            log.warning("store full: refused %r (it changes what must be durable)", inp)
            refused: list[Effect] = self._prompt()
            request_id = getattr(inp, "request_id", None)
            if isinstance(request_id, str):
                refused.append(CommandResult(request_id, False, ErrorCode.STORE_FULL))
            return refused
        self._held += [e for e in effects if isinstance(e, JournalEvent)]
        # Say it when a person is there (the keypad wakes, the lock speaks or moves
        # the bolt), never on a tick or for each digit typed.
        if first or any(_noticed(e) for e in effects):
            return [*effects, *self._prompt()]
        return effects

    def _prompt(self) -> list[Effect]:
        if self.core.state.settings.mute:  # D-MUTE silences prompts
            return []
        return [Prompt(PromptId.STORAGE_FULL, {})]

    def _recovered(self) -> list[Effect]:
        """Space is back: journal how long the store was full (best effort)."""
        since, refused = self.full_since, self._refused
        event = JournalEvent(
            self.core.state.next_seq,
            self.core.now,
            EventKind.STORAGE_FULL,
            None,
            None,
            Source.SYSTEM,
            {"since": since, "until": self.core.now, "refused": refused},
        )
        state = self.core.state.replace(next_seq=event.seq + 1)
        try:
            self.store.commit(state, [event])
        except StoreError:
            return []  # full again: the next successful commit tries once more
        self.core.committed(state, event)
        self.full_since, self._refused = None, 0
        log.warning("store writable again after %.0f s", self.core.now - (since or 0))
        return [event]

    def _rebuild(self) -> None:
        state = self.store.load()
        if state is not None:
            self.core = LockCore.restore(
                state,
                matcher=self.core.matcher,
                offline_codes=self.core.offline_codes,
                firmware=self.core.image_firmware,
            )


def _noticed(effect: Effect) -> bool:
    return isinstance(effect, Prompt | MoveBolt) or effect == SetLed(Led.KEYPAD, True)


def _durable_change(old: DurableState, new: DurableState) -> bool:
    """Does `new` differ from `old` in anything that must not live in memory only?"""
    if old is new:
        return False
    for f in fields(DurableState):
        if f.name in _MEMORY_OK:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        # a temporary password's use counted is fine in memory; one added or changed is not
        if (
            f.name == "temp_passwords"
            and a.keys() == b.keys()
            and all(replace(a[k], uses=0) == replace(b[k], uses=0) for k in a)
        ):
            continue
        if a != b:
            return True
    return False


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
    if str(path) != ":memory:":
        path = Path(path)
        _prepare(path, serial, verification_code, hardware_key, factory_reset=factory_reset)
    return _open(
        Store.open(path, hardware_key=hardware_key),
        path,
        serial,
        verification_code,
        matcher,
        offline_codes,
        hardware_key,
    )


def _prepare(
    path: Path,
    serial: str,
    verification_code: str,
    hardware_key: bytes | None,
    *,
    factory_reset: bool,
) -> None:
    """Make sure `path` holds a store to open: create it on first boot, refuse damage."""
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
    move_into_place(new, path)


def _set_aside(path: Path) -> None:
    """D-RESET on request: keep the old files (renamed) for whoever wants to look."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for old in (path, *_sidecars(path)):
        if old.exists():
            target = old.with_name(f"{old.name}.broken-{stamp}")
            log.warning("factory reset: %s moved to %s", old, target)
            os.replace(old, target)
