"""Tables of firmware updates (A-OTA): vendor-signed releases and update attempts.

They live beside ``models.py`` (imported at its end, so ``Base.metadata`` and the
Alembic check always see them); migration ``0003_firmware`` creates them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartlock.cloud.models_base import Base, owned_by, utcnow


class FirmwareRelease(Base):
    """A published release: the vendor's manifest exactly as signed, and the signature.

    Stored only after the signature checked with the configured vendor key; the lock
    checks it again with its own copy of the key before installing anything.
    """

    __tablename__ = "firmware_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    url: Mapped[str] = mapped_column(String(1024))
    notes: Mapped[str] = mapped_column(Text, default="")
    manifest: Mapped[dict[str, Any]]  # the signed manifest, field for field
    signature: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("model", "version", name="uq_firmware_model_version"),)


class FirmwareUpdate(Base):
    """One "start the update" from the app: which release, which signed command."""

    __tablename__ = "firmware_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = owned_by("devices")
    release_id: Mapped[int] = owned_by("firmware_releases")
    command_id: Mapped[str] = owned_by("commands")
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    from_version: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_firmware_updates_device", "device_id", "created_at"),)
