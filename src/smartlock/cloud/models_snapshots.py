"""The pictures locks send (A-LIVE): doorbell snapshots and the latest live-view frame.

Every picture was made on the lock with every face masked and scaled down to at most
320×240 (D-PRIV, ``face.snapshot``); the cloud stores it as it came (≤ 11 KiB). Kept
in the database, not in a worker's memory, so any of several stateless workers can
serve what another received. ``cloud.snapshots`` keeps the last 20 doorbell pictures
and the last live frame per lock; migration ``0004_snapshots`` creates the table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from smartlock.cloud.models_base import Base, owned_by, utcnow


class Snapshot(Base):
    """One face-masked JPEG from a lock: `kind` is ``doorbell`` or ``live``."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = owned_by("devices")
    kind: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int]  # the lock's counter (restarts with the lock): with taken_at, dedupes
    taken_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_snapshots_device_kind", "device_id", "kind", "id"),)
