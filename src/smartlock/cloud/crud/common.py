"""Small steps the crud modules share: a commit whose taken unique key is the caller's
409, and the rows a lock owns, looked up and listed the same way for each table.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Scene, TempPassword
from smartlock.cloud.models_features import OfflineCode

# The tables of a lock's rows with an integer id.
Owned = TypeVar("Owned", Scene, TempPassword, OfflineCode)


def commit_or_conflict(session: Session, conflict: CloudError) -> None:
    """Commit; if a unique key is already taken (a race the caller's checks cannot
    close), roll back and raise ``conflict`` instead of a 500.
    """
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise conflict from None


def of_device(session: Session, model: type[Owned], device_id: str, row_id: int) -> Owned | None:
    """The row with this id if it belongs to this lock (ids in a URL prove nothing)."""
    row = session.get(model, row_id)
    return row if row is not None and row.device_id == device_id else None


def newest_first(session: Session, model: type[Owned], device_id: str) -> list[Owned]:
    """A lock's rows of one table, the newest first."""
    return list(
        session.scalars(select(model).where(model.device_id == device_id).order_by(model.id.desc()))
    )
