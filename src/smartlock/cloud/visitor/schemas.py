"""API models of visitor passwords (A-TEMP)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StrictBool, StrictInt, model_validator

from smartlock.cloud.schemas import Name, RequestId, Strict
from smartlock.credentials import PIN_PATTERN

TempCode = Annotated[str, Field(pattern=PIN_PATTERN)]  # typed exactly (D-KEY-VIRTUAL)


class TempPasswordCreate(Strict):
    """``max_uses``: 1 = one-time, N = N times, null = unlimited within the period."""

    request_id: RequestId
    name: Name
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    max_uses: Annotated[StrictInt, Field(ge=1, le=1000)] | None = 1
    code: TempCode | None = None  # None: the cloud draws 8 random digits

    @model_validator(mode="after")
    def _window(self) -> TempPasswordCreate:
        if not self.valid_from < self.valid_until:
            raise ValueError("valid_from must be before valid_until")
        if self.valid_until - self.valid_from > dt.timedelta(days=366):
            raise ValueError("a temporary password lasts at most a year")
        return self


class TempPasswordUpdate(Strict):
    """Change the window or uses: the lock gets the password again (same id). Give the
    current ``code`` to keep it, or ``new_code`` to draw a new one (shown once).
    """

    request_id: RequestId
    name: Name | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    max_uses: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None
    unlimited: StrictBool = False
    code: TempCode | None = None
    new_code: StrictBool = False


class TempPasswordPublic(BaseModel):
    id: int
    name: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    max_uses: int | None
    uses: int
    state: str  # pending active scheduled expired used_up failed revoking revoked
    reason: str | None = None  # why the lock refused or did not answer
    created_at: dt.datetime
    code: str | None = None  # only in the answer that created or re-coded it


class TempPasswordsPublic(BaseModel):
    data: list[TempPasswordPublic]
    count: int


class OfflineCodeCreate(Strict):
    """one_time: 24 h from ``start``, once; period: ``hours`` from ``start``; weekly:
    ``days`` (0 = Monday) from ``from_hour`` to ``to_hour`` lock-local, until ``until``.
    """

    name: Name
    kind: Literal["one_time", "period", "weekly"]
    start: AwareDatetime | None = None  # default: now
    hours: StrictInt | None = None
    days: Annotated[list[Annotated[StrictInt, Field(ge=0, le=6)]], Field(max_length=7)] | None = (
        None
    )
    from_hour: Annotated[StrictInt, Field(ge=0, le=23)] | None = None
    to_hour: Annotated[StrictInt, Field(ge=1, le=24)] | None = None
    until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _fields(self) -> OfflineCodeCreate:
        if self.kind == "period" and self.hours is None:
            raise ValueError("a period code needs hours")
        if self.kind == "weekly" and (
            not self.days or self.from_hour is None or self.to_hour is None or self.until is None
        ):
            raise ValueError("a weekly code needs days, from_hour, to_hour and until")
        return self


class OfflineCodePublic(BaseModel):
    id: int
    name: str
    kind: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    weekly: dict[str, object] | None
    uses: int
    last_used_at: dt.datetime | None
    created_at: dt.datetime
    code: str | None = None  # only when issued


class OfflineCodesPublic(BaseModel):
    data: list[OfflineCodePublic]
    count: int
