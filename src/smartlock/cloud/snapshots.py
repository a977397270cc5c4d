"""Doorbell snapshots and the live view, cloud side (A-LIVE), face-free by design (D-PRIV).

* **Receive** (`store`, from ``ingest``): a signed `Snapshot` from a lock. Every
  picture was made on the lock with every face masked and scaled down to at most
  320×240 (``face.snapshot``); the cloud checks again what it can without a face
  engine (a JPEG, ≤ 11 KiB, ≤ 320×240) and refuses anything else, so a lock with old
  or broken firmware cannot put a full-size frame in front of the app. It keeps the
  last `KEEP_DOORBELL` doorbell pictures and the last live frame per lock.
* **Live view** (`start_live`): a signed `live_view` command; the lock then sends one
  masked frame about every second for `seconds` (≤ 60).
* **Who** (routes/snapshots.py): owner, admins and members (`Capability.CAMERA`);
  viewers see the doorbell *event* in the records, never a picture.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smartlock.cloud import lockops
from smartlock.cloud.models import CommandStatus, Device, utcnow
from smartlock.cloud.models_snapshots import Snapshot
from smartlock.cloud.schemas import RequestId, Strict
from smartlock.cloud.services import Services
from smartlock.link import schemas as wire
from smartlock.link.errors import MalformedMessage

ACTION = "live_view"
KEEP_DOORBELL = 20
KEEP_LIVE = 1
MAX_SIDE = (320, 240)  # the largest picture a lock may send (either orientation)


class SnapshotPublic(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    kind: str
    taken_at: dt.datetime
    received_at: dt.datetime


class SnapshotsPublic(BaseModel):
    data: list[SnapshotPublic]
    count: int


class LiveViewStart(Strict):
    request_id: RequestId
    seconds: int = Field(default=30, ge=1, le=wire.MAX_LIVE_VIEW_S)


class LiveViewPublic(BaseModel):
    status: CommandStatus
    reason: str | None
    seconds: int
    until: dt.datetime | None  # when the lock stops sending frames (if it started)


# ------------------------------------------------------------------------ receive


def checked_jpeg(message: wire.Snapshot) -> bytes:
    """The picture's bytes if it is a small JPEG; MalformedMessage if not."""
    from PIL import Image, UnidentifiedImageError

    try:
        jpeg = base64.b64decode(message.jpeg_b64, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedMessage("snapshot is not base64") from None
    if len(jpeg) > wire.MAX_SNAPSHOT_JPEG or not jpeg.startswith(b"\xff\xd8\xff"):
        raise MalformedMessage("snapshot is not a small JPEG")
    try:
        with Image.open(io.BytesIO(jpeg)) as image:  # reads the header only
            fmt, (w, h) = image.format, image.size
    except (UnidentifiedImageError, OSError):
        raise MalformedMessage("snapshot is not a JPEG") from None
    if fmt != "JPEG" or max(w, h) > max(MAX_SIDE) or min(w, h) > min(MAX_SIDE):
        raise MalformedMessage(f"snapshot of {w}×{h} is larger than {MAX_SIDE[0]}×{MAX_SIDE[1]}")
    return jpeg


def store(session: Session, *, device: Device, message: wire.Snapshot) -> Snapshot | None:
    """Keep one picture (None for a redelivered one) and prune older ones."""
    jpeg = checked_jpeg(message)
    taken_at = dt.datetime.fromtimestamp(message.taken_at, dt.UTC)
    same = select(Snapshot.id).where(
        Snapshot.device_id == device.id,
        Snapshot.kind == message.kind,
        Snapshot.seq == message.seq,
        Snapshot.taken_at == taken_at,
    )
    if session.scalar(same) is not None:
        return None  # QoS 1 redelivery: stored already
    row = Snapshot(
        device_id=device.id, kind=message.kind, seq=message.seq, taken_at=taken_at, jpeg=jpeg
    )
    session.add(row)
    session.flush()
    keep = KEEP_DOORBELL if message.kind == "doorbell" else KEEP_LIVE
    newest = (
        select(Snapshot.id)
        .where(Snapshot.device_id == device.id, Snapshot.kind == message.kind)
        .order_by(Snapshot.id.desc())
        .limit(keep)
    )
    session.execute(
        delete(Snapshot).where(
            Snapshot.device_id == device.id,
            Snapshot.kind == message.kind,
            Snapshot.id.not_in(newest),
        )
    )
    session.commit()
    return row


def live_update(row: Snapshot) -> dict[str, object]:
    """What SSE clients hear: that a picture exists, never the picture."""
    return {
        "type": "snapshot",
        "snapshot": SnapshotPublic.model_validate(row).model_dump(mode="json"),
    }


# ------------------------------------------------------------------------ read


def doorbell_snapshots(session: Session, device_id: str) -> list[Snapshot]:
    return list(
        session.scalars(
            select(Snapshot)
            .where(Snapshot.device_id == device_id, Snapshot.kind == "doorbell")
            .order_by(Snapshot.id.desc())
        )
    )


def get(
    session: Session, device_id: str, snapshot_id: int, kind: Literal["doorbell", "live"]
) -> Snapshot | None:
    row = session.get(Snapshot, snapshot_id)
    return row if row is not None and row.device_id == device_id and row.kind == kind else None


def latest_live(session: Session, device_id: str) -> Snapshot | None:
    return session.scalar(
        select(Snapshot)
        .where(Snapshot.device_id == device_id, Snapshot.kind == "live")
        .order_by(Snapshot.id.desc())
        .limit(1)
    )


# ------------------------------------------------------------------------ live view


async def start_live(
    services: Services, *, device: Device, account_id: int, body: LiveViewStart
) -> LiveViewPublic:
    """Ask the lock for `seconds` of masked frames; waits for its answer."""
    command = await lockops.run_command(
        services,
        device_id=device.id,
        account_id=account_id,
        request_id=body.request_id,
        action=ACTION,
        params={"seconds": body.seconds},
    )
    until = None
    if command.status == CommandStatus.DONE:
        until = (command.completed_at or utcnow()) + dt.timedelta(seconds=body.seconds)
    return LiveViewPublic(
        status=command.status, reason=command.reason, seconds=body.seconds, until=until
    )
