"""All JSON routes under /api/v1."""

from fastapi import APIRouter

from smartlock.cloud.api.routes import (
    account,
    auth,
    devices,
    features,
    firmware,
    invitations,
    lock_users,
    modes,
    records,
    remote,
    settings,
    shares,
    snapshots,
)

api_router = APIRouter()
for module in (
    auth,
    account,
    devices,
    settings,
    records,
    lock_users,
    remote,
    modes,
    shares,
    invitations,
    features,
    firmware,
    snapshots,
):
    api_router.include_router(module.router)
