"""What the fingerprint module reports to the core (D-FINGER-*), as checked values.

Re-exported by `smartlock.device.inputs` (they are members of its `Input` union). The
module matches on itself, so none of them carries a template (D-PRIV): only slots.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartlock.device.errors import InputError
from smartlock.vocab import FingerProblem


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


def _slot(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 0x10000:
        raise InputError(f"a template slot is 0..65535, got {value!r}")


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
        if not isinstance(self.problem, FingerProblem):
            raise InputError(f"problem must be a FingerProblem, got {self.problem!r}")
