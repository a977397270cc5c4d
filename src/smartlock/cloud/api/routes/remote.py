"""Remote unlock and command results (A-REMOTE)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from smartlock.cloud import crud, lockops
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep, SettingsDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import CloudError, NotFound
from smartlock.cloud.schemas import CommandPublic, RemoteUnlock

router = APIRouter(prefix="/devices/{device_id}", tags=["remote"])


@router.post("/unlock")
async def remote_unlock(
    device_id: str,
    body: RemoteUnlock,
    account: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    services: ServicesDep,
) -> CommandPublic:
    """Unlock now. Waits for the lock's answer: ``done``, ``refused`` (with a reason)
    or ``offline``. Sending the same ``request_id`` again returns the first outcome.
    """
    access = authorize(session, account=account, device_id=device_id, capability=Capability.UNLOCK)
    existing = crud.get_command_by_request(session, device_id=device_id, request_id=body.request_id)
    if existing is not None:
        if existing.account_id != account.id or existing.action != "unlock":
            raise CloudError("request_id already used", code="request_id_reused", status=409)
        # A retry (or a double click): the first outcome, once it is known.
        session.close()  # no connection held while waiting
        settled = await lockops.wait_for_command(services, command_id=existing.id)
        return CommandPublic.model_validate(settled)
    if body.password is not None:
        # argon2 takes tens of ms: off the event loop that serves everyone else.
        await asyncio.to_thread(
            crud.verify_account_password,
            session,
            account=account,
            password=body.password,
            settings=settings,
        )
    elif body.confirmation_token is not None:
        if not crud.consume_confirmation(session, account=account, secret=body.confirmation_token):
            raise CloudError(
                "the confirmation is wrong, used or expired", code="confirmation_failed", status=403
            )
    else:
        raise CloudError(
            "confirm with your password or a confirmation_token",
            code="confirmation_required",
            status=403,
        )
    command = await lockops.remote_unlock(
        services, session, device=access.device, account_id=account.id, request_id=body.request_id
    )
    return CommandPublic.model_validate(command)


@router.get("/commands/{command_id}")
def read_command(
    device_id: str, command_id: str, account: CurrentUser, session: SessionDep
) -> CommandPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    command = crud.get_command(session, command_id=command_id)
    if command is None or command.device_id != device_id:
        raise NotFound("no such command")
    return CommandPublic.model_validate(command)
