"""The settings shadow of a lock: desired / reported / version (A-SETTINGS)."""

from __future__ import annotations

from fastapi import APIRouter

from smartlock.cloud import crud, lockops
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import CloudError
from smartlock.cloud.schemas import SettingsPublic, SettingsUpdate
from smartlock.cloud.views import settings_public

router = APIRouter(prefix="/devices/{device_id}/settings", tags=["settings"])


@router.get("")
def read_settings(device_id: str, account: CurrentUser, session: SessionDep) -> SettingsPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.DETAILS)
    return settings_public(crud.get_shadow(session, device_id=device_id))


@router.patch("")
async def change_settings(
    device_id: str,
    body: SettingsUpdate,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> SettingsPublic:
    """Apply a change made against ``version``; 409 if the shadow moved since. The lock
    gets it now if online, else when it reconnects; until then it shows as pending.
    """
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    changes = body.changes.model_dump(mode="json", exclude_none=True)
    if not changes:
        raise CloudError("no setting to change", code="empty_change", status=422)
    shadow = crud.update_desired(
        session, device_id=device_id, expected_version=body.version, changes=changes
    )
    await lockops.push_settings(services, session, device_id=device_id)
    return settings_public(shadow)
