"""Unlock and event records of a lock, filtered and paged (A-RECORDS)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from smartlock.cloud import crud
from smartlock.cloud.api.deps import CurrentUser, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import CloudError
from smartlock.cloud.schemas import EventsPublic, UserNumber
from smartlock.cloud.views import event_public
from smartlock.device.vocab import EventKind, Method, Source

router = APIRouter(prefix="/devices/{device_id}/records", tags=["records"])


@router.get("")
def list_records(
    device_id: str,
    account: CurrentUser,
    session: SessionDep,
    user: UserNumber | None = None,
    method: Method | None = None,
    kind: EventKind | None = None,
    source: Source | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
) -> EventsPublic:
    """Newest first. ``count`` is the total matching; pass ``next_cursor`` back as
    ``cursor`` for the next page.
    """
    authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    for name, when in (("since", since), ("until", until)):
        if when is not None and when.tzinfo is None:
            raise CloudError(f"{name} needs a timezone (e.g. Z)", code="naive_time", status=422)
    page, total, next_seq = crud.query_events(
        session,
        device_id=device_id,
        user=user,
        method=method,
        kind=kind,
        source=source,
        since=since,
        until=until,
        limit=limit,
        before_seq=int(cursor) if cursor else None,
    )
    names = {u.number: u.name for u in crud.list_lock_users(session, device_id=device_id)}
    return EventsPublic(
        data=[event_public(e, names) for e in page],
        count=total,
        next_cursor=str(next_seq) if next_seq is not None else None,
    )
