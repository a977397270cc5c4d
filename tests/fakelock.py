"""The one fake lock of the cloud and link tests: the real lock behind the link's port.

`FakeLock` is the real `RuntimeLockSide` (the link's `LockSide` in production) over
the real `LockCore` and store (in memory unless given a path). Only the world around
it is fake: a fast-forward clock fed to the core as `Tick(now)` before every input, a
bolt motor that always obeys, a battery at 90 %. So every rule the cloud relies on
(A-REMOTE's preconditions, lockout, anti-lock, the journal, the settings shadow) is
the lock's own, never a copy that could drift from it.

Import it as ``from fakelock import FakeLock`` (tests/ is on sys.path: rootdir conftest).
"""

from __future__ import annotations

import itertools
import secrets
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from smartlock.device import DurableLock, EuclideanMatcher, LockCore, Store
from smartlock.device.core import effects as fx
from smartlock.device.core import users
from smartlock.device.core.inputs import (
    BatteryLevel,
    BoltFeedback,
    Boot,
    DoorbellKey,
    DoorSensor,
    FirmwareStage,
    FirmwareUpdate,
    Input,
    KeyPress,
    Tick,
    UnlockButton,
)
from smartlock.device.core.ports import OfflineCodeChecker
from smartlock.device.core.records import DurableState, Identity
from smartlock.device.runtime import FastForwardClock
from smartlock.link.runtime_adapter import RuntimeLockSide, to_link_event
from smartlock.link.schemas import Command, CommandResult, Event, Scalar
from smartlock.vocab import BoltState, DoorState, EventKind, UserType

MASTER_CODE = "135790"  # the password of user 001, the master, unless told otherwise
_serials = itertools.count(1)


