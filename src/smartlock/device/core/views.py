"""Read-only views of the lock for the app, the console and Home Assistant (A-STATUS, A-USERS).

Plain frozen values with `to_dict()`; never a secret, never a face template (D-PRIV).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartlock.device.core.records import DurableState, Schedule, TempPassword, WeekDaySchedule
from smartlock.vocab import BoltState, CredentialType, DoorState, UserType


@dataclass(frozen=True, slots=True)
class LockStatus:
    """The app's device page (A-STATUS)."""

    door: DoorState
    door_open: bool
    bolt: BoltState
    modes: dict[str, bool]
    battery: int | None
    usb_power: bool
    online: bool
    lockout_remaining_s: float
    last_event: dict[str, Any] | None
    alarms: tuple[str, ...]
    bound: bool
    pairing: bool
    users: int
    mech_pending: bool
    serial: str
    firmware: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "door": self.door.value,
            "door_open": self.door_open,
            "bolt": self.bolt.value,
            "modes": dict(self.modes),
            "battery": self.battery,
            "usb_power": self.usb_power,
            "online": self.online,
            "lockout_remaining_s": round(self.lockout_remaining_s),
            "last_event": self.last_event,
            "alarms": list(self.alarms),
            "bound": self.bound,
            "pairing": self.pairing,
            "users": self.users,
            "mech_pending": self.mech_pending,
            "serial": self.serial,
            "firmware": self.firmware,
        }


@dataclass(frozen=True, slots=True)
class CredentialView:
    cred_id: int
    cred_type: CredentialType
    duress: bool

    def to_dict(self) -> dict[str, Any]:
        return {"cred_id": self.cred_id, "type": self.cred_type.value, "duress": self.duress}


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    if isinstance(schedule, WeekDaySchedule):
        return {
            "kind": "week_day",
            "days": sorted(schedule.days),
            "start_min": schedule.start_min,
            "end_min": schedule.end_min,
        }
    return {"kind": "year_day", "start": schedule.start, "end": schedule.end}


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as the app lists it (names live in the cloud)."""

    number: int
    user_type: UserType
    enabled: bool
    schedules: tuple[Schedule, ...]
    credentials: tuple[CredentialView, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "type": self.user_type.value,
            "enabled": self.enabled,
            "schedules": [schedule_to_dict(s) for s in self.schedules],
            "credentials": [c.to_dict() for c in self.credentials],
        }


def user_views(state: DurableState) -> list[UserView]:
    return [
        UserView(
            number=u.number,
            user_type=u.user_type,
            enabled=u.enabled,
            schedules=u.schedules,
            credentials=tuple(
                CredentialView(c.cred_id, c.cred_type, c.duress)
                for c in sorted(state.creds_of(u.number), key=lambda c: c.cred_id)
            ),
        )
        for u in sorted(state.users.values(), key=lambda u: u.number)
    ]


def temp_password_view(temp: TempPassword, now: float) -> dict[str, Any]:
    """A temporary password as the app lists it (A-TEMP): never the code itself."""
    return {
        "temp_id": temp.temp_id,
        "valid_from": temp.valid_from,
        "valid_to": temp.valid_to,
        "max_uses": temp.max_uses,
        "uses": temp.uses,
        "usable": temp.usable_at(now),
    }
