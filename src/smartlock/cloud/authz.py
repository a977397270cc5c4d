"""Who may do what with a lock (A-SHARE). Every route and the live channel ask here."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from smartlock.cloud.errors import Forbidden, NotFound
from smartlock.cloud.models import Account, Device, Membership, Role


class Capability(enum.StrEnum):
    VIEW = "view"  # status, live and records (A-SHARE: all a viewer gets)
    DETAILS = "details"  # the lock's users and settings, read-only: members and up
    CAMERA = "camera"  # doorbell pictures and live view (A-LIVE): members and up
    UNLOCK = "unlock"  # remote unlock (A-REMOTE)
    MANAGE = "manage"  # settings, lock users, sharing
    OWN = "own"  # delete the device (unbind)


_ALLOWED: dict[Capability, frozenset[Role]] = {
    Capability.VIEW: frozenset(Role),
    Capability.DETAILS: frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER}),
    Capability.CAMERA: frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER}),
    Capability.UNLOCK: frozenset({Role.OWNER, Role.ADMIN}),
    Capability.MANAGE: frozenset({Role.OWNER, Role.ADMIN}),
    Capability.OWN: frozenset({Role.OWNER}),
}


@dataclass(frozen=True, slots=True)
class Access:
    device: Device
    role: Role
    may_remote_unlock: bool


def role_of(session: Session, *, account: Account, device: Device) -> Access | None:
    if device.owner_id == account.id:
        return Access(device, Role.OWNER, True)
    membership = session.get(Membership, (device.id, account.id))
    if membership is None:
        return None
    unlock = membership.role == Role.ADMIN or membership.may_remote_unlock
    return Access(device, membership.role, unlock and membership.role != Role.VIEWER)


def authorize(
    session: Session, *, account: Account, device_id: str, capability: Capability
) -> Access:
    """The account's access to the device, or an error. A lock the account has no share
    in is "not found", so ids of other people's locks reveal nothing.
    """
    device = session.get(Device, device_id) if len(device_id) <= 32 else None
    access = role_of(session, account=account, device=device) if device is not None else None
    if access is None:
        raise NotFound("no such device", code="device_not_found")
    allowed = access.role in _ALLOWED[capability]
    if capability == Capability.UNLOCK:
        allowed = access.may_remote_unlock
    if not allowed:
        raise Forbidden(f"your role ({access.role}) does not allow this", code="insufficient_role")
    return access
