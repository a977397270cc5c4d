"""Small steps the crud modules share: a commit whose taken unique key is the caller's
409, and the rows a lock owns, looked up and listed the same way for each table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Column, ColumnElement, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Scene, TempPassword
from smartlock.cloud.models_features import OfflineCode

# The tables of a lock's rows with an integer id.
Owned = TypeVar("Owned", Scene, TempPassword, OfflineCode)
Row = TypeVar("Row")


def commit_or_conflict(session: Session, conflict: CloudError) -> None:
    """Commit; if a unique key is already taken (a race the caller's checks cannot
    close), roll back and raise ``conflict`` instead of a 500.
    """
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise conflict from None


def added(session: Session, row: Row) -> Row:
    """A new row, committed (the crud helpers commit per change; ``unit_of_work``)."""
    session.add(row)
    session.commit()
    return row


def of_device(session: Session, model: type[Owned], device_id: str, row_id: int) -> Owned | None:
    """The row with this id if it belongs to this lock (ids in a URL prove nothing)."""
    row = session.get(model, row_id)
    return row if row is not None and row.device_id == device_id else None


def newest_first(session: Session, model: type[Owned], device_id: str) -> list[Owned]:
    """A lock's rows of one table, the newest first."""
    return list(
        session.scalars(select(model).where(model.device_id == device_id).order_by(model.id.desc()))
    )


def update_each(
    session: Session,
    key: Column[Any],
    column: str,
    values: dict[Any, Any],
    combine: Callable[[BindParameter[Any]], ColumnElement[Any]] | None = None,
) -> None:
    """One executemany UPDATE setting ``column`` of the row whose ``key`` is each key of
    ``values`` to its value (or ``combine(value)``), in key order: workers take the
    row locks in one order, so they never deadlock on them.
    """
    new: BindParameter[Any] = bindparam("u_value")
    session.execute(
        update(key.table)
        .where(key == bindparam("u_key"))
        .values({column: new if combine is None else combine(new)}),
        [{"u_key": k, "u_value": v} for k, v in sorted(values.items())],
    )
