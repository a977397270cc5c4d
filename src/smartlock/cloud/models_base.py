"""The declarative `Base` every table registers on, with its UTC datetime type.

Apart from `models.py` so the feature tables (`models_features`, `models_firmware`,
`models_snapshots`) derive from it without importing `models`, which imports them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, MappedColumn, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def owned_by(table: str, **options: Any) -> MappedColumn[Any]:
    """A reference to ``table``'s id whose row goes with it (ON DELETE CASCADE): what a
    lock, an account or a notification owns.
    """
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), **options)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}