class _Shell:
    """What `RuntimeLockSide` needs of `LockRuntime`, without threads or hardware: the
    clock ticks only when fed, the motor's bolt feedback comes back at once.
    """

    def __init__(self, lock: DurableLock, clock: FastForwardClock) -> None:
        self.lock, self.clock = lock, clock
        self.effects: list[fx.Effect] = []
        self._listeners: list[Callable[[fx.Effect], None]] = []
        self._mutex = threading.RLock()  # the loopback link feeds it from threads too

    def run(self, *inputs: Input) -> list[fx.Effect]:
        out: list[fx.Effect] = []
        with self._mutex:
            queue = [Tick(self.clock()), *inputs]
            while queue:
                effects = self.lock.handle(queue.pop(0))
                for e in effects:
                    if isinstance(e, fx.MoveBolt):
                        thrown = e.action is fx.BoltAction.THROW
                        queue.append(
                            BoltFeedback(BoltState.THROWN if thrown else BoltState.RETRACTED)
                        )
                out += effects
            self.effects += out
        for e in out:
            for listener in list(self._listeners):
                listener(e)
        return out

    def submit(self, event: Input) -> list[fx.Effect]:
        return self.run(event)

    async def asubmit(self, event: Input) -> list[fx.Effect]:
        return self.run(event)

    def add_listener(self, listener: Callable[[fx.Effect], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


def _prepared(serial: str, master_pin: str | None, settings: Mapping[str, Scalar]) -> DurableState:
    """A lock set up before the test began: nothing of it is in the journal."""
    state = DurableState(identity=Identity(serial, "ABC123"), secret=secrets.token_bytes(32))
    if master_pin is not None:
        state, number = users.add_user(state, UserType.MASTER)
        state, _ = users.add_pin(state, number, master_pin)
    values = state.settings
    for name, value in settings.items():
        values = values.with_value(name, value)
    return state.replace(settings=values)


class FakeLock(RuntimeLockSide):
    """The real lock core and link adapter; the test drives the lock's parts.

    `master_pin`: user 001, a master with this password, set up before the test (no
    journal event); None for a lock fresh from the factory (enrol with `enrol_master`).
    `settings`: values other than the lock's defaults, set up the same way. `path`: a
    file for the lock's store (the cloud-feature tests reopen it); default in memory.
    """

    def __init__(
        self,
        *,
        serial: str | None = None,
        master_pin: str | None = MASTER_CODE,
        settings: Mapping[str, Scalar] | None = None,
        path: Path | None = None,
        offline_codes: OfflineCodeChecker | None = None,
        battery: int = 90,
        boot: bool = True,
    ) -> None:
        serial = serial or f"SLFAKE{next(_serials):06d}"
        store = Store.open(":memory:" if path is None else path)
        state = store.load() or _prepared(serial, master_pin, settings or {})
        core = LockCore.restore(state, matcher=EuclideanMatcher(), offline_codes=offline_codes)
        store.commit(core.state, [])
        self._dir = tempfile.TemporaryDirectory(prefix="fakelock-")
        self.commands: list[Command] = []
        self.clock = FastForwardClock()
        lock = DurableLock(core, store)
        self.shell = _Shell(lock, self.clock)
        super().__init__(self.shell, lock, Path(self._dir.name) / "link.json")  # type: ignore[arg-type]
        if boot:  # what `LockRuntime.boot` feeds: journals `boot` and nothing else
            self.feed(Boot(self.clock()), BoltFeedback(BoltState.THROWN), DoorSensor(False))
            self.feed(BatteryLevel(battery))

    # --- the link's port: the real adapter, plus a record of what it was asked ----

    async def submit(self, command: Command) -> CommandResult:
        self.commands.append(command)
        return await super().submit(command)

    # --- the world around the lock --------------------------------------------------

    def feed(self, *inputs: Input) -> list[fx.Effect]:
        """Give the core these inputs (after a tick), bolt feedback included."""
        return self.shell.run(*inputs)

    def advance(self, seconds: float) -> list[fx.Effect]:
        """Let `seconds` of fake time pass, a tick each second (relock, lockout end)."""
        out: list[fx.Effect] = []
        while seconds > 0:
            step = min(1.0, seconds)
            self.clock.advance(step)
            seconds -= step
            out += self.feed()
        return out

    def type(self, keys: str) -> list[fx.Effect]:
        return [e for k in keys for e in self.feed(KeyPress(k))]

    def enter(self, digits: str) -> list[fx.Effect]:
        """Wake with '*', type the digits, confirm with '#'."""
        return self.type("*" + digits + "#")

    def enrol_master(self, pin: str = MASTER_CODE) -> list[fx.Effect]:
        """D-FIRST at the keypad: wake, '#', the password twice (journals it all)."""
        return self.type(f"*#{pin}#{pin}#")

    def ring(self) -> Event:
        self.feed(DoorbellKey())
        return self.last_event

    def open_door(self) -> None:
        self.feed(DoorSensor(True))

    def close_door(self) -> None:
        self.feed(DoorSensor(False))

    def unlock_inside(self) -> Event:
        """The inside button (D-OPEN-IN): the motor retracts the bolt."""
        self.feed(UnlockButton())
        return self.last_event

    def lock_by_hand(self) -> Event:
        """The bolt thrown by hand: journals `locked` (unlocking first if it was locked)."""
        if self.door is DoorState.LOCKED:
            self.unlock_inside()
        self.feed(BoltFeedback(BoltState.THROWN))
        return self.last_event

    def relock(self) -> None:
        """Wait out the auto-relock (D-BOLT)."""
        self.advance(self.lock.core.settings.auto_relock_s + 1)

    def toggle_anti_lock(self) -> None:
        """D-MODE-ANTI at the lock: the inside button held for 3 s."""
        self.feed(UnlockButton(held_s=3.0))

    def set_anti_lock(self, on: bool) -> None:
        """Anti-lock mode switched at the lock (not through the shadow)."""
        if on is not self.lock.core.settings.anti_lock:
            self.toggle_anti_lock()

    def install_firmware(self, version: str) -> None:
        """An update the shell installed (A-OTA): the core records the new version."""
        self.feed(FirmwareUpdate(f"fw-{version}", FirmwareStage.INSTALLED, version))

    def record(self, kind: EventKind) -> Event:
        """Make the lock journal one event of `kind` the way a person would."""
        doing: dict[EventKind, Callable[[], Any]] = {
            EventKind.DOORBELL: self.ring,
            EventKind.UNLOCK: self.unlock_inside,
            EventKind.LOCKED: self.lock_by_hand,
            EventKind.DOOR_OPENED: self.open_door,
            EventKind.DOOR_CLOSED: self.close_door,
        }
        doing[kind]()
        event = self.last_event
        assert event.kind is kind, (kind, event)
        return event

    def forget_acks(self) -> None:
        """The lock lost its ack pointer: it will send its whole journal again."""
        store = self.lock.store
        with store._lock, store._tx() as cur:  # a test's sabotage
            store._set_acked(cur, 0)

    # --- what the test looks at -----------------------------------------------------

    @property
    def journal(self) -> list[Event]:
        """Every event journaled since the fake was made, in wire shape."""
        return [to_link_event(e) for e in self.shell.effects if isinstance(e, fx.JournalEvent)]

    @property
    def last_event(self) -> Event:
        return self.journal[-1]

    @property
    def acked(self) -> int:
        return self.acked_through()

    @property
    def door(self) -> DoorState:
        return self.lock.core.status().door

    @property
    def settings(self) -> dict[str, Scalar]:
        """The settings as the lock reports them (the shadow's `reported`)."""
        return dict(self.reported().settings)

    @property
    def settings_version(self) -> int:
        return self.reported().version

    @property
    def firmware(self) -> str:
        return self.lock.core.firmware

    def knows_pin(self, digits: str) -> bool:
        """A password the lock would take from the keypad (the digits are never stored)."""
        return self.lock.core.pins.find_exact(digits) is not None

    def close(self) -> None:
        self.lock.store.close()
        self._dir.cleanup()
