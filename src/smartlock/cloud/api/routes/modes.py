"""Switch a mode of the lock now (A-STATUS, A-SETTINGS, D-MODE-ARM).

A mode is also a setting (``device.core.settings.BY_MODE``). The settings shadow keeps a
retained desired value, so a mode switched here goes to the lock as a command (it acts
at once, and says no when it cannot, e.g. arming with the door open) and, once done,
the shadow's desired value follows, so the retained settings never switch it back and
the lock reports the applied version (its settings are not reported after a command).
"""

from __future__ import annotations

from fastapi import APIRouter

from smartlock.cloud import crud, lockops
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import Conflict
from smartlock.cloud.models import CommandStatus
from smartlock.cloud.schemas import CommandPublic, ModeChange
from smartlock.device.core.settings import BY_MODE

router = APIRouter(prefix="/devices/{device_id}", tags=["remote"])


@router.post("/modes")
async def switch_mode(
    device_id: str,
    body: ModeChange,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> CommandPublic:
    """Waits for the lock's answer like remote unlock: ``done``, ``refused`` or ``offline``."""
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    command = await lockops.run_command(
        services,
        device_id=device_id,
        account_id=account.id,
        request_id=body.request_id,
        action="set_mode",
        params={"mode": body.mode.value, "on": body.on},
    )
    if command.status == CommandStatus.DONE:
        name = BY_MODE[body.mode].name
        for _ in range(3):  # a concurrent settings change moves the version: retry
            shadow = crud.get_shadow(session, device_id=device_id)
            # The lock does not report its settings after a command, only after applying
            # desired ones: set desired too, so the shadow learns the new value.
            if shadow.desired.get(name) == body.on and shadow.reported.get(name) == body.on:
                break
            try:
                crud.update_desired(
                    session,
                    device_id=device_id,
                    expected_version=shadow.version,
                    changes={name: body.on},
                )
            except Conflict:
                session.expire_all()
                continue
            await lockops.push_settings(services, session, device_id=device_id)
            break
    return CommandPublic.model_validate(command)
