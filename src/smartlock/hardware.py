"""What the lock's parts report: the one vocabulary of hardware events.

`smartlock.hal` emits these values (a Pi, the virtual lock and the tests all speak
them) and the lock core handles them as they are: they are members of the core's
`Input` union (`smartlock.device.core.inputs`), so nothing translates between the two. The
module imports nothing of the project but the shared vocabulary and errors, which is
why both `hal` and the core may import it. Every value checks itself and raises
`InputError` (the sender's fault) when malformed.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import TypeVar

from smartlock.errors import InputError
from smartlock.vocab import BoltState, FingerProblem

_E = TypeVar("_E", bound=enum.StrEnum)

KEYPAD_KEYS = frozenset("0123456789*#")


def check_finite(name: str, value: float) -> None:
    """A number a part (or the shell's clock) reports must be a real, finite one."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")


def check_member(name: str, value: object, kind: type, *, optional: bool = False) -> None:
    """A field that must hold a member of `kind` (an enum), or None when `optional`."""
    if not (isinstance(value, kind) or (optional and value is None)):
        raise InputError(f"{name} must be a {kind.__name__}, got {value!r}")


def _slot(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 0x10000:
        raise InputError(f"a template slot is 0..65535, got {value!r}")


class ButtonId(enum.StrEnum):
    """The push buttons of the lock (spec §1); `button_event` makes their events."""

    DOORBELL = "doorbell"  # front
    ARM = "arm"  # front, arms the lock (D-MODE-ARM)
    SETTINGS = "settings"  # back, under the battery cover (menu / D-PAIR)
    UNLOCK = "unlock"  # back, the electronic unlock button (D-OPEN-IN, D-MODE-ANTI)


class Mechanism(enum.StrEnum):
    """Parts that move the bolt or the door by hand; `mechanism_event` makes theirs."""

    KNOB = "knob"  # inside, turns one way only (D-OPEN-IN)
    KEY = "key"  # mechanical key cylinder, outside (D-MECH)
    HANDLE = "handle"  # both sides (D-MODE-PASS)


@dataclass(frozen=True, slots=True)
class KeyPress:
    """One keypad touch: `0`-`9`, `*` (clear / back) or `#` (confirm). D-KEY-*."""

    key: str

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or self.key not in KEYPAD_KEYS:
            raise InputError(f"not a keypad key: {self.key!r} (use 0-9, * or #)")


@dataclass(frozen=True, slots=True)
class DoorSensor:
    """The door sensor (reed switch) changed: open or closed."""

    is_open: bool


@dataclass(frozen=True, slots=True)
class BoltFeedback:
    """The bolt reports where it is after a motor run (or a hand move)."""

    state: BoltState

    def __post_init__(self) -> None:
        check_member("state", self.state, BoltState)


@dataclass(frozen=True, slots=True)
class _Held:
    """A button released after being held `held_s` seconds (its length is a choice)."""

    held_s: float = 0.1

    def __post_init__(self) -> None:
        check_finite("held_s", self.held_s)
        if self.held_s < 0:
            raise InputError(f"held_s cannot be negative, got {self.held_s}")


@dataclass(frozen=True, slots=True)
class SettingsKey(_Held):
    """The settings key was released after `held_s`: short = menu, >= 3 s = pairing."""


@dataclass(frozen=True, slots=True)
class UnlockButton(_Held):
    """Inside electronic button released after `held_s`: short = open, >= 3 s = anti-lock."""


@dataclass(frozen=True, slots=True)
class ArmKey:
    """The front arm key (D-MODE-ARM)."""


@dataclass(frozen=True, slots=True)
class DoorbellKey:
    """The front doorbell key (A-LIVE)."""


@dataclass(frozen=True, slots=True)
class Knob:
    """The inside knob was turned (D-OPEN-IN)."""


@dataclass(frozen=True, slots=True)
class MechanicalKey:
    """The mechanical key opened the lock from outside (D-MECH)."""


@dataclass(frozen=True, slots=True)
class Handle:
    """The handle was pushed or pulled (opens the door in normally-open mode)."""


@dataclass(frozen=True, slots=True)
class Tamper:
    """The tamper switch tripped (True) or was restored (False). D-TAMPER."""

    tripped: bool


@dataclass(frozen=True, slots=True)
class BatteryLevel:
    """A battery reading in whole percent (D-BATT-*); `charging` is for display only."""

    level: int
    charging: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int):
            raise InputError(f"battery level must be an int, got {self.level!r}")
        if not 0 <= self.level <= 100:
            raise InputError(f"battery level must be 0-100 %, got {self.level}")


@dataclass(frozen=True, slots=True)
class UsbPower:
    """USB-C emergency power connected or removed (D-BATT-USB)."""

    connected: bool


@dataclass(frozen=True, slots=True)
class FingerSensor:
    """The shell says at boot whether this lock has a fingerprint module, and how many
    presses an enrolment takes on it (2 on an AS608, 3 on an R503). D-FINGER-HW.
    """

    present: bool
    presses: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.present, bool):
            raise InputError(f"present must be a bool, got {self.present!r}")
        if isinstance(self.presses, bool) or self.presses not in (2, 3):
            raise InputError(f"a module takes 2 or 3 presses, not {self.presses!r}")


