"""The lock's settings as one typed value plus a descriptor list (python-kasa style).

The app's settings page and Home Assistant walk `DESCRIPTORS` generically: each says
its name, kind, allowed values, default and help. Modes (§6) are settings too, so a
mode change and a setting change go through one path and one journal kind.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smartlock.errors import ErrorCode, InputError
from smartlock.vocab import Mode, Sensitivity, Volume


class Kind(enum.StrEnum):
    BOOL = "bool"
    INT = "int"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Descriptor:
    """How one setting looks to a generic settings UI."""

    name: str
    kind: Kind
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    mode: Mode | None = None  # set when this setting is one of the §6 modes

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.kind.value,
            "default": self.default,
            "help": self.help,
        }
        if self.choices:
            out["choices"] = list(self.choices)
        if self.minimum is not None:
            out["min"], out["max"] = self.minimum, self.maximum
        return out

    def parse(self, raw: Any) -> Any:
        """The typed value for `raw`, or InputError(BAD_SETTING_VALUE) saying why."""
        bad = ErrorCode.BAD_SETTING_VALUE
        if self.kind is Kind.BOOL:
            if isinstance(raw, bool):
                return raw
            raise InputError(f"{self.name} takes true or false, got {raw!r}", bad)
        if self.kind is Kind.INT:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise InputError(f"{self.name} takes a whole number, got {raw!r}", bad)
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= raw <= self.maximum:
                raise InputError(
                    f"{self.name} must be {self.minimum}..{self.maximum}, got {raw}", bad
                )
            return raw
        if raw not in self.choices:
            raise InputError(
                f"{self.name} takes one of {', '.join(self.choices)}, got {raw!r}", bad
            )
        return str(raw)


def _choices(enum_type: type[enum.StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


DESCRIPTORS: tuple[Descriptor, ...] = (
    Descriptor("face_unlock", Kind.BOOL, True, "Unlock by face (D-FACE-SENS)"),
    Descriptor(
        "sensitivity",
        Kind.CHOICE,
        Sensitivity.MEDIUM.value,
        "Face match strictness: high accepts fewest look-alikes (D-FACE-SENS)",
        choices=_choices(Sensitivity),
    ),
    Descriptor(
        "watch_window_s",
        Kind.INT,
        30,
        "Seconds the camera watches after the door closes or a keypad touch (D-FACE-WIN)",
        minimum=5,
        maximum=60,
    ),
    Descriptor(
        "prompt_volume",
        Kind.CHOICE,
        Volume.MEDIUM.value,
        "Voice prompt volume",
        choices=_choices(Volume),
    ),
    Descriptor(
        "doorbell_volume",
        Kind.CHOICE,
        Volume.MEDIUM.value,
        "Indoor chime volume",
        choices=_choices(Volume),
    ),
    Descriptor(
        "doorbell_snapshot",
        Kind.BOOL,
        True,
        "A doorbell press sends the app a picture with every face masked (A-LIVE, D-PRIV)",
    ),
    Descriptor(
        "mute", Kind.BOOL, False, "Silence voice prompts, never alarms (D-MUTE)", mode=Mode.MUTE
    ),
    Descriptor("language", Kind.CHOICE, "zh", "Voice prompt language", choices=("zh", "en")),
    Descriptor(
        "anti_lock",
        Kind.BOOL,
        False,
        "Only master users may open from outside (D-MODE-ANTI)",
        mode=Mode.ANTI_LOCK,
    ),
    Descriptor(
        "normally_open",
        Kind.BOOL,
        False,
        "Bolt stays retracted; the handle opens (D-MODE-PASS)",
        mode=Mode.NORMALLY_OPEN,
    ),
    Descriptor(
        "armed",
        Kind.BOOL,
        False,
        "Opening from inside sounds the alarm (D-MODE-ARM)",
        mode=Mode.ARMED,
    ),
    Descriptor(
        "virtual_lock_detection",
        Kind.BOOL,
        True,
        "Alert when the door is closed but the bolt did not throw (D-MODE-VIRT)",
        mode=Mode.VIRTUAL_LOCK_DETECTION,
    ),
    Descriptor(
        "double_press_to_open",
        Kind.BOOL,
        False,
        "Inside button must be pressed twice within 2 s (D-OPEN-IN)",
    ),
    Descriptor("remote_unlock", Kind.BOOL, False, "Allow unlocking from the app (A-REMOTE)"),
    Descriptor(
        "ha_control",
        Kind.BOOL,
        False,
        "Home Assistant may lock and unlock; off, it only sees the state (A-HA)",
    ),
    Descriptor(
        "ha_unlock_code",
        Kind.BOOL,
        True,
        "Home Assistant must send a user's password to unlock; locking never needs one (A-HA)",
    ),
    Descriptor(
        "auto_relock_s",
        Kind.INT,
        5,
        "Relock when the door is not opened within this many seconds (D-BOLT)",
        minimum=5,
        maximum=60,
    ),
    Descriptor(
        "tz_offset_min",
        Kind.INT,
        0,
        "Local time offset from UTC in minutes, for schedule windows",
        minimum=-720,
        maximum=840,
    ),
)
BY_NAME: Mapping[str, Descriptor] = {d.name: d for d in DESCRIPTORS}
BY_MODE: Mapping[Mode, Descriptor] = {d.mode: d for d in DESCRIPTORS if d.mode is not None}


@dataclass(frozen=True, slots=True)
class Settings:
    """Current values; build changes with `with_value` so every value is checked."""

    face_unlock: bool = True
    sensitivity: str = Sensitivity.MEDIUM.value
    watch_window_s: int = 30
    prompt_volume: str = Volume.MEDIUM.value
    doorbell_volume: str = Volume.MEDIUM.value
    doorbell_snapshot: bool = True
    mute: bool = False
    language: str = "zh"
    anti_lock: bool = False
    normally_open: bool = False
    armed: bool = False
    virtual_lock_detection: bool = True
    double_press_to_open: bool = False
    remote_unlock: bool = False
    ha_control: bool = False
    ha_unlock_code: bool = True
    auto_relock_s: int = 5
    tz_offset_min: int = 0

    def with_value(self, name: str, raw: Any) -> Settings:
        """A copy with one setting changed, or InputError (self is untouched)."""
        descriptor = BY_NAME.get(name)
        if descriptor is None:
            raise InputError(f"no setting {name!r}", ErrorCode.UNKNOWN_SETTING)
        return dataclasses.replace(self, **{name: descriptor.parse(raw)})

    def mode_on(self, mode: Mode) -> bool:
        return bool(getattr(self, BY_MODE[mode].name))

    def modes(self) -> dict[str, bool]:
        return {mode.value: self.mode_on(mode) for mode in Mode}

    def to_dict(self) -> dict[str, Any]:
        return {d.name: getattr(self, d.name) for d in DESCRIPTORS}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Settings:
        """Load stored values; unknown names are dropped and bad values fall back to defaults."""
        settings = cls()
        for name, raw in values.items():
            try:
                settings = settings.with_value(name, raw)
            except InputError:
                continue
        return settings

    @property
    def sensitivity_level(self) -> Sensitivity:
        return Sensitivity(self.sensitivity)
