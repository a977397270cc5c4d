"""What the hardware reports, as plain values.

These are hardware-level happenings (a key went down, the reed switch opened), not
lock decisions: the runtime translates them into the core's inputs. Keeping them
separate lets a Pi, the virtual lock and a test all speak the same small language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from smartlock.vocab import BoltState, FingerProblem

KEYS = frozenset("0123456789*#")


class ButtonId(enum.StrEnum):
    """The push buttons of the lock (spec §1)."""

    DOORBELL = "doorbell"  # front
    ARM = "arm"  # front, arms the lock (D-MODE-ARM)
    SETTINGS = "settings"  # back, under the battery cover (menu / D-PAIR)
    UNLOCK = "unlock"  # back, the electronic unlock button (D-OPEN-IN, D-MODE-ANTI)


class Mechanism(enum.StrEnum):
    """Parts that move the bolt or the door by hand, without the motor."""

    KNOB = "knob"  # inside, turns one way only (D-OPEN-IN)
    KEY = "key"  # mechanical key cylinder, outside (D-MECH)
    HANDLE = "handle"  # both sides (D-MODE-PASS)


@dataclass(frozen=True, slots=True)
class KeyPressed:
    """One keypad key: `0`-`9`, `*` (cancel/back) or `#` (confirm)."""

    key: str

    def __post_init__(self) -> None:
        if self.key not in KEYS:
            raise ValueError(f"not a keypad key: {self.key!r} (use 0-9, * or #)")


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """A button was released after being held `held_s` seconds."""

    button: ButtonId
    held_s: float = 0.1

    def __post_init__(self) -> None:
        if self.held_s < 0:
            raise ValueError(f"hold time cannot be negative: {self.held_s}")


@dataclass(frozen=True, slots=True)
class MechanismUsed:
    """The knob, the mechanical key or the handle was turned."""

    mechanism: Mechanism


@dataclass(frozen=True, slots=True)
class DoorChanged:
    """The door sensor (reed switch) changed."""

    is_open: bool


@dataclass(frozen=True, slots=True)
class TamperChanged:
    """The front panel tamper switch tripped (True) or was restored."""

    tripped: bool


@dataclass(frozen=True, slots=True)
class BatteryChanged:
    """A new battery reading, level in whole percent."""

    level: int
    charging: bool

    def __post_init__(self) -> None:
        if not 0 <= self.level <= 100:
            raise ValueError(f"battery level must be 0-100 %, got {self.level}")


@dataclass(frozen=True, slots=True)
class UsbPowerChanged:
    """USB-C emergency power was plugged in or removed (D-BATT-USB)."""

    connected: bool


@dataclass(frozen=True, slots=True)
class BoltMoved:
    """Bolt feedback after a motor run or a mechanical move."""

    state: BoltState
    by: Mechanism | None = None  # None: the motor moved it


@dataclass(frozen=True, slots=True)
class FingerRead:
    """The fingerprint module read a finger: its library `slot`, or None (no match)."""

    slot: int | None
    confidence: int = 0


@dataclass(frozen=True, slots=True)
class FingerImaged:
    """Enrolment press `press` was imaged; `found_slot`: the finger is enrolled there."""

    press: int
    found_slot: int | None = None


@dataclass(frozen=True, slots=True)
class FingerOff:
    """The finger left the glass (enrolment asks for a lift between presses)."""


@dataclass(frozen=True, slots=True)
class FingerSaved:
    """The module merged the presses and stored the template at `slot`."""

    slot: int


@dataclass(frozen=True, slots=True)
class FingerTrouble:
    """The module could not do what it was asked (a bad image, no answer ...)."""

    problem: FingerProblem


HalEvent = (
    KeyPressed
    | ButtonPressed
    | MechanismUsed
    | DoorChanged
    | TamperChanged
    | BatteryChanged
    | UsbPowerChanged
    | BoltMoved
    | FingerRead
    | FingerImaged
    | FingerOff
    | FingerSaved
    | FingerTrouble
)
