"""The lock's users as it reports them; names, credentials, remote passwords (A-USERS)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from smartlock.cloud import crud, lockops
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import NotFound
from smartlock.cloud.schemas import (
    CommandPublic,
    LockFingerprintEnrol,
    LockPasswordSet,
    LockUserPublic,
    LockUsersPublic,
    LockUserUpdate,
    RequestId,
    UserNumber,
)
from smartlock.cloud.views import lock_user_public

router = APIRouter(prefix="/devices/{device_id}/users", tags=["lock users"])


@router.get("")
def list_lock_users(device_id: str, account: CurrentUser, session: SessionDep) -> LockUsersPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.DETAILS)
    users = crud.list_lock_users(session, device_id=device_id)
    return LockUsersPublic(data=[lock_user_public(u) for u in users], count=len(users))


@router.patch("/{number}")
def rename_lock_user(
    device_id: str,
    number: UserNumber,
    body: LockUserUpdate,
    account: CurrentUser,
    session: SessionDep,
) -> LockUserPublic:
    """Names live in the cloud only; the lock knows users by number."""
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    user = crud.rename_lock_user(session, device_id=device_id, number=number, name=body.name)
    return lock_user_public(user)


@router.put("/{number}/password")
async def set_lock_password(
    device_id: str,
    number: UserNumber,
    body: LockPasswordSet,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> CommandPublic:
    """Add or replace the user's password on the lock. It travels encrypted for that
    lock only and is never stored or logged by the cloud.
    """
    return await _user_command(
        session, services, account, device_id, number, body, "set_password", body.password
    )


@router.post("/{number}/fingerprint")
async def enrol_fingerprint(
    device_id: str,
    number: UserNumber,
    body: LockFingerprintEnrol,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> CommandPublic:
    """Ask the lock to guide this user's finger onto its sensor (D-FINGER-ENROL). The
    answer says the lock started; the credential appears when the module stored it.
    """
    return await _user_command(
        session, services, account, device_id, number, body, "enrol_fingerprint"
    )


async def _user_command(
    session: SessionDep,
    services: ServicesDep,
    account: CurrentUser,
    device_id: str,
    number: UserNumber,
    body: LockPasswordSet | LockFingerprintEnrol,
    action: str,
    secret: str | None = None,
) -> CommandPublic:
    """A credential command for one lock user (managers only; the user must exist): the
    ``body``'s request id and duress flag, and the ``secret`` it carries, if any.
    """
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    if crud.get_lock_user(session, device_id=device_id, number=number) is None:
        raise NotFound("the lock has no such user", code="lock_user_not_found")
    command = await lockops.run_command(
        services,
        device_id=device_id,
        account_id=account.id,
        request_id=body.request_id,
        action=action,
        params={"user_no": int(number), "duress": body.duress},
        secret=secret,
    )
    return CommandPublic.model_validate(command)


@router.delete("/{number}/credentials/{credential_id}")
async def delete_credential(
    device_id: str,
    number: UserNumber,
    credential_id: Annotated[int, Path(ge=0, le=1_000_000)],
    request_id: Annotated[RequestId, Query()],
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> CommandPublic:
    """Delete one credential of a user on the lock (D-USER-6 is checked there)."""
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    user = crud.get_lock_user(session, device_id=device_id, number=number)
    if user is None or all(c.get("id") != credential_id for c in user.credentials):
        raise NotFound("the user has no such credential", code="credential_not_found")
    command = await lockops.run_command(
        services,
        device_id=device_id,
        account_id=account.id,
        request_id=request_id,
        action="delete_credential",
        params={"user_no": int(number), "cred_id": credential_id},
    )
    return CommandPublic.model_validate(command)
