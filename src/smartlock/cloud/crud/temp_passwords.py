"""Database side of visitor passwords (A-TEMP): online temp passwords and offline codes.

The digits of a temp password never reach the database: only a keyed hash (HMAC under
the lock's key, so it is useless without the sealed key) to recognise the code again
when an edit re-adds it. Offline codes keep their window and the lock's name for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartlock.cloud.crud.common import added, newest_first, of_device
from smartlock.cloud.models import Command, Event, TempPassword, utcnow
from smartlock.cloud.models_features import OfflineCode

# TempPassword.status values: what the lock has confirmed.
PENDING, ACTIVE, FAILED, REVOKING, REVOKED = "pending", "active", "failed", "revoking", "revoked"


def create_temp(session: Session, **fields: Any) -> TempPassword:
    """A pending temp password: ``device_id``, ``name``, the window (``valid_from``,
    ``valid_until``, ``max_uses``) and ``created_by``; its lock name is ``t<id>``.
    """
    row = TempPassword(**fields, status=PENDING)
    session.add(row)
    session.flush()
    row.lock_ref = f"t{row.id}"
    session.commit()
    return row


def get_temp(session: Session, *, device_id: str, temp_id: int) -> TempPassword | None:
    return of_device(session, TempPassword, device_id, temp_id)


def list_temps(session: Session, *, device_id: str) -> list[TempPassword]:
    return newest_first(session, TempPassword, device_id)


def update_temp(session: Session, *, row: TempPassword, **changes: Any) -> TempPassword:
    for name, value in changes.items():
        setattr(row, name, value)
    session.commit()
    return row


def temps_to_retry(session: Session, *, min_age_s: float) -> list[TempPassword]:
    """Revocations the lock has not confirmed yet, whose last try is ``min_age_s`` old."""
    cutoff = utcnow() - dt.timedelta(seconds=min_age_s)
    rows = session.execute(
        select(TempPassword, Command.created_at)
        .outerjoin(Command, Command.id == TempPassword.command_id)
        .where(TempPassword.status == REVOKING)
    ).all()
    return [row for row, tried in rows if tried is None or tried <= cutoff]


def fail_unconfirmed(session: Session, *, older_than_s: float) -> int:
    """Pending passwords the lock never confirmed: ``failed`` (its journal may still
    revive one: ``credential_added`` makes it active).
    """
    cutoff = utcnow() - dt.timedelta(seconds=older_than_s)
    rows = session.scalars(
        select(TempPassword).where(
            TempPassword.status == PENDING, TempPassword.created_at <= cutoff
        )
    ).all()
    for row in rows:
        row.status = FAILED
    session.commit()
    return len(rows)


def temp_by_ref(session: Session, *, device_id: str, lock_ref: str) -> TempPassword | None:
    return session.scalar(
        select(TempPassword).where(
            TempPassword.device_id == device_id, TempPassword.lock_ref == lock_ref
        )
    )


def temp_state(row: TempPassword, now: dt.datetime | None = None) -> str:
    """What the app shows: the lock's confirmation, then the window and the uses."""
    now = now or utcnow()
    if row.status != ACTIVE:
        return row.status
    if now >= row.valid_until:
        return "expired"
    if row.max_uses is not None and row.uses >= row.max_uses:
        return "used_up"
    if now < row.valid_from:
        return "scheduled"
    return ACTIVE


# --- offline codes -----------------------------------------------------------------------


def add_offline_code(session: Session, **fields: Any) -> OfflineCode:
    return added(session, OfflineCode(**fields))


def offline_code_by_ref(session: Session, *, device_id: str, code_ref: str) -> OfflineCode | None:
    return session.scalar(
        select(OfflineCode).where(
            OfflineCode.device_id == device_id, OfflineCode.code_ref == code_ref
        )
    )


def offline_refs(session: Session, *, device_id: str, prefix: str) -> set[str]:
    """Lock names already issued that start with ``prefix`` (to pick a free code id)."""
    rows = session.scalars(
        select(OfflineCode.code_ref).where(
            OfflineCode.device_id == device_id, OfflineCode.code_ref.startswith(prefix)
        )
    )
    return set(rows)


def list_offline_codes(session: Session, *, device_id: str) -> list[OfflineCode]:
    return newest_first(session, OfflineCode, device_id)


def record_lock_use(session: Session, *, device_id: str, event: Event) -> bool:
    """A lock journal ``unlock`` by a visitor credential updates the list (A-TEMP).
    Returns whether a row changed. Events arrive exactly once, so counting is safe.
    """
    method, data = event.method, event.data
    if method == "temp_password" and isinstance(data.get("temp_id"), str):
        row = temp_by_ref(session, device_id=device_id, lock_ref=data["temp_id"])
        uses = data.get("uses")
        if row is None:
            return False
        row.uses = max(row.uses, uses) if isinstance(uses, int) else row.uses + 1
        session.commit()
        return True
    if method == "offline_code" and isinstance(data.get("code_id"), str):
        code = offline_code_by_ref(session, device_id=device_id, code_ref=data["code_id"])
        if code is None:
            return False
        code.uses += 1
        code.last_used_at = event.occurred_at
        session.commit()
        return True
    return False


def record_lock_credential(
    session: Session, *, device_id: str, kind: str, data: dict[str, Any]
) -> bool:
    """``credential_added`` / ``credential_deleted`` of a temp PIN confirm the lock has it."""
    if data.get("cred_type") != "temp_pin" or not isinstance(data.get("temp_id"), str):
        return False
    row = temp_by_ref(session, device_id=device_id, lock_ref=data["temp_id"])
    if row is None:
        return False
    if kind == "credential_added" and row.status in (PENDING, FAILED, ACTIVE):
        row.status = ACTIVE
        # The lock is the authority on the window it holds (an edit that timed out).
        start, end = data.get("valid_from"), data.get("valid_to")
        if isinstance(start, int | float) and isinstance(end, int | float) and start < end:
            row.valid_from = dt.datetime.fromtimestamp(start, dt.UTC)
            row.valid_until = dt.datetime.fromtimestamp(end, dt.UTC)
    elif kind == "credential_deleted":
        row.status, row.revoked = REVOKED, True
    else:
        return False
    session.commit()
    return True