@dataclass(frozen=True, slots=True)
class FingerMatched:
    """The fingerprint module found the finger on its glass in its library at `slot`.

    The module matches on itself: the template never reaches the core (D-PRIV).
    """

    slot: int
    confidence: int = 0

    def __post_init__(self) -> None:
        _slot(self.slot)


@dataclass(frozen=True, slots=True)
class FingerNotFound:
    """A finger was read and matches no template: one failed attempt (D-LOCKOUT)."""


@dataclass(frozen=True, slots=True)
class FingerCaptured:
    """Enrolment: press `press` was imaged; `found_slot` is where the module's search
    found that finger already (D-FINGER-DUP), None when it is new.
    """

    press: int
    found_slot: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.press, bool) or not isinstance(self.press, int) or self.press < 1:
            raise InputError(f"press counts from 1, got {self.press!r}")
        if self.found_slot is not None:
            _slot(self.found_slot)


@dataclass(frozen=True, slots=True)
class FingerLifted:
    """Enrolment: the finger left the glass after a press."""


@dataclass(frozen=True, slots=True)
class FingerStored:
    """Enrolment: the module merged the presses and stored the template at `slot`."""

    slot: int

    def __post_init__(self) -> None:
        _slot(self.slot)


@dataclass(frozen=True, slots=True)
class FingerFault:
    """The module could not do what it was asked, and why."""

    problem: FingerProblem

    def __post_init__(self) -> None:
        check_member("problem", self.problem, FingerProblem)


HardwareEvent = (
    KeyPress
    | DoorSensor
    | BoltFeedback
    | SettingsKey
    | UnlockButton
    | ArmKey
    | DoorbellKey
    | Knob
    | MechanicalKey
    | Handle
    | Tamper
    | BatteryLevel
    | UsbPower
    | FingerMatched
    | FingerNotFound
    | FingerCaptured
    | FingerLifted
    | FingerStored
    | FingerFault
)
"""Everything a part can report while the lock runs (`FingerSensor` is said at boot)."""


def button_event(button: ButtonId, held_s: float = 0.1) -> HardwareEvent:
    """The event a button makes when it is released after `held_s` seconds."""
    match _member(ButtonId, button):
        case ButtonId.SETTINGS:
            return SettingsKey(held_s)
        case ButtonId.UNLOCK:
            return UnlockButton(held_s)
        case ButtonId.ARM:
            return ArmKey()
        case ButtonId.DOORBELL:
            return DoorbellKey()
    raise InputError(f"not a button: {button!r}")  # pragma: no cover - _member checked


def _member(kind: type[_E], value: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        raise InputError(f"not a {kind.__name__}: {value!r}") from None


_MECHANISMS: dict[Mechanism, type[Knob | MechanicalKey | Handle]] = {
    Mechanism.KNOB: Knob,
    Mechanism.KEY: MechanicalKey,
    Mechanism.HANDLE: Handle,
}


def mechanism_event(mechanism: Mechanism) -> HardwareEvent:
    """The event turning the knob, the key or the handle makes."""
    return _MECHANISMS[_member(Mechanism, mechanism)]()
