"""Read-through memo of lookups within one derive transaction (``cloud.derive``).

Deriving a thousand events of a hundred locks asks the same questions again and again
(who may see this lock, what did this account switch off, which channels, which
scenes): one query each per transaction instead of per event. Only a session that
``unit_of_work.atomic(..., memo=True)`` opened has a memo; everywhere else (API
requests) the lookups go to the database as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
KEY = "smartlock.memo"


def remembered(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    cache: dict[Hashable, Any] | None = session.info.get(KEY)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]
