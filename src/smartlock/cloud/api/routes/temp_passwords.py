"""Visitor passwords (A-TEMP): online temp passwords on the lock, and offline codes."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from smartlock.cloud.api.deps import CurrentUser, ManagedLock, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.crud import temp_passwords as tcrud
from smartlock.cloud.errors import found
from smartlock.cloud.models import TempPassword
from smartlock.cloud.schemas import RequestId, listing
from smartlock.cloud.visitor import offline, service
from smartlock.cloud.visitor.schemas import (
    OfflineCodeCreate,
    OfflineCodePublic,
    OfflineCodesPublic,
    TempPasswordCreate,
    TempPasswordPublic,
    TempPasswordsPublic,
    TempPasswordUpdate,
)

router = APIRouter(prefix="/devices/{device_id}", tags=["visitor passwords"])


def _row(session: SessionDep, device_id: str, temp_id: int) -> TempPassword:
    row = tcrud.get_temp(session, device_id=device_id, temp_id=temp_id)
    return found(row, "no such temporary password", code="temp_password_not_found")


@router.get("/temp-passwords")
def list_temp_passwords(lock: ManagedLock, session: SessionDep) -> TempPasswordsPublic:
    rows = tcrud.list_temps(session, device_id=lock.device.id)
    return listing(TempPasswordsPublic, rows, service.temp_public)


@router.post("/temp-passwords", status_code=status.HTTP_201_CREATED)
async def create_temp_password(
    device_id: str,
    body: TempPasswordCreate,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    response: Response,
) -> TempPasswordPublic:
    """Send a visitor password to the lock. The code is in this answer only. State
    ``pending`` (202) when the lock has not answered yet: its journal will confirm it.
    """
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    row, code, reason = await service.create_temp(
        services, session, device=access.device, account_id=account.id, body=body
    )
    if reason is not None:
        response.status_code = status.HTTP_202_ACCEPTED
    return service.temp_public(row, code=code, reason=reason)


@router.get("/temp-passwords/{temp_id}")
def read_temp_password(
    device_id: str, temp_id: int, account: CurrentUser, session: SessionDep
) -> TempPasswordPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    return service.temp_public(_row(session, device_id, temp_id))


@router.patch("/temp-passwords/{temp_id}")
async def edit_temp_password(
    device_id: str,
    temp_id: int,
    body: TempPasswordUpdate,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> TempPasswordPublic:
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    row, code = await service.edit_temp(
        services,
        session,
        device=access.device,
        account_id=account.id,
        row=_row(session, device_id, temp_id),
        body=body,
    )
    return service.temp_public(row, code=code)


@router.delete("/temp-passwords/{temp_id}")
async def revoke_temp_password(
    device_id: str,
    temp_id: int,
    request_id: RequestId,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    response: Response,
) -> TempPasswordPublic:
    """Revoke on the lock; ``revoking`` (202) until an offline lock confirms it."""
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    _row(session, device_id, temp_id)
    state = await service.revoke_temp(
        services, device_id=device_id, account_id=account.id, row_id=temp_id, request_id=request_id
    )
    if state != tcrud.REVOKED:
        response.status_code = status.HTTP_202_ACCEPTED
    session.expire_all()
    return service.temp_public(_row(session, device_id, temp_id))


@router.get("/offline-codes")
def list_offline_codes(lock: ManagedLock, session: SessionDep) -> OfflineCodesPublic:
    rows = tcrud.list_offline_codes(session, device_id=lock.device.id)
    return listing(OfflineCodesPublic, rows, offline.offline_public)


@router.post("/offline-codes", status_code=status.HTTP_201_CREATED)
def issue_offline_code(
    device_id: str,
    body: OfflineCodeCreate,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> OfflineCodePublic:
    """Compute a code the lock checks on its own (works while it is offline)."""
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    row, code = offline.issue_offline(
        services, session, device=access.device, account_id=account.id, body=body
    )
    return offline.offline_public(row, code=code)
