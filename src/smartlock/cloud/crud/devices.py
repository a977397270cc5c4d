"""Bound locks: pairing hellos, binding, reported state, settings shadow, lock users,
sharing (D-PAIR, A-STATUS, A-SETTINGS, A-USERS, A-SHARE).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from smartlock.cloud.crud.common import commit_or_conflict
from smartlock.cloud.errors import CloudError, Conflict, NotFound
from smartlock.cloud.models import (
    Account,
    Device,
    LockUser,
    Membership,
    PairingHello,
    Role,
    SettingsShadow,
    utcnow,
)

# --- pairing ---------------------------------------------------------------------------


KEPT_HELLOS = 256  # per serial; a lock repeats its hello every few seconds


def record_hello(
    session: Session, *, serial: str, payload: dict[str, Any], expires_at: dt.datetime
) -> None:
    """Keep the recent hellos of a serial, not just the newest (issue 13, finding 3).

    Anyone with the shared provisioning login can publish hellos for any serial, and
    the cloud can tell a forged one only once the owner types the code; keeping the
    newest only let a stream of forged hellos displace the owner's and turn the
    owner's right code into `pairing_failed`. So up to KEPT_HELLOS are kept (redelivery
    of one already kept changes nothing) and `wire.verify_hello` picks the one that
    proves the code. A forger must out-send the lock by KEPT_HELLOS per hello interval
    (> 50/s for the demo lock's 5 s) to push the owner's out; the broker's rate limits
    and the pairing window's end bound that.
    """
    row = session.get(PairingHello, serial)
    kept: list[dict[str, Any]] = []
    if row is not None and row.expires_at > utcnow():
        old = row.payload.get("hellos") if "hellos" in row.payload else [row.payload]
        kept = [h for h in old if isinstance(h, dict)] if isinstance(old, list) else []
    nonce = payload.get("lock_nonce")
    if any(h.get("lock_nonce") == nonce for h in kept):
        return
    kept = [*kept, payload][-KEPT_HELLOS:]
    if row is None:
        session.add(PairingHello(serial=serial, payload={"hellos": kept}, expires_at=expires_at))
    else:
        row.payload, row.expires_at, row.received_at = {"hellos": kept}, expires_at, utcnow()
    session.commit()


def fresh_hello(session: Session, *, serial: str) -> PairingHello | None:
    hello = session.get(PairingHello, serial)
    if hello is None or hello.expires_at <= utcnow():
        return None
    return hello


def bind_device(
    session: Session,
    *,
    owner: Account,
    serial: str,
    name: str,
    key_encrypted: bytes,
    broker_username: str,
    broker_password_hash: str,
    firmware: str = "",
) -> Device:
    device = Device(
        serial=serial,
        name=name,
        owner_id=owner.id,
        key_encrypted=key_encrypted,
        broker_username=broker_username,
        broker_password_hash=broker_password_hash,
        firmware=firmware,
    )
    device.shadow = SettingsShadow()
    session.add(device)
    session.execute(delete(PairingHello).where(PairingHello.serial == serial))
    commit_or_conflict(
        session, Conflict("this lock is already bound to an account", code="already_bound")
    )
    return device


def get_device(session: Session, *, device_id: str) -> Device | None:
    return session.get(Device, device_id)


def get_device_by_serial(session: Session, *, serial: str) -> Device | None:
    return session.scalar(select(Device).where(Device.serial == serial))


def get_device_by_broker_username(session: Session, *, username: str) -> Device | None:
    return session.scalar(select(Device).where(Device.broker_username == username))


def devices_for(session: Session, *, account: Account) -> list[tuple[Device, Role]]:
    owned = session.scalars(select(Device).where(Device.owner_id == account.id)).all()
    shared = session.execute(
        select(Device, Membership.role)
        .join(Membership, Membership.device_id == Device.id)
        .where(Membership.account_id == account.id)
    ).all()
    found = [(d, Role.OWNER) for d in owned] + [(d, role) for d, role in shared]
    return sorted(found, key=lambda pair: (pair[0].bound_at, pair[0].id))


def rename_device(session: Session, *, device: Device, name: str) -> Device:
    device.name = name
    session.commit()
    return device


def unbind_device(session: Session, *, device_id: str) -> bool:
    """End the binding: the device and everything recorded for it go (D-PAIR, D-RESET)."""
    device = session.get(Device, device_id)
    if device is None:
        return False
    session.delete(device)
    session.commit()
    return True


# --- reported state --------------------------------------------------------------------


def set_online(
    session: Session, *, device_id: str, online: bool, at: dt.datetime | None = None
) -> bool:
    """Record availability; True when it changed."""
    at = at or utcnow()
    values: dict[str, Any] = {"online": online}
    if online:
        values["last_seen_at"] = at
    result = session.execute(
        update(Device).where(Device.id == device_id, Device.online != online).values(**values)
    )
    if online and not getattr(result, "rowcount", 0):
        session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=at))
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def set_state(
    session: Session,
    *,
    device_id: str,
    state: dict[str, Any],
    at: dt.datetime,
    firmware: str | None = None,
) -> bool:
    """Keep the newest reported state; an older report (redelivered late) is ignored."""
    values: dict[str, Any] = {"state": state, "state_at": at, "online": True, "last_seen_at": at}
    if firmware:
        values["firmware"] = firmware
    result = session.execute(
        update(Device)
        .where(Device.id == device_id)
        .where((Device.state_at.is_(None)) | (Device.state_at <= at))
        .values(**values)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


# --- settings shadow -------------------------------------------------------------------


def get_shadow(session: Session, *, device_id: str) -> SettingsShadow:
    shadow = session.get(SettingsShadow, device_id)
    if shadow is None:
        raise NotFound("no such device")
    return shadow


def pending_settings(shadow: SettingsShadow) -> dict[str, Any]:
    return {k: v for k, v in shadow.desired.items() if shadow.reported.get(k) != v}


def update_desired(
    session: Session, *, device_id: str, expected_version: int, changes: dict[str, Any]
) -> SettingsShadow:
    """Merge ``changes`` into desired if nobody changed it since ``expected_version``."""
    shadow = get_shadow(session, device_id=device_id)
    if shadow.version != expected_version:
        raise Conflict(
            f"settings changed meanwhile (now version {shadow.version}); reload and retry",
            code="version_conflict",
        )
    desired = {**shadow.desired, **changes}
    result = session.execute(
        update(SettingsShadow)
        .where(SettingsShadow.device_id == device_id, SettingsShadow.version == expected_version)
        .values(desired=desired, version=expected_version + 1, updated_at=utcnow())
    )
    if not getattr(result, "rowcount", 0):  # another worker won the race
        session.rollback()
        raise Conflict("settings changed meanwhile; reload and retry", code="version_conflict")
    session.commit()
    session.refresh(shadow)
    return shadow


def apply_reported(
    session: Session, *, device_id: str, reported: dict[str, Any], applied_version: int
) -> SettingsShadow | None:
    """Store the lock's settings. Once it has applied the newest desired version, a
    value it reports (also one changed at the lock itself) becomes the desired one.
    """
    shadow = session.get(SettingsShadow, device_id)
    if shadow is None:
        return None
    shadow.reported = dict(reported)
    shadow.reported_version = max(shadow.reported_version, applied_version)
    if shadow.reported_version >= shadow.version:
        shadow.desired = {k: reported.get(k, v) for k, v in shadow.desired.items()}
    shadow.updated_at = utcnow()
    session.commit()
    return shadow


# --- lock users ------------------------------------------------------------------------


def list_lock_users(session: Session, *, device_id: str) -> list[LockUser]:
    return list(
        session.scalars(
            select(LockUser).where(LockUser.device_id == device_id).order_by(LockUser.number)
        )
    )


def replace_lock_users(session: Session, *, device_id: str, users: list[dict[str, Any]]) -> None:
    """The lock's full user list; cloud-side names survive, removed users go."""
    existing = {u.number: u for u in list_lock_users(session, device_id=device_id)}
    seen: set[str] = set()
    for item in users:
        number = str(item["number"])
        seen.add(number)
        creds = [
            {"id": int(c["id"]), "type": str(c["type"]), "duress": bool(c.get("duress", False))}
            for c in item.get("credentials", [])
        ]
        row = existing.get(number)
        if row is None:
            row = LockUser(device_id=device_id, number=number, user_type=str(item["user_type"]))
            session.add(row)
        row.user_type, row.credentials, row.updated_at = str(item["user_type"]), creds, utcnow()
    for number, row in existing.items():
        if number not in seen:
            session.delete(row)
    session.commit()


def apply_user_event(
    session: Session, *, device_id: str, kind: str, number: str, details: dict[str, Any]
) -> bool:
    """Follow the lock's user list from its journal (user/credential added/deleted);
    True when something changed. Applying the same event twice changes nothing.
    """
    user = session.get(LockUser, (device_id, number))
    changed = False
    if kind == "user_added":
        if user is None:
            user_type = str(details.get("user_type") or "normal")
            session.add(LockUser(device_id=device_id, number=number, user_type=user_type))
            changed = True
    elif kind == "user_deleted":
        if user is not None:
            session.delete(user)
            changed = True
    elif kind in ("credential_added", "credential_deleted") and isinstance(
        details.get("cred_id"), int
    ):
        cred_id = int(details["cred_id"])
        if user is None and kind == "credential_added":
            user = LockUser(device_id=device_id, number=number, user_type="normal")
            session.add(user)
        if user is not None:
            kept = [c for c in user.credentials if c.get("id") != cred_id]
            if kind == "credential_added":
                cred_type = str(details.get("cred_type") or details.get("type") or "")
                if details.get("replaced") and cred_type:
                    # A changed password replaces the old one of the same kind on the lock
                    # (device.core.remote._set_password): the list keeps only the new one.
                    duress = bool(details.get("duress"))
                    kept = [
                        c
                        for c in kept
                        if not (c.get("type") == cred_type and bool(c.get("duress")) == duress)
                    ]
                kept.append(
                    {"id": cred_id, "type": cred_type, "duress": bool(details.get("duress"))}
                )
            changed = kept != user.credentials
            user.credentials = sorted(kept, key=lambda c: int(c["id"]))
            user.updated_at = utcnow()
    session.commit()
    return changed


def rename_lock_user(session: Session, *, device_id: str, number: str, name: str) -> LockUser:
    user = session.get(LockUser, (device_id, number))
    if user is None:
        raise NotFound("the lock has no such user")
    user.name = name
    session.commit()
    return user


def get_lock_user(session: Session, *, device_id: str, number: str) -> LockUser | None:
    return session.get(LockUser, (device_id, number))


# --- sharing ---------------------------------------------------------------------------


def list_shares(session: Session, *, device_id: str) -> list[tuple[Membership, Account]]:
    rows = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.device_id == device_id)
        .order_by(Account.email)
    ).all()
    return [(m, a) for m, a in rows]


def add_share(
    session: Session, *, device: Device, account: Account, role: Role, may_remote_unlock: bool
) -> Membership:
    if role == Role.OWNER:
        raise CloudError("a lock has exactly one owner", code="bad_role", status=422)
    if account.id == device.owner_id:
        raise Conflict("this account owns the lock", code="already_shared")
    membership = Membership(
        device_id=device.id, account_id=account.id, role=role, may_remote_unlock=may_remote_unlock
    )
    session.add(membership)
    commit_or_conflict(
        session, Conflict("the lock is already shared with this account", code="already_shared")
    )
    return membership


def get_share(session: Session, *, device_id: str, account_id: int) -> Membership | None:
    return session.get(Membership, (device_id, account_id))


def update_share(
    session: Session, *, membership: Membership, role: Role | None, may_remote_unlock: bool | None
) -> Membership:
    if role == Role.OWNER:
        raise CloudError("a lock has exactly one owner", code="bad_role", status=422)
    if role is not None:
        membership.role = role
    if may_remote_unlock is not None:
        membership.may_remote_unlock = may_remote_unlock
    session.commit()
    return membership


def remove_share(session: Session, *, membership: Membership) -> None:
    session.delete(membership)
    session.commit()
