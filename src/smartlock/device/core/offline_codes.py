"""Offline visitor codes (A-TEMP): the cloud computes them, the lock checks them alone.

A code is decimal digits: a payload that carries the parameters, then 6 check digits,
a truncated HMAC-SHA256 under the lock's offline-code secret. The MAC covers the
*absolute* hours the payload only carries modulo a cycle (the implicit epoch), so the
lock resolves the few candidates around `now` and at most one can verify; an unused
code never comes back to life a cycle later. Hour granularity. See
docs/offline-codes.md for the layout and the guessing odds.

- one-time, 10 digits: valid `ONE_TIME_HOURS` from its start hour, usable once (the
  core remembers used `code_id`s); start at most 30 days ahead.
- period, 12 digits: from a start hour for one of `PERIOD_HOURS` (1 h ... 31 days).
- weekly, 12 digits: on chosen weekdays between two local hours, until the end of a
  week at most 12 weeks ahead (lock local time, `tz_offset_min`).

>>> secret = bytes(32)
>>> now = 1_767_225_600.0  # 2026-01-01T00:00Z
>>> code = issue(secret, OneTime(start=now, code_id=3), now=now)
>>> len(code), verify(secret, code, now + 3600).valid
(10, True)
>>> verify(secret, code, now + 25 * 3600).reason.value
'expired'
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass

from smartlock.device.core.ports import OfflineVerdict
from smartlock.errors import ErrorCode

BASE = 1_736_121_600  # 2025-01-06T00:00Z, a Monday: hour 0 and week 0 of every code
HOUR, WEEK_H = 3600, 168
CHECK_DIGITS = 6
ONE_TIME_HOURS = 24
MAX_ADVANCE_H = 720  # a code may start at most 30 days after it is issued
CYCLE_H = 1000  # one-time and period start hours travel modulo this (~41.7 days)
WEEKLY_CYCLE_W = 13  # weekly end weeks travel modulo this; at most 12 weeks ahead
PERIOD_HOURS: tuple[int, ...] = (
    *range(1, 13),
    15,
    18,
    21,
    24,
    *(24 * d for d in range(2, 32)),
)  # 46 durations: 1-12 h, 15/18/21/24 h, 2-31 days
_HOUR_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (a, b) for a in range(24) for b in range(a + 1, 25)
)  # (from, to) local hours, 300 pairs
_HALF = 500_000  # 12-digit payloads below this are period codes, above weekly


@dataclass(frozen=True, slots=True)
class OneTime:
    """Usable once within `ONE_TIME_HOURS` of `start` (epoch s, floored to the hour)."""

    start: float
    code_id: int = 0  # 0-9: tells apart codes issued for the same hour


@dataclass(frozen=True, slots=True)
class Period:
    """Valid from `start` for `hours` (one of PERIOD_HOURS), any number of times."""

    start: float
    hours: int
    code_id: int = 0  # 0-9


@dataclass(frozen=True, slots=True)
class Weekly:
    """Valid on `days` (0 = Monday) from `from_hour` to `to_hour` local time, until
    the end of the local week containing `until`.
    """

    days: frozenset[int]
    from_hour: int
    to_hour: int
    until: float


class Kind(enum.StrEnum):
    ONE_TIME = "one_time"
    PERIOD = "period"
    WEEKLY = "weekly"


Params = OneTime | Period | Weekly


@dataclass(frozen=True, slots=True)
class Verdict:
    """The lock's judgement of typed digits; `code_id` names the code for reuse checks."""

    valid: bool
    kind: Kind | None = None
    code_id: str = ""
    reason: ErrorCode | None = None  # EXPIRED, NOT_YET_VALID, OUTSIDE_HOURS, FORGED, MALFORMED

    @property
    def one_time(self) -> bool:
        return self.kind is Kind.ONE_TIME


