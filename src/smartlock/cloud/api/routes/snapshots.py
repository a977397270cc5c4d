"""Doorbell snapshots and the live view (A-LIVE). Every picture was made on the lock
with every face masked (D-PRIV); only the owner, admins and members see them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from smartlock.cloud import snapshots
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import NotFound
from smartlock.cloud.models_snapshots import Snapshot

router = APIRouter(prefix="/devices/{device_id}", tags=["camera"])

JPEG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}}, "description": "a face-masked JPEG"}
}


def _jpeg(row: Snapshot) -> Response:
    # Private pictures: never in a shared cache, never kept by the browser.
    return Response(
        row.jpeg,
        media_type="image/jpeg",
        headers={
            "Cache-Control": "private, no-store",
            "X-Taken-At": row.taken_at.isoformat(),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/snapshots")
def list_snapshots(
    device_id: str, account: CurrentUser, session: SessionDep
) -> snapshots.SnapshotsPublic:
    """The last doorbell pictures, newest first (at most 20)."""
    authorize(session, account=account, device_id=device_id, capability=Capability.CAMERA)
    rows = snapshots.doorbell_snapshots(session, device_id)
    data = [snapshots.SnapshotPublic.model_validate(r) for r in rows]
    return snapshots.SnapshotsPublic(data=data, count=len(data))


@router.get("/snapshots/{snapshot_id}.jpg", response_class=Response, responses=JPEG)
def read_snapshot(
    device_id: str, snapshot_id: int, account: CurrentUser, session: SessionDep
) -> Response:
    """One doorbell picture (image/jpeg)."""
    authorize(session, account=account, device_id=device_id, capability=Capability.CAMERA)
    row = snapshots.get(session, device_id, snapshot_id, "doorbell")
    if row is None:
        raise NotFound("no such snapshot", code="snapshot_not_found")
    return _jpeg(row)


@router.post("/live-view")
async def start_live_view(
    device_id: str,
    body: snapshots.LiveViewStart,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> snapshots.LiveViewPublic:
    """Ask the lock for `seconds` (≤ 60) of face-masked frames, about one a second;
    waits for its answer (``done``, ``refused`` or ``offline``). Frames: ``live-view.jpg``.
    """
    access = authorize(session, account=account, device_id=device_id, capability=Capability.CAMERA)
    return await snapshots.start_live(
        services, device=access.device, account_id=account.id, body=body
    )


@router.get("/live-view.jpg", response_class=Response, responses=JPEG)
def read_live_frame(device_id: str, account: CurrentUser, session: SessionDep) -> Response:
    """The newest live-view frame (image/jpeg; ``X-Taken-At`` says when)."""
    authorize(session, account=account, device_id=device_id, capability=Capability.CAMERA)
    row = snapshots.latest_live(session, device_id)
    if row is None:
        raise NotFound("no live frame yet", code="no_live_frame")
    return _jpeg(row)
