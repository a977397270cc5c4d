"""Offline visitor codes (A-TEMP): valid exactly inside their window, unforgeable."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from smartlock.device.core.offline_codes import (
    HOUR,
    MAX_ADVANCE_H,
    ONE_TIME_HOURS,
    PERIOD_HOURS,
    WEEK_H,
    Kind,
    OfflineCodeBook,
    OneTime,
    Period,
    Weekly,
    issue,
    verify,
)
from smartlock.device.core.ports import OfflineVerdict
from smartlock.errors import ErrorCode

NOW0 = 1_767_225_600  # 2026-01-01T00:00Z, a Thursday
secrets_ = st.binary(min_size=32, max_size=32)
issue_times = st.integers(NOW0, NOW0 + 3 * 365 * 24 * HOUR)
hours_ahead = st.integers(0, MAX_ADVANCE_H)


def _hour_floor(t: int) -> int:
    return t - t % HOUR


@settings(max_examples=200, deadline=None)
@given(secrets_, issue_times, hours_ahead, st.integers(0, 9), st.data())
def test_one_time_code_valid_only_inside_its_window_A_TEMP(
    secret: bytes, now: int, ahead: int, code_id: int, data: st.DataObject
) -> None:
    start = _hour_floor(now) + ahead * HOUR
    code = issue(secret, OneTime(start=start, code_id=code_id), now=now)
    assert len(code) == 10
    inside = data.draw(st.integers(start, start + ONE_TIME_HOURS * HOUR - 1))
    v = verify(secret, code, inside)
    assert v.valid and v.one_time and v.kind is Kind.ONE_TIME
    assert verify(secret, code, start - 1).reason is ErrorCode.NOT_YET_VALID
    after = data.draw(st.integers(start + ONE_TIME_HOURS * HOUR, start + 900 * HOUR))
    assert verify(secret, code, after).reason is ErrorCode.EXPIRED
    far = data.draw(st.integers(start + 900 * HOUR, start + 20_000 * HOUR))
    assert not verify(secret, code, far).valid  # never comes back a cycle later


@settings(max_examples=200, deadline=None)
@given(
    secrets_, issue_times, hours_ahead, st.sampled_from(PERIOD_HOURS), st.integers(0, 9), st.data()
)
def test_period_code_valid_only_from_start_to_end_A_TEMP(
    secret: bytes, now: int, ahead: int, hours: int, code_id: int, data: st.DataObject
) -> None:
    start = _hour_floor(now) + ahead * HOUR
    code = issue(secret, Period(start=start, hours=hours, code_id=code_id), now=now)
    assert len(code) == 12
    end = start + hours * HOUR
    assert verify(secret, code, data.draw(st.integers(start, end - 1))).valid
    assert verify(secret, code, start - 1).reason is ErrorCode.NOT_YET_VALID
    assert verify(secret, code, data.draw(st.integers(end, end + 200 * HOUR))).reason is (
        ErrorCode.EXPIRED
    )
    assert not verify(secret, code, end + 3000 * HOUR).valid


@settings(max_examples=200, deadline=None)
@given(
    secrets_,
    issue_times,
    st.frozensets(st.integers(0, 6), min_size=1),
    st.integers(0, 23),
    st.data(),
    st.sampled_from([0, 60, 330, -300]),
)
def test_weekly_code_valid_on_its_days_and_hours_until_its_week_ends_A_TEMP(
    secret: bytes, now: int, days: frozenset[int], from_h: int, data: st.DataObject, tz: int
) -> None:
    to_h = data.draw(st.integers(from_h + 1, 24))
    weeks = data.draw(st.integers(0, 12))
    until = now + weeks * WEEK_H * HOUR
    code = issue(secret, Weekly(days, from_h, to_h, until), now=now, tz_offset_min=tz)
    assert len(code) == 12
    # Walk every hour from now to the end of the validity and a week past it.
    local = now + tz * 60
    week_end_local = (
        (until + tz * 60) - (until + tz * 60 - 1_736_121_600) % (WEEK_H * HOUR) + WEEK_H * HOUR
    )
    t = _hour_floor(local) - tz * 60 + HOUR  # next whole local hour, as UTC
    checked = 0
    while t < week_end_local - tz * 60 + WEEK_H * HOUR and checked < 24 * 7 * 14:
        lt = t + tz * 60
        day = ((lt - 1_736_121_600) // (24 * HOUR)) % 7
        hour = (lt // HOUR) % 24
        v = verify(secret, code, t, tz_offset_min=tz)
        in_validity = lt < week_end_local
        expected = in_validity and day in days and from_h <= hour < to_h
        assert v.valid == expected, (t, v)
        if not in_validity:
            assert v.reason is ErrorCode.EXPIRED
        t += HOUR * 7  # stride 7 h: visits every weekday and hour over the weeks
        checked += 1


@settings(max_examples=300, deadline=None)
@given(secrets_, issue_times, st.sampled_from(["one", "period", "weekly"]), st.data())
def test_any_single_digit_change_is_rejected_A_TEMP(
    secret: bytes, now: int, kind: str, data: st.DataObject
) -> None:
    if kind == "one":
        code = issue(secret, OneTime(start=now), now=now)
    elif kind == "period":
        code = issue(secret, Period(start=now, hours=48, code_id=1), now=now)
    else:
        code = issue(secret, Weekly(frozenset(range(7)), 0, 24, now), now=now)
    assert verify(secret, code, now + 60).valid
    pos = data.draw(st.integers(0, len(code) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[pos]]))
    changed = code[:pos] + digit + code[pos + 1 :]
    assert not verify(secret, changed, now + 60).valid


def test_codes_from_another_locks_secret_are_forged_A_TEMP() -> None:
    code = issue(b"a" * 32, Period(start=NOW0, hours=24), now=NOW0)
    v = verify(b"b" * 32, code, NOW0 + 10)
    assert not v.valid and v.reason is ErrorCode.FORGED


def test_malformed_entries_are_refused_not_crashed() -> None:
    for digits in ["", "123", "12345678901", "abcdefghij", "１２３４５６７８９０", "9" * 12]:
        assert not verify(b"k" * 32, digits, NOW0).valid


def test_each_issued_code_is_unique_and_named_for_the_one_time_memory_A_TEMP() -> None:
    codes = {issue(b"k" * 32, OneTime(start=NOW0, code_id=i), now=NOW0) for i in range(10)}
    assert len(codes) == 10
    ids = {verify(b"k" * 32, c, NOW0 + 5).code_id for c in codes}
    assert len(ids) == 10


def test_code_book_is_the_cores_offline_checker_port() -> None:
    book = OfflineCodeBook(secret=b"k" * 32)
    code = issue(b"k" * 32, OneTime(start=NOW0), now=NOW0)
    verdict = book.check(code, NOW0 + 1)
    assert isinstance(verdict, OfflineVerdict) and verdict.valid and verdict.one_time
    assert book.check(code, NOW0 + 2 * 86400).reason == "expired"