def _hour(t: float, tz_offset_min: int = 0) -> int:
    return int((t + tz_offset_min * 60 - BASE) // HOUR)


def _check(secret: bytes, kind: Kind, absolute: tuple[int, ...], payload: str) -> str:
    msg = f"smartlock-offline-v1|{kind.value}|{','.join(map(str, absolute))}|{payload}"
    mac = hmac.new(secret, msg.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10**CHECK_DIGITS:0{CHECK_DIGITS}d}"


def _nearest(residue: int, cycle: int, around: int) -> list[int]:
    """Absolute values ≡ residue (mod cycle) in the three cycles around `around`."""
    base = around - (around - residue) % cycle
    return [base - cycle, base, base + cycle]


def issue(secret: bytes, params: Params, *, now: float, tz_offset_min: int = 0) -> str:
    """The digits for `params` (cloud side). ValueError if they cannot be encoded."""
    now_h = _hour(now)
    if isinstance(params, OneTime | Period):
        start = _hour(params.start)
        if not 0 <= params.code_id <= 9:
            raise ValueError("code_id must be 0-9")
        if not now_h - 1 <= start <= now_h + MAX_ADVANCE_H:
            raise ValueError("start must be between the last hour and 30 days ahead")
        if isinstance(params, OneTime):
            kind, payload, width = Kind.ONE_TIME, (start % CYCLE_H) * 10 + params.code_id, 4
            absolute: tuple[int, ...] = (start, params.code_id)
        else:
            if params.hours not in PERIOD_HOURS:
                raise ValueError(f"hours must be one of {PERIOD_HOURS}")
            dur = PERIOD_HOURS.index(params.hours)
            kind, width = Kind.PERIOD, 6
            payload = ((start % CYCLE_H) * 50 + dur) * 10 + params.code_id
            absolute = (start, params.hours, params.code_id)
    else:
        days = sorted(params.days)
        if not days or any(d not in range(7) for d in days):
            raise ValueError("days must be a non-empty set of 0-6 (Monday = 0)")
        if (params.from_hour, params.to_hour) not in _HOUR_PAIRS:
            raise ValueError("hours must satisfy 0 <= from_hour < to_hour <= 24")
        now_w = _hour(now, tz_offset_min) // WEEK_H
        end_w = _hour(params.until, tz_offset_min) // WEEK_H
        if not now_w <= end_w < now_w + WEEKLY_CYCLE_W:
            raise ValueError("until must be within the next 12 weeks")
        mask = sum(1 << d for d in days)
        pair = _HOUR_PAIRS.index((params.from_hour, params.to_hour))
        kind, width = Kind.WEEKLY, 6
        payload = _HALF + ((mask - 1) * len(_HOUR_PAIRS) + pair) * WEEKLY_CYCLE_W
        payload += end_w % WEEKLY_CYCLE_W
        absolute = (mask, params.from_hour, params.to_hour, end_w)
    text = f"{payload:0{width}d}"
    return text + _check(secret, kind, absolute, text)


def verify(secret: bytes, digits: str, now: float, *, tz_offset_min: int = 0) -> Verdict:
    """Judge exactly typed `digits` at `now` (lock side, no network, no state)."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (10, 12):
        return Verdict(False, reason=ErrorCode.MALFORMED)
    text, check = digits[:-CHECK_DIGITS], digits[-CHECK_DIGITS:]
    value, now_h = int(text), _hour(now)
    if len(digits) == 10:
        return _judge_start(
            secret, Kind.ONE_TIME, text, check, value // 10, value % 10, None, now_h
        )
    if value < _HALF:
        start_res, rest = divmod(value, 500)
        dur, code_id = divmod(rest, 10)
        if start_res >= CYCLE_H or dur >= len(PERIOD_HOURS):
            return Verdict(False, reason=ErrorCode.MALFORMED)
        return _judge_start(
            secret, Kind.PERIOD, text, check, start_res, code_id, PERIOD_HOURS[dur], now_h
        )
    return _judge_weekly(secret, text, check, value - _HALF, now, tz_offset_min)


def _judge_start(
    secret: bytes,
    kind: Kind,
    text: str,
    check: str,
    start_res: int,
    code_id: int,
    hours: int | None,
    now_h: int,
) -> Verdict:
    length = ONE_TIME_HOURS if hours is None else hours
    found: Verdict | None = None
    for start in _nearest(start_res, CYCLE_H, now_h):
        absolute = (start, code_id) if hours is None else (start, hours, code_id)
        if not hmac.compare_digest(_check(secret, kind, absolute, text), check):
            continue
        name = f"{kind.value}:{start}:{length}:{code_id}"
        if start <= now_h < start + length:
            return Verdict(True, kind, name)
        late = now_h >= start + length
        found = Verdict(False, kind, name, ErrorCode.EXPIRED if late else ErrorCode.NOT_YET_VALID)
    return found or Verdict(False, reason=ErrorCode.FORGED)


def _judge_weekly(
    secret: bytes, text: str, check: str, value: int, now: float, tz_offset_min: int
) -> Verdict:
    rest, end_res = divmod(value, WEEKLY_CYCLE_W)
    mask_m1, pair = divmod(rest, len(_HOUR_PAIRS))
    if mask_m1 >= 127:
        return Verdict(False, reason=ErrorCode.MALFORMED)
    mask, (from_h, to_h) = mask_m1 + 1, _HOUR_PAIRS[pair]
    local_h = _hour(now, tz_offset_min)
    now_w = local_h // WEEK_H
    for end_w in _nearest(end_res, WEEKLY_CYCLE_W, now_w):
        absolute = (mask, from_h, to_h, end_w)
        if not hmac.compare_digest(_check(secret, Kind.WEEKLY, absolute, text), check):
            continue
        name = f"weekly:{mask}:{from_h}:{to_h}:{end_w}"
        if now_w > end_w:
            return Verdict(False, Kind.WEEKLY, name, ErrorCode.EXPIRED)
        if end_w >= now_w + WEEKLY_CYCLE_W:
            continue  # never issued that far ahead
        day, hour = (local_h % WEEK_H) // 24, local_h % 24
        if mask >> day & 1 and from_h <= hour < to_h:
            return Verdict(True, Kind.WEEKLY, name)
        return Verdict(False, Kind.WEEKLY, name, ErrorCode.OUTSIDE_HOURS)
    return Verdict(False, reason=ErrorCode.FORGED)


@dataclass(frozen=True, slots=True)
class OfflineCodeBook:
    """The lock's `OfflineCodeChecker` (device.core.ports) over its per-lock secret."""

    secret: bytes
    tz_offset_min: int = 0

    def check(self, digits: str, now: float) -> OfflineVerdict:
        """Judge `digits` at `now`; the core refuses reuse of one-time `code_id`s."""
        v = verify(self.secret, digits, now, tz_offset_min=self.tz_offset_min)
        reason = "" if v.reason is None else v.reason.value
        return OfflineVerdict(valid=v.valid, code_id=v.code_id, one_time=v.one_time, reason=reason)


def id_outlived(code_id: str, now: float) -> bool:
    """True once the window a used code id names has passed: the lock may forget it,
    since the code is refused as expired from then on (keeps `used_offline_ids` small).
    """
    parts = code_id.split(":")
    try:
        start_h, length_h = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        return False  # not a shape we know: keep it, the safe side
    return now >= (start_h + length_h) * 3600
