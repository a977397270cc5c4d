"""Unlock and event records of a lock, filtered and paged (A-RECORDS)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartlock.cloud import crud
from smartlock.cloud.api.deps import CurrentUser, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.crud import temp_passwords as tcrud
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Account, Command, CommandStatus, Event
from smartlock.cloud.schemas import EventPublic, EventsPublic, UserNumber
from smartlock.cloud.views import event_public
from smartlock.vocab import EventKind, Method, Source

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
    equal = {"user_number": user, "method": method, "kind": kind, "source": source}
    page, total, next_seq = crud.query_events(
        session,
        device_id=device_id,
        equal=equal,
        since=since,
        until=until,
        limit=limit,
        before_seq=int(cursor) if cursor else None,
    )
    names = {u.number: u.name for u in crud.list_lock_users(session, device_id=device_id)}
    return EventsPublic(
        data=[_who(session, device_id, event_public(e, names), e) for e in page],
        count=total,
        next_cursor=str(next_seq) if next_seq is not None else None,
    )


# A remote unlock's event comes a moment after the cloud sent the command.
_REMOTE_SKEW = dt.timedelta(seconds=120)


def _who(session: Session, device_id: str, public: EventPublic, event: Event) -> EventPublic:
    """Name who the lock cannot: the visitor password or offline code by its name,
    the account that sent a remote unlock by its email (never a secret).
    """
    data = event.data or {}
    if isinstance(data.get("temp_id"), str):
        row = tcrud.temp_by_ref(session, device_id=device_id, lock_ref=data["temp_id"])
        public.holder = row.name if row is not None else None
    elif isinstance(data.get("code_id"), str):
        code = tcrud.offline_code_by_ref(session, device_id=device_id, code_ref=data["code_id"])
        public.holder = code.name if code is not None else None
    if event.method == Method.REMOTE.value or event.kind == EventKind.REMOTE_COMMAND.value:
        command = None
        if isinstance(data.get("request_id"), str):
            command = session.get(Command, data["request_id"])
        if command is None and event.method == Method.REMOTE.value:
            at = event.occurred_at
            command = session.scalar(
                select(Command)
                .where(
                    Command.device_id == device_id,
                    Command.action == "unlock",
                    Command.status == CommandStatus.DONE,
                    Command.created_at <= at + _REMOTE_SKEW,
                    Command.created_at >= at - _REMOTE_SKEW,
                )
                .order_by(Command.created_at.desc())
                .limit(1)
            )
        if command is not None and command.account_id is not None:
            account = session.get(Account, command.account_id)
            public.actor = account.email if account is not None else None
    return public
