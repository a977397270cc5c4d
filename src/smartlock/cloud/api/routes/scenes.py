"""Smart scenes (A-SCENE): create, list, edit, delete, run now, and their runs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from smartlock.cloud.api.deps import CurrentUser, ManagedLock, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.crud import scenes as scrud
from smartlock.cloud.errors import found
from smartlock.cloud.models import Scene
from smartlock.cloud.scenes import actions, engine
from smartlock.cloud.scenes.schemas import (
    SceneCreate,
    ScenePublic,
    SceneRunPublic,
    SceneRunsPublic,
    ScenesPublic,
    SceneUpdate,
)
from smartlock.cloud.schemas import Message, from_row, listing

router = APIRouter(prefix="/devices/{device_id}/scenes", tags=["scenes"])


def _public(scene: Scene) -> ScenePublic:
    return from_row(ScenePublic, scene)


def _dump(model: Any) -> Any:
    return None if model is None else model.model_dump(mode="json", exclude_none=True)


def _columns(body: SceneCreate) -> dict[str, Any]:
    """A new scene's columns as the request gives them (rules and actions as JSON)."""
    return {
        "name": body.name,
        "trigger": _dump(body.trigger),
        "condition": _dump(body.condition),
        "actions": [a.model_dump(mode="json") for a in body.actions],
        "enabled": body.enabled,
    }


def _scene(session: SessionDep, device_id: str, scene_id: int) -> Scene:
    scene = scrud.get_scene(session, device_id=device_id, scene_id=scene_id)
    return found(scene, "no such scene", code="scene_not_found")


@router.get("")
def list_scenes(lock: ManagedLock, session: SessionDep) -> ScenesPublic:
    return listing(ScenesPublic, scrud.list_scenes(session, device_id=lock.device.id), _public)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_scene(
    device_id: str, body: SceneCreate, account: CurrentUser, session: SessionDep
) -> ScenePublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    scene = scrud.create_scene(
        session, device_id=device_id, created_by=account.id, **_columns(body)
    )
    return _public(scene)


@router.get("/runs")
def list_runs(
    device_id: str,
    account: CurrentUser,
    session: SessionDep,
    scene_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SceneRunsPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    rows = scrud.list_runs(session, device_id=device_id, scene_id=scene_id, limit=limit)
    return listing(SceneRunsPublic, rows, SceneRunPublic.model_validate)


@router.get("/{scene_id}")
def read_scene(
    device_id: str, scene_id: int, account: CurrentUser, session: SessionDep
) -> ScenePublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    return _public(_scene(session, device_id, scene_id))


@router.patch("/{scene_id}")
def edit_scene(
    device_id: str, scene_id: int, body: SceneUpdate, account: CurrentUser, session: SessionDep
) -> ScenePublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    scene = _scene(session, device_id, scene_id)
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = body.name
    if body.manual:
        changes["trigger"] = None
    elif body.trigger is not None:
        changes["trigger"] = _dump(body.trigger)
    if body.no_condition:
        changes["condition"] = None
    elif body.condition is not None:
        changes["condition"] = _dump(body.condition)
    if body.actions is not None:
        changes["actions"] = [a.model_dump(mode="json") for a in body.actions]
    if body.enabled is not None:
        changes["enabled"] = body.enabled
    return _public(scrud.update_scene(session, scene=scene, **changes))


@router.delete("/{scene_id}")
def delete_scene(
    device_id: str, scene_id: int, account: CurrentUser, session: SessionDep
) -> Message:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    scrud.delete_scene(session, scene=_scene(session, device_id, scene_id))
    return Message(message="scene deleted")


@router.post("/{scene_id}/run")
async def run_scene(
    device_id: str, scene_id: int, account: CurrentUser, session: SessionDep, services: ServicesDep
) -> SceneRunPublic:
    """Run the scene's actions now (one tap), whatever its trigger; waits for the outcome."""
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    scene = _scene(session, device_id, scene_id)
    run = engine.manual_run(session, scene=scene, fire_key=f"manual:{uuid.uuid4().hex}")
    return SceneRunPublic.model_validate(await actions.execute(services, run.id))
