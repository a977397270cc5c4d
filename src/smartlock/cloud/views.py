"""Database rows → API shapes, shared by the JSON routes and the live channel."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smartlock.cloud import crud
from smartlock.cloud.lockops import lockout_until
from smartlock.cloud.models import Device, Event, LockUser, Role, SettingsShadow
from smartlock.cloud.schemas import (
    CredentialPublic,
    DevicePublic,
    EventPublic,
    LockUserPublic,
    SettingsPublic,
    StatusPublic,
    from_row,
)
from smartlock.vocab import CredentialType, DoorState


def event_public(event: Event, names: dict[str, str] | None = None) -> EventPublic:
    public = EventPublic.model_validate(event)
    if names and event.user_number:
        public.user_name = names.get(event.user_number) or None
    return public


def _modes(raw: Any) -> dict[str, bool]:
    if isinstance(raw, dict):
        return {str(k): bool(v) for k, v in raw.items()}
    if isinstance(raw, list | tuple):
        return {str(k): True for k in raw}
    return {}


def status_public(session: Session, device: Device) -> StatusPublic:
    state = device.state or {}
    door = state.get("door")
    last = crud.last_event(session, device=device)
    battery = state.get("battery")
    return StatusPublic(
        online=device.online,
        last_seen_at=device.last_seen_at,
        door=DoorState(door) if isinstance(door, str) and door in set(DoorState) else None,
        bolt=str(state["bolt"]) if state.get("bolt") else None,
        modes=_modes(state.get("modes")),
        battery=int(battery) if isinstance(battery, int | float) else None,
        lockout_until=lockout_until(device),
        last_event=event_public(last) if last is not None else None,
        state_at=device.state_at,
        tamper=bool(state.get("tamper")),
    )


def device_public(session: Session, device: Device, role: Role) -> DevicePublic:
    return from_row(DevicePublic, device, role=role, status=status_public(session, device))


def settings_public(shadow: SettingsShadow) -> SettingsPublic:
    pending = crud.pending_settings(shadow)
    return SettingsPublic(
        desired=shadow.desired,
        reported=shadow.reported,
        pending=pending,
        version=shadow.version,
        reported_version=shadow.reported_version,
        in_sync=not pending,
    )


def lock_user_public(user: LockUser) -> LockUserPublic:
    creds = [
        CredentialPublic(
            id=int(c["id"]), type=CredentialType(c["type"]), duress=bool(c.get("duress"))
        )
        for c in user.credentials
        if c.get("type") in CredentialType._value2member_map_ and isinstance(c.get("id"), int)
    ]
    return from_row(LockUserPublic, user, credentials=creds)
