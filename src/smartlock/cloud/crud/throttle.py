"""Failure throttling kept in the database, so every worker counts the same failures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud.errors import Throttled
from smartlock.cloud.models import Throttle, utcnow


def check_throttle(session: Session, *, key: str, now: dt.datetime | None = None) -> None:
    """Raise ``Throttled`` while ``key`` is locked out."""
    now = now or utcnow()
    row = session.get(Throttle, key)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        wait = int((row.locked_until - now).total_seconds()) + 1
        raise Throttled(f"too many failed attempts; retry in {wait} s", retry_after=wait)


def record_failure(
    session: Session,
    *,
    key: str,
    limit: int,
    window_seconds: int,
    lock_seconds: int,
    now: dt.datetime | None = None,
) -> bool:
    """Count one failure (atomically, committed at once); True when it locks ``key``."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=window_seconds)
    insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
    stmt = insert(Throttle).values(key=key, failures=0, window_start=now, locked_until=None)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    expired = Throttle.window_start < cutoff
    session.execute(
        update(Throttle)
        .where(Throttle.key == key)
        .values(
            failures=case((expired, 1), else_=Throttle.failures + 1),
            window_start=case((expired, now), else_=Throttle.window_start),
        )
    )
    failures = session.scalar(select(Throttle.failures).where(Throttle.key == key)) or 0
    locked = failures >= limit
    if locked:
        session.execute(
            update(Throttle)
            .where(Throttle.key == key)
            .values(locked_until=now + dt.timedelta(seconds=lock_seconds), failures=0)
        )
    session.commit()
    return locked


def clear_failures(session: Session, *, key: str) -> None:
    row = session.get(Throttle, key)
    if row is not None:
        session.delete(row)
        session.commit()


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name
