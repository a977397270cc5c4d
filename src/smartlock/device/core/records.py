"""The lock's durable state as immutable records: what the store keeps across power loss.

`DurableState` is replaced, never mutated: the core swaps in a new one per change, so
a refused input rolls back by keeping the old one, and the store writes only the
records that differ from what it committed last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smartlock.device.core.ports import FaceTemplate
from smartlock.device.core.settings import Settings
from smartlock.errors import InputError
from smartlock.vocab import CredentialType, UserType

MAX_USERS = 50  # D-USER-1
MAX_TEMPLATES = 20  # D-USER-3
FIRMWARE_VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class Identity:
    """Printed on the label (D-PAIR): the app binds by serial + verification code."""

    serial: str
    verification_code: str

    def __post_init__(self) -> None:
        if not self.serial or not self.verification_code:
            raise InputError("a lock needs a serial number and a verification code")


@dataclass(frozen=True, slots=True)
class Binding:
    """The owner account and the link's credentials while bound (D-PAIR)."""

    owner: str
    bound_at: float
    broker_username: str = ""
    broker_password: str = ""
    lock_key: str = ""


@dataclass(frozen=True, slots=True)
class WeekDaySchedule:
    """Allowed on `days` (0 = Monday) between local minutes `start_min` and `end_min`."""

    days: frozenset[int]
    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise InputError("days must be a non-empty set of 0 (Monday) .. 6 (Sunday)")
        if not 0 <= self.start_min < self.end_min <= 24 * 60:
            raise InputError("need 0 <= start_min < end_min <= 1440")

    def allows(self, local_epoch: float) -> bool:
        days = int(local_epoch // 86400)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
        minute = int(local_epoch % 86400) // 60
        return weekday in self.days and self.start_min <= minute < self.end_min


@dataclass(frozen=True, slots=True)
class YearDaySchedule:
    """Allowed from `start` to `end` (epoch seconds)."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise InputError("a date range needs start < end")

    def allows(self, local_epoch: float, now: float) -> bool:
        return self.start <= now < self.end


Schedule = WeekDaySchedule | YearDaySchedule


@dataclass(frozen=True, slots=True)
class User:
    """A numbered user (D-USER-1/2); names live in the cloud, not here."""

    number: int
    user_type: UserType
    enabled: bool = True
    schedules: tuple[Schedule, ...] = ()

    @property
    def is_master(self) -> bool:
        return self.user_type is UserType.MASTER

    def allowed_at(self, now: float, tz_offset_min: int) -> bool:
        """Enabled, and (for a scheduled user) inside one of the schedule windows."""
        if not self.enabled:
            return False
        if self.user_type is not UserType.SCHEDULED:
            return True
        local = now + tz_offset_min * 60
        for sched in self.schedules:
            if isinstance(sched, WeekDaySchedule) and sched.allows(local):
                return True
            if isinstance(sched, YearDaySchedule) and sched.allows(local, now):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Credential:
    """A PIN, face or fingerprint of one user; PINs only as a keyed hash (D-USER-7)."""

    cred_id: int
    user_no: int
    cred_type: CredentialType
    duress: bool = False
    secret_hash: bytes | None = None


@dataclass(frozen=True, slots=True)
class TempPassword:
    """An online temporary password (A-TEMP); `max_uses` None = unlimited."""

    temp_id: str
    code_hash: bytes
    valid_from: float
    valid_to: float
    max_uses: int | None
    uses: int = 0

    def usable_at(self, now: float) -> bool:
        in_time = self.valid_from <= now < self.valid_to
        return in_time and (self.max_uses is None or self.uses < self.max_uses)


@dataclass(frozen=True, slots=True)
class LockoutState:
    """Failure times since the last success, and the lockout end (D-LOCKOUT); every
    failure of the last hour, successes or not (D-LOCKOUT-LONG).
    """

    failures: tuple[float, ...] = ()
    until: float | None = None
    recent: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class DurableState:
    """Everything that must survive a reboot or a battery pull."""

    identity: Identity
    secret: bytes
    settings: Settings = field(default_factory=Settings)
    users: Mapping[int, User] = field(default_factory=dict)
    credentials: Mapping[int, Credential] = field(default_factory=dict)
    faces: Mapping[int, tuple[FaceTemplate, ...]] = field(default_factory=dict)  # by cred_id
    temp_passwords: Mapping[str, TempPassword] = field(default_factory=dict)
    used_offline_ids: frozenset[str] = frozenset()
    lockout: LockoutState = field(default_factory=LockoutState)
    binding: Binding | None = None
    next_seq: int = 1
    next_cred_id: int = 1
    mech_pending: bool = False  # D-MECH: key used, no verification since
    recent_requests: tuple[str, ...] = ()  # A-REMOTE: a repeat does nothing
    low_battery_reported: int | None = None  # D-BATT-LOW: last level bucket told
    firmware: str | None = None  # A-OTA: version installed by an update (None: built-in)

    def replace(self, **changes: Any) -> DurableState:
        return dataclasses.replace(self, **changes)

    def masters(self) -> list[int]:
        return [n for n, u in self.users.items() if u.is_master]

    def creds_of(self, user_no: int) -> list[Credential]:
        return [c for c in self.credentials.values() if c.user_no == user_no]

    def all_templates(self) -> list[FaceTemplate]:
        return [t for templates in self.faces.values() for t in templates]

    def free_user_number(self) -> int | None:
        """The lowest free number 1..50 (D-USER-1), or None when all are taken."""
        for number in range(1, MAX_USERS + 1):
            if number not in self.users:
                return number
        return None
