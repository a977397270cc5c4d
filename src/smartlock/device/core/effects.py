"""Everything the lock core asks the world to do, as frozen values.

`LockCore.handle` returns a list of these in order; the shell plays them (speaker,
display, LEDs, motor, siren), hands `JournalEvent`s and the state to the store in one
transaction, and passes `CloudMessage`s to the link.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from smartlock.device.core.prompts import PromptId
from smartlock.errors import ErrorCode, InputError
from smartlock.vocab import EventKind, FingerOp, Method, Source


class Led(enum.StrEnum):
    KEYPAD = "keypad"  # backlight: the lock is awake
    LOW_BATTERY = "low_battery"  # D-BATT-LOW
    ARMED = "armed"  # D-MODE-ARM


class BoltAction(enum.StrEnum):
    THROW = "throw"
    RETRACT = "retract"


class AlarmKind(enum.StrEnum):
    """Audible alarms. Duress is deliberately not one (D-DURESS: silent)."""

    TAMPER = "tamper"  # D-TAMPER: siren
    INTRUSION = "intrusion"  # D-MODE-ARM: siren
    DOOR_AJAR = "door_ajar"  # D-AJAR: beeping
    JAMMED = "jammed"  # D-AJAR: beeping


@dataclass(frozen=True, slots=True)
class Prompt:
    """Speak a catalogue prompt (silenced by mute, D-MUTE) with its arguments."""

    prompt_id: PromptId
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.prompt_id, PromptId):
            raise InputError(f"unknown prompt {self.prompt_id!r}")
        object.__setattr__(self, "args", MappingProxyType(dict(self.args)))


@dataclass(frozen=True, slots=True)
class Display:
    """Show text on the front display (empty text clears it). D-KEY-SHOW."""

    text: str


@dataclass(frozen=True, slots=True)
class SetLed:
    led: Led
    on: bool


@dataclass(frozen=True, slots=True)
class MoveBolt:
    """Run the motor; the HAL answers with `BoltFeedback`."""

    action: BoltAction


@dataclass(frozen=True, slots=True)
class Alarm:
    """Start (on) or stop (off) an audible alarm; mute never silences it (D-MUTE)."""

    kind: AlarmKind
    on: bool


@dataclass(frozen=True, slots=True)
class Chime:
    """Ring the indoor doorbell chime at the doorbell volume."""


@dataclass(frozen=True, slots=True)
class TakeSnapshot:
    """Send the app a picture from the camera (A-LIVE). The shell takes it and masks
    every face on the lock before anything leaves (D-PRIV); the core only decides.
    """

    kind: str = "doorbell"


@dataclass(frozen=True, slots=True)
class FaceWatch:
    """Tell the face engine to run (True) or rest (False): D-FACE-WIN, D-BATT-LOW."""

    active: bool


@dataclass(frozen=True, slots=True)
class FingerCommand:
    """Drive the fingerprint module; templates stay inside it (D-PRIV)."""

    op: FingerOp
    press: int = 0
    slots: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.op, FingerOp):
            raise InputError(f"unknown fingerprint op {self.op!r}")
        object.__setattr__(self, "slots", frozenset(self.slots))


@dataclass(frozen=True, slots=True)
class Radio:
    """Network radio on or off (D-BATT-CRIT turns it off to save power)."""

    on: bool


@dataclass(frozen=True, slots=True)
class PairingWindow:
    """Pairing mode opened until `until` (epoch s) or closed (until=None). D-PAIR."""

    until: float | None


@dataclass(frozen=True, slots=True)
class JournalEvent:
    """One durable event (D-LOG). `seq` strictly increases over the lock's whole life."""

    seq: int
    at: float
    kind: EventKind
    user_no: int | None = None
    method: Method | None = None
    source: Source | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    # The hash of the event before (device.core.journal_chain); set by the store, so an
    # event from the core and the same one read back compare equal.
    prev_hash: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.seq < 1:
            raise InputError(f"seq must be >= 1, got {self.seq}")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (the link's wire shape)."""
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind.value,
            "user_no": self.user_no,
            "method": None if self.method is None else self.method.value,
            "source": None if self.source is None else self.source.value,
            "details": dict(self.details),
        }


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """Cloud message: the app-facing status changed (A-STATUS). `status` is JSON-able."""

    status: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CommandResult:
    """Cloud message: the answer to a `RemoteCommand` or `Bind` (one per request)."""

    request_id: str
    ok: bool
    code: ErrorCode | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


CloudMessage = StatusChanged | CommandResult

Effect = (
    Prompt
    | Display
    | SetLed
    | MoveBolt
    | Alarm
    | Chime
    | TakeSnapshot
    | FaceWatch
    | FingerCommand
    | Radio
    | PairingWindow
    | JournalEvent
    | StatusChanged
    | CommandResult
)

# Effects a person at the door can see or hear (D-DURESS: must not differ).
PERCEPTIBLE: tuple[type, ...] = (Prompt, Display, SetLed, MoveBolt, Alarm, Chime)
