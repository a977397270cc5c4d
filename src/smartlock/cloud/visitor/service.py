"""Visitor passwords (A-TEMP) between the API and the lock.

Online temp passwords live on the lock (it checks them offline later): the cloud draws
or takes the code, sends it sealed in a signed ``add_temp_password`` command, shows it
once and keeps only a keyed hash. The lock's journal confirms additions, removals and
uses. Offline codes, which need no contact with the lock, are in ``visitor.offline``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session

from smartlock.cloud import crud, lockops
from smartlock.cloud.crud import temp_passwords as tcrud
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Command, CommandStatus, Device, TempPassword
from smartlock.cloud.schemas import from_row
from smartlock.cloud.services import Services
from smartlock.cloud.visitor.schemas import (
    TempPasswordCreate,
    TempPasswordPublic,
    TempPasswordUpdate,
)
from smartlock.errors import ErrorCode
from smartlock.link.signing import b64d

CODE_DIGITS = 8


def code_hash(lock_key: str, device_id: str, code: str) -> str:
    """Keyed hash of a temp code: recognisable again, useless without the lock key."""
    msg = f"smartlock temp code v1|{device_id}|{code}".encode()
    return hmac.new(b64d(lock_key), msg, hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def temp_public(
    row: TempPassword, code: str | None = None, reason: str | None = None
) -> TempPasswordPublic:
    return from_row(TempPasswordPublic, row, state=tcrud.temp_state(row), reason=reason, code=code)


def _check_request(session: Session, device_id: str, request_id: str) -> None:
    if crud.get_command_by_request(session, device_id=device_id, request_id=request_id):
        raise CloudError("request_id already used", code="request_id_reused", status=409)


def _refusal(command: Command) -> CloudError:
    if command.status == CommandStatus.OFFLINE and command.reason == "lock_offline":
        return CloudError(
            "the lock is offline; issue an offline code instead", code="lock_offline", status=409
        )
    return CloudError(
        f"the lock refused: {command.reason}",
        code=ErrorCode.parse(command.reason, ErrorCode.REFUSED),
        status=409,
    )


# When a password works on the lock: (valid_from, valid_until, uses it has left).
Window = tuple[dt.datetime, dt.datetime, int | None]


async def _send_add(
    services: Services,
    device: Device,
    account_id: int,
    request_id: str,
    row: TempPassword,
    code: str,
    window: Window,
) -> Command:
    """Add (or re-add, same id) the password on the lock: one signed command."""
    valid_from, valid_until, max_uses = window
    params: dict[str, object] = {
        "temp_id": row.lock_ref,
        "valid_from": valid_from.timestamp(),
        "valid_to": valid_until.timestamp(),
    }
    if max_uses is not None:
        params["max_uses"] = max_uses
    return await lockops.run_command(
        services,
        device_id=device.id,
        account_id=account_id,
        request_id=request_id,
        action="add_temp_password",
        params=params,
        secret=code,
        secret_name="code",  # noqa: S106 - a parameter name
    )


# What a new temp password's row takes from the request as it is.
_LISTED = {"name", "valid_from", "valid_until", "max_uses"}


async def create_temp(
    services: Services,
    session: Session,
    *,
    device: Device,
    account_id: int,
    body: TempPasswordCreate,
) -> tuple[TempPassword, str, str | None]:
    """(row, code, reason). Raises when the lock refused or could not be reached."""
    _check_request(session, device.id, body.request_id)
    code = body.code or new_code()
    row = tcrud.create_temp(
        session, device_id=device.id, created_by=account_id, **body.model_dump(include=_LISTED)
    )
    key = lockops.lock_key(services, device)
    tcrud.update_temp(session, row=row, code_hash=code_hash(key, device.id, code))
    window = (body.valid_from, body.valid_until, body.max_uses)
    command = await _send_add(services, device, account_id, body.request_id, row, code, window)
    session.refresh(row)
    if command.status == CommandStatus.DONE:
        return (
            tcrud.update_temp(session, row=row, status=tcrud.ACTIVE, command_id=command.id),
            code,
            None,
        )
    if command.status == CommandStatus.OFFLINE and command.reason == "no_answer":
        # It may still arrive: the lock's journal (credential_added) will confirm it.
        return tcrud.update_temp(session, row=row, command_id=command.id), code, "no_answer"
    session.delete(row)
    session.commit()
    raise _refusal(command)


async def edit_temp(
    services: Services,
    session: Session,
    *,
    device: Device,
    account_id: int,
    row: TempPassword,
    body: TempPasswordUpdate,
) -> tuple[TempPassword, str | None]:
    """Re-add the password on the lock under the same id with the new window/uses."""
    if row.status in (tcrud.REVOKING, tcrud.REVOKED):
        raise CloudError("this password is revoked", code="temp_password_revoked", status=409)
    _check_request(session, device.id, body.request_id)
    key = lockops.lock_key(services, device)
    code = _edited_code(key, device.id, row, body)
    valid_from, valid_until, max_uses, remaining = _edited_window(row, body)
    window = (valid_from, valid_until, remaining)
    command = await _send_add(services, device, account_id, body.request_id, row, code, window)
    if command.status != CommandStatus.DONE:
        if command.reason == "no_answer":
            raise CloudError(
                "the lock did not answer; the change may still apply", code="no_answer", status=504
            )
        raise _refusal(command)
    session.refresh(row)
    row = tcrud.update_temp(
        session,
        row=row,
        name=body.name or row.name,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        code_hash=code_hash(key, device.id, code),
        status=tcrud.ACTIVE,
        command_id=command.id,
    )
    return row, code if body.new_code else None


def _edited_code(key: str, device_id: str, row: TempPassword, body: TempPasswordUpdate) -> str:
    """A new code, or the current one proven by the caller (the cloud keeps only a hash)."""
    if body.new_code:
        return new_code()
    if body.code is None:
        raise CloudError(
            "give the current code or ask for a new_code", code="code_required", status=422
        )
    if row.code_hash is None or not hmac.compare_digest(
        row.code_hash, code_hash(key, device_id, body.code)
    ):
        raise CloudError("that is not this password's code", code="code_mismatch", status=422)
    return body.code


def _edited_window(
    row: TempPassword, body: TempPasswordUpdate
) -> tuple[dt.datetime, dt.datetime, int | None, int | None]:
    """(valid_from, valid_until, max_uses, uses left for the lock) after the edit."""
    valid_from = body.valid_from or row.valid_from
    valid_until = body.valid_until or row.valid_until
    if not valid_from < valid_until:
        raise CloudError(
            "valid_from must be before valid_until", code="invalid_request", status=422
        )
    max_uses = None if body.unlimited else (body.max_uses or row.max_uses)
    remaining = None if max_uses is None else max_uses - row.uses
    if remaining is not None and remaining < 1:
        raise CloudError("max_uses must exceed the uses so far", code="invalid_request", status=422)
    return valid_from, valid_until, max_uses, remaining


async def revoke_temp(
    services: Services, *, device_id: str, account_id: int | None, row_id: int, request_id: str
) -> str:
    """Remove it from the lock; an offline lock is retried by the features worker."""
    with services.sessionmaker() as session:
        row = tcrud.get_temp(session, device_id=device_id, temp_id=row_id)
        assert row is not None
        lock_ref = row.lock_ref
        if row.status == tcrud.REVOKED:
            return row.status
        tcrud.update_temp(session, row=row, status=tcrud.REVOKING, revoked=True)
    command = await lockops.run_command(
        services,
        device_id=device_id,
        account_id=account_id,
        request_id=request_id,
        action="revoke_temp_password",
        params={"temp_id": lock_ref},
    )
    with services.sessionmaker() as session:
        row = tcrud.get_temp(session, device_id=device_id, temp_id=row_id)
        assert row is not None
        gone = command.status == CommandStatus.DONE or command.reason == "unknown_temp_password"
        status = tcrud.REVOKED if gone else row.status
        tcrud.update_temp(session, row=row, status=status, command_id=command.id)
        return row.status


RETRY_S = 30.0  # at most one revocation attempt per password this often
UNCONFIRMED_S = 600.0  # a pending password unconfirmed this long is shown as failed


def _fail_unconfirmed(services: Services, older_than_s: float) -> int:
    with services.sessionmaker() as session:
        return tcrud.fail_unconfirmed(session, older_than_s=older_than_s)


async def fail_unconfirmed(services: Services, *, older_than_s: float = UNCONFIRMED_S) -> int:
    """Worker step: the lock never confirmed (its command expired long ago)."""
    return await asyncio.to_thread(_fail_unconfirmed, services, older_than_s)


def _due_revocations(services: Services, min_age_s: float) -> list[tuple[str, int]]:
    with services.sessionmaker() as session:
        return [
            (r.device_id, r.id)
            for r in tcrud.temps_to_retry(session, min_age_s=min_age_s)
            if (d := crud.get_device(session, device_id=r.device_id)) is not None and d.online
        ]


async def retry_revocations(services: Services, *, min_age_s: float = RETRY_S) -> int:
    """Worker step: send unconfirmed revocations to locks that are online again."""
    due = await asyncio.to_thread(_due_revocations, services, min_age_s)
    for device_id, row_id in due:
        await revoke_temp(
            services,
            device_id=device_id,
            account_id=None,
            row_id=row_id,
            request_id=f"revoke-{row_id}-{secrets.token_hex(6)}",
        )
    return len(due)
