"""Offline visitor codes (A-TEMP): computed here from a secret derived from the lock
key (``link.offline_secret``), so they need no contact with the lock at all; the cloud
records each code's window to list and name it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from smartlock.cloud import crud, lockops
from smartlock.cloud.crud import temp_passwords as tcrud
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Device, utcnow
from smartlock.cloud.models_features import OfflineCode
from smartlock.cloud.schemas import from_row
from smartlock.cloud.services import Services
from smartlock.cloud.visitor.schemas import OfflineCodeCreate, OfflineCodePublic
from smartlock.device.core import offline_codes as oc
from smartlock.link.offline_secret import offline_secret
from smartlock.link.signing import b64d

# What a new code's row takes from the request as it is; the rest is computed here.
_LISTED = {"name", "kind"}


def _tz_offset(session: Session, device_id: str) -> int:
    shadow = crud.get_shadow(session, device_id=device_id)
    value = shadow.reported.get("tz_offset_min", shadow.desired.get("tz_offset_min", 0))
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _when(hour: int, tz_offset_min: int = 0) -> dt.datetime:
    return dt.datetime.fromtimestamp(oc.BASE + hour * oc.HOUR - tz_offset_min * 60, dt.UTC)


def issue_offline(
    services: Services,
    session: Session,
    *,
    device: Device,
    account_id: int,
    body: OfflineCodeCreate,
) -> tuple[OfflineCode, str]:
    """Compute an offline code (no lock contact) and record its window (A-TEMP)."""
    now = utcnow().timestamp()
    secret = offline_secret(b64d(lockops.lock_key(services, device)))
    tz = _tz_offset(session, device.id)
    weekly: dict[str, object] | None = None
    try:
        if body.kind == "weekly":
            code, valid_from, valid_until = _weekly_code(secret, body, now, tz)
            weekly = {
                "days": sorted(body.days or ()),
                "from_hour": body.from_hour,
                "to_hour": body.to_hour,
            }
        else:
            code, valid_from, valid_until = _counted_code(session, secret, device.id, body, now)
    except ValueError as exc:
        raise CloudError(str(exc), code="invalid_offline_code", status=422) from None
    probe = max(now, valid_from.timestamp())
    verdict = oc.verify(secret, code, probe, tz_offset_min=tz)
    existing = tcrud.offline_code_by_ref(session, device_id=device.id, code_ref=verdict.code_id)
    if existing is not None:  # a weekly code with the same days, hours and end week
        return existing, code
    row = tcrud.add_offline_code(
        session,
        device_id=device.id,
        created_by=account_id,
        **body.model_dump(include=_LISTED),
        code_ref=verdict.code_id,
        valid_from=valid_from,
        valid_until=valid_until,
        weekly=weekly,
    )
    return row, code


def _weekly_code(
    secret: bytes, body: OfflineCodeCreate, now: float, tz: int
) -> tuple[str, dt.datetime, dt.datetime]:
    """A weekly code, valid from now to the end of its last week (lock time)."""
    assert body.days and body.from_hour is not None and body.to_hour is not None
    assert body.until is not None
    params = oc.Weekly(frozenset(body.days), body.from_hour, body.to_hour, body.until.timestamp())
    end_w = oc._hour(params.until, tz) // oc.WEEK_H
    valid_from, valid_until = utcnow(), _when((end_w + 1) * oc.WEEK_H, tz)
    return oc.issue(secret, params, now=now, tz_offset_min=tz), valid_from, valid_until


def _counted_code(
    session: Session, secret: bytes, device_id: str, body: OfflineCodeCreate, now: float
) -> tuple[str, dt.datetime, dt.datetime]:
    """A one-time or period code: the first of the 10 code ids free in its start hour."""
    start = body.start.timestamp() if body.start is not None else now
    start_h = oc._hour(start)
    hours = oc.ONE_TIME_HOURS if body.kind == "one_time" else body.hours
    assert hours is not None
    prefix = f"{body.kind}:{start_h}:{hours}:"
    used = tcrud.offline_refs(session, device_id=device_id, prefix=prefix)
    free = [i for i in range(10) if f"{prefix}{i}" not in used]
    if not free:
        raise CloudError(
            "10 codes already start in this hour; pick another start",
            code="offline_codes_exhausted",
            status=409,
        )
    params: oc.Params
    if body.kind == "one_time":
        params = oc.OneTime(start=start, code_id=free[0])
    else:
        params = oc.Period(start=start, hours=hours, code_id=free[0])
    return oc.issue(secret, params, now=now), _when(start_h), _when(start_h + hours)


def offline_public(row: OfflineCode, code: str | None = None) -> OfflineCodePublic:
    return from_row(OfflineCodePublic, row, code=code)
