"""Everything the lock core can be told, as frozen values that check themselves.

The hardware's events (`smartlock.hardware`) are members as they are; the shell
(runtime, console, tests) turns face observations and cloud commands into these
and feeds them to `LockCore.handle`. Time enters only as `Tick(now)` / `Boot(now)`:
wall-clock seconds since the Unix epoch (`time.time()`), sent before any other input
and at least once a second; every other input happens "at the last tick".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from smartlock.errors import InputError
from smartlock.hardware import KEYPAD_KEYS as KEYPAD_KEYS

# The hardware events are the core's inputs as they are (one vocabulary, issue 18).
from smartlock.hardware import ArmKey as ArmKey
from smartlock.hardware import BatteryLevel as BatteryLevel
from smartlock.hardware import BoltFeedback as BoltFeedback
from smartlock.hardware import DoorbellKey as DoorbellKey
from smartlock.hardware import DoorSensor as DoorSensor
from smartlock.hardware import FingerCaptured as FingerCaptured
from smartlock.hardware import FingerFault as FingerFault
from smartlock.hardware import FingerLifted as FingerLifted
from smartlock.hardware import FingerMatched as FingerMatched
from smartlock.hardware import FingerNotFound as FingerNotFound
from smartlock.hardware import FingerSensor as FingerSensor
from smartlock.hardware import FingerStored as FingerStored
from smartlock.hardware import Handle as Handle
from smartlock.hardware import HardwareEvent, check_member
from smartlock.hardware import KeyPress as KeyPress
from smartlock.hardware import Knob as Knob
from smartlock.hardware import MechanicalKey as MechanicalKey
from smartlock.hardware import SettingsKey as SettingsKey
from smartlock.hardware import Tamper as Tamper
from smartlock.hardware import UnlockButton as UnlockButton
from smartlock.hardware import UsbPower as UsbPower
from smartlock.hardware import check_finite as _finite
from smartlock.vocab import FaceRefusal, Pose

MAX_EMBEDDING = 4096


@dataclass(frozen=True, slots=True)
class _Instant:
    """Time entering the core: `now` is wall-clock epoch seconds."""

    now: float

    def __post_init__(self) -> None:
        _finite("now", self.now)


@dataclass(frozen=True, slots=True)
class Boot(_Instant):
    """The lock powered up at `now`. Logged as `boot`."""


@dataclass(frozen=True, slots=True)
class Tick(_Instant):
    """Time passed up to `now` (a backward jump is ignored)."""


@dataclass(frozen=True, slots=True)
class FaceSeen:
    """One face observation from the face engine (never an image: D-PRIV).

    `yaw` > 0 is the person turned to their right, `pitch` > 0 head raised, in
    degrees. `pose` is the engine's own pose tag when it has one; otherwise the core
    classifies yaw/pitch. `near` = at arm's length, `still` = not moving.
    """

    embedding: tuple[float, ...]
    yaw: float = 0.0
    pitch: float = 0.0
    quality: float = 1.0
    near: bool = True
    still: bool = True
    pose: Pose | None = None

    def __post_init__(self) -> None:
        try:  # lists and numpy arrays are welcome; the stored value is a tuple of floats
            values = tuple(float(v) for v in self.embedding)
        except (TypeError, ValueError):
            raise InputError("embedding must be a sequence of numbers") from None
        if not 0 < len(values) <= MAX_EMBEDDING:
            raise InputError(f"embedding must have 1..{MAX_EMBEDDING} values")
        for v in values:
            _finite("embedding value", v)
        object.__setattr__(self, "embedding", values)
        _finite("yaw", self.yaw)
        _finite("pitch", self.pitch)
        _finite("quality", self.quality)
        if not 0.0 <= self.quality <= 1.0:
            raise InputError(f"quality must be within 0..1, got {self.quality}")
        check_member("pose", self.pose, Pose, optional=True)


@dataclass(frozen=True, slots=True)
class NoFace:
    """The camera looked and found no face it could use.

    `reason` says why a face that was there was not used (two people, too far, ...);
    None means no face at all.
    """

    reason: FaceRefusal | None = None

    def __post_init__(self) -> None:
        check_member("reason", self.reason, FaceRefusal, optional=True)


@dataclass(frozen=True, slots=True)
class Network:
    """The link to the cloud came up or went down."""

    up: bool


@dataclass(frozen=True, slots=True)
class FactoryReset:
    """The reset pin was held: clear everything (D-RESET)."""


class RemoteAction(enum.StrEnum):
    """Cloud command actions (A-REMOTE, A-USERS, A-TEMP, A-SETTINGS): wire names."""

    UNLOCK = "unlock"
    LOCK = "lock"
    SET_MODE = "set_mode"  # params: mode (Mode value), on (bool)
    CHANGE_SETTING = "change_setting"  # params: name, value
    ADD_USER = "add_user"  # params: user_type, [schedules]
    SET_USER_ENABLED = "set_user_enabled"  # params: user_no, enabled
    SET_SCHEDULES = "set_schedules"  # params: user_no, schedules
    DELETE_CREDENTIAL = "delete_credential"  # params: user_no, cred_id
    DEREGISTER_USER = "deregister_user"  # params: user_no
    SET_PASSWORD = "set_password"  # params: user_no, digits, [duress]  # noqa: S105
    ENROL_FINGERPRINT = "enrol_fingerprint"  # params: user_no, [duress] (D-FINGER-ENROL)
    ADD_TEMP_PASSWORD = "add_temp_password"  # params: temp_id, code, valid_from, valid_to, max_uses  # noqa: S105
    REVOKE_TEMP_PASSWORD = "revoke_temp_password"  # params: temp_id  # noqa: S105
    UNBIND = "unbind"


@dataclass(frozen=True, slots=True)
class RemoteCommand:
    """A cloud command, already authenticated by the link layer.

    `request_id` makes a repeat harmless (A-REMOTE: "twice does nothing");
    `expires_at` (epoch seconds) makes a late one harmless.
    """

    request_id: str
    action: RemoteAction
    params: Mapping[str, Any] = field(default_factory=dict)
    expires_at: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.request_id, str) or not 0 < len(self.request_id) <= 128:
            raise InputError("request_id must be a non-empty string of at most 128 chars")
        try:
            action = RemoteAction(self.action)
        except ValueError:
            raise InputError(f"unknown action {self.action!r}") from None
        object.__setattr__(self, "action", action)
        if not isinstance(self.params, Mapping):
            raise InputError("params must be a mapping")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if self.expires_at is not None:
            _finite("expires_at", self.expires_at)


@dataclass(frozen=True, slots=True)
class Bind:
    """The app binds the lock during pairing mode (D-PAIR), via the link layer.

    `broker_*` and `lock_key` are the credentials the link will use from now on.
    """

    request_id: str
    serial: str
    verification_code: str
    owner: str
    broker_username: str = ""
    broker_password: str = ""
    lock_key: str = ""

    def __post_init__(self) -> None:
        for name in ("request_id", "serial", "verification_code", "owner"):
            value = getattr(self, name)
            if not isinstance(value, str) or not 0 < len(value) <= 256:
                raise InputError(f"{name} must be a non-empty string")


class FirmwareStage(enum.StrEnum):
    """Steps of a firmware update the link shell runs (A-OTA)."""

    STARTED = "started"  # signature and version checked, fetching the image
    TRIAL = "trial"  # written to the inactive slot, verified, booted on trial (D-OTA-TRIAL)
    INSTALLED = "installed"  # the trial confirmed itself: the lock runs `version` now
    ROLLED_BACK = "rolled_back"  # the trial failed: the lock runs `running` again
    REFUSED = "refused"  # `reason` says why (an `ErrorCode` value)


@dataclass(frozen=True, slots=True)
class FirmwareUpdate:
    """One step of an update the shell is running for cloud command `request_id`."""

    request_id: str
    stage: FirmwareStage
    version: str
    reason: str | None = None
    # ROLLED_BACK: the version the lock runs again (the bootloader's word, D-OTA-ROLLBACK).
    running: str | None = None
    # INSTALLED: the vendor signed this version as a downgrade of the running one
    # (D-OTA-DOWNGRADE), so the core may record an older version.
    signed_downgrade: bool = False

    def __post_init__(self) -> None:
        if self.running is not None and (
            not isinstance(self.running, str) or not 0 < len(self.running) <= 32
        ):
            raise InputError("running must be a non-empty string of at most 32 chars")
        if not isinstance(self.request_id, str) or not 0 < len(self.request_id) <= 128:
            raise InputError("request_id must be a non-empty string of at most 128 chars")
        try:
            object.__setattr__(self, "stage", FirmwareStage(self.stage))
        except ValueError:
            raise InputError(f"unknown firmware update stage {self.stage!r}") from None
        if not isinstance(self.version, str) or not 0 < len(self.version) <= 32:
            raise InputError("version must be a non-empty string of at most 32 chars")
        if self.reason is not None and (not isinstance(self.reason, str) or len(self.reason) > 64):
            raise InputError("reason must be a short string")


Input = (
    Boot
    | Tick
    | HardwareEvent
    | FaceSeen
    | NoFace
    | FingerSensor
    | Network
    | FactoryReset
    | RemoteCommand
    | Bind
    | FirmwareUpdate
)
