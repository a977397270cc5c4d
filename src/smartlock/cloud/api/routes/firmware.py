"""Firmware update offer and start (A-OTA)."""

from __future__ import annotations

from fastapi import APIRouter

from smartlock.cloud import firmware
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.schemas import CommandRequest

router = APIRouter(prefix="/devices/{device_id}/firmware", tags=["firmware"])


@router.get("")
def read_firmware(
    device_id: str, account: CurrentUser, session: SessionDep
) -> firmware.FirmwarePublic:
    """The version the lock runs, the newest signed release newer than it (if any) and
    the last update attempt. Everyone the lock is shared with may see it.
    """
    access = authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    return firmware.update_state(session, access.device)


@router.post("/update")
async def start_update(
    device_id: str,
    body: CommandRequest,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> firmware.FirmwarePublic:
    """Send the offered release to the lock (owner and admins). Waits for the lock's
    answer; the same ``request_id`` again returns the first outcome. 409
    ``no_update_available`` when the lock already runs the newest release.
    """
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    return await firmware.start_update(
        services, session, device=access.device, account_id=account.id, request_id=body.request_id
    )
