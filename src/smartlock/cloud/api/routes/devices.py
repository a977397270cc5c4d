"""Locks of the account: bind (D-PAIR), list, read, rename, unbind, live status (A-STATUS)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from smartlock.cloud import crud, lockops
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Role
from smartlock.cloud.schemas import (
    DeviceBind,
    DevicePublic,
    DevicesPublic,
    DeviceUpdate,
    Message,
    StatusPublic,
)
from smartlock.cloud.views import device_public, status_public

router = APIRouter(prefix="/devices", tags=["devices"])


@router.get("")
def list_devices(account: CurrentUser, session: SessionDep) -> DevicesPublic:
    found = crud.devices_for(session, account=account)
    data = [device_public(session, device, role) for device, role in found]
    return DevicesPublic(data=data, count=len(data))


@router.post("", status_code=status.HTTP_201_CREATED)
async def bind_device(
    body: DeviceBind, account: CurrentUser, session: SessionDep, services: ServicesDep
) -> DevicePublic:
    """Bind a lock in pairing mode by serial + the code on its label (D-PAIR)."""
    device = await lockops.bind_lock(
        services, session, account=account, serial=body.serial, code=body.code, name=body.name
    )
    return device_public(session, device, Role.OWNER)


@router.get("/{device_id}")
def read_device(device_id: str, account: CurrentUser, session: SessionDep) -> DevicePublic:
    access = authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    return device_public(session, access.device, access.role)


@router.patch("/{device_id}")
async def rename_device(
    device_id: str,
    body: DeviceUpdate,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> DevicePublic:
    """Rename; the lock gets the name too, for Home Assistant's device name (A-HA)."""
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    device = crud.rename_device(session, device=access.device, name=body.name)
    await lockops.push_name(services, session, device=device)
    return device_public(session, device, access.role)


@router.delete("/{device_id}")
async def delete_device(
    device_id: str, account: CurrentUser, session: SessionDep, services: ServicesDep
) -> Message:
    """Unbind: the lock is told to forget the cloud, and the cloud forgets the lock."""
    access = authorize(session, account=account, device_id=device_id, capability=Capability.OWN)
    await lockops.unbind_lock(services, session, device=access.device)
    return Message(message="device deleted")


@router.get("/{device_id}/status")
def read_status(device_id: str, account: CurrentUser, session: SessionDep) -> StatusPublic:
    access = authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    return status_public(session, access.device)


@router.get(
    "/{device_id}/live",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "status stream"}},
)
def live_status(
    device_id: str,
    request: Request,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> EventSourceResponse:
    """Server-sent events: ``status`` (a StatusPublic) now and on every change;
    ``event`` for each new journal entry; ``snapshot`` (id, kind, time) when a
    face-masked picture arrived (A-LIVE). Access is re-checked while streaming.
    """
    authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    account_id = account.id
    queue = services.live.subscribe(device_id)

    def snapshot() -> dict[str, Any] | None:
        with services.sessionmaker() as s:
            who = s.get(type(account), account_id)
            try:
                if who is None:
                    return None
                access = authorize(s, account=who, device_id=device_id, capability=Capability.VIEW)
            except CloudError:
                return None
            return status_public(s, access.device).model_dump(mode="json")

    async def stream() -> AsyncIterator[ServerSentEvent]:
        try:
            first = await asyncio.to_thread(snapshot)
            if first is None:
                return
            yield ServerSentEvent(data=json.dumps(first), event="status")
            while not await request.is_disconnected():
                try:
                    update = await asyncio.wait_for(
                        queue.get(), timeout=services.settings.live_recheck_seconds
                    )
                except TimeoutError:
                    update = {"type": "recheck"}
                current = await asyncio.to_thread(snapshot)
                if current is None:  # unshared or unbound meanwhile
                    yield ServerSentEvent(data="{}", event="revoked")
                    return
                if update.get("type") == "event":
                    yield ServerSentEvent(data=json.dumps(update["event"]), event="event")
                if update.get("type") == "command":  # a command's outcome, late ones too
                    outcome = {"id": update.get("id"), "status": update.get("status")}
                    yield ServerSentEvent(data=json.dumps(outcome), event="command")
                    continue
                if update.get("type") == "snapshot":  # A-LIVE: that a picture came, not it
                    yield ServerSentEvent(data=json.dumps(update["snapshot"]), event="snapshot")
                    continue
                if update.get("type") != "recheck":
                    yield ServerSentEvent(data=json.dumps(current), event="status")
        finally:
            services.live.unsubscribe(device_id, queue)

    return EventSourceResponse(stream(), ping=15)
