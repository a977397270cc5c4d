"""Issue 13, finding 2: the lockout could be evaded. D-LOCKOUT-LONG counts every
failure over a rolling hour, whatever succeeds in between, so no interleaving of
valid and invalid credentials gets more than the documented number of guesses.

Rules proved here (named in the tests' names): D-LOCKOUT, D-LOCKOUT-LONG.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from smartlock.device.core import lockout
from smartlock.device.core.records import LockoutState
from smartlock.vocab import EventKind

from .rig import MASTER_PIN, Rig, events

POLICY = lockout.DEFAULT
HOUR, DAY = POLICY.long_window_s, 86_400.0


def _most_in_any_window(times: Sequence[float], width: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_the_documented_bounds_D_LOCKOUT_LONG() -> None:
    """docs/security.md quotes these numbers."""
    assert (POLICY.long_limit, POLICY.long_window_s, POLICY.long_duration_s) == (10, 3600, 1800)
    assert POLICY.max_per_long_window() == 11
    assert POLICY.max_per_day() == 264


# One attempt: (seconds since the previous one, valid credential?).
attempts = st.lists(
    st.tuples(
        st.one_of(st.floats(0.0, 30.0), st.floats(30.0, 2000.0)),
        st.booleans(),
    ),
    min_size=1,
    max_size=600,
)


@settings(max_examples=300, deadline=None)
@given(attempts)
def test_no_interleaving_gets_more_guesses_than_the_bound_D_LOCKOUT_LONG(
    plan: list[tuple[float, bool]],
) -> None:
    """The pure rules as the core applies them: nothing is verified while locked out,
    a valid credential is `succeeded`, a wrong one `failed`, time ends lockouts."""
    state, now, guesses = LockoutState(), 0.0, []
    for gap, valid in plan:
        now += gap
        state, _ = lockout.expire(state, now)
        if lockout.remaining(state, now) > 0:
            continue  # refused unheard: no guess
        if valid:
            state = lockout.succeeded(state)
        else:
            guesses.append(now)
            state, _ = lockout.failed(state, now)
    assert _most_in_any_window(guesses, HOUR) <= POLICY.max_per_long_window()
    assert _most_in_any_window(guesses, DAY) <= POLICY.max_per_day()


@settings(max_examples=300, deadline=None)
@given(attempts)
def test_d_lockout_still_locks_five_in_a_row_within_five_minutes_D_LOCKOUT(
    plan: list[tuple[float, bool]],
) -> None:
    """The long rule adds to D-LOCKOUT, it does not replace it: 5 failures in a row
    within 5 minutes always start a lockout (of at least 3 minutes)."""
    state, now, row = LockoutState(), 0.0, []
    for gap, valid in plan:
        now += gap
        state, _ = lockout.expire(state, now)
        if lockout.remaining(state, now) > 0:
            continue
        if valid:
            state, row = lockout.succeeded(state), []
            continue
        row = [t for t in row if now - t < POLICY.window_s] + [now]
        state, started = lockout.failed(state, now)
        if len(row) >= POLICY.limit:
            # (until - now) can round to 179.99999999999997: compare within a microsecond
            assert started is not None
            assert lockout.remaining(state, now) >= POLICY.duration_s - 1e-6
            row = []
        elif started is not None:
            row = []


# The real core: (seconds of waiting, what is typed) with a valid code among them.
ENTRIES = st.sampled_from(["999999#", "13579135791357913579#", f"{MASTER_PIN}#"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 2.0, 20.0, 70.0, 400.0]), ENTRIES), max_size=120))
def test_the_lock_itself_never_verifies_more_wrong_entries_than_the_bound_D_LOCKOUT_LONG(
    plan: list[tuple[float, str]],
) -> None:
    rig = Rig()
    rig.first_master()
    for wait, typed in plan:
        if wait:
            rig.wait(wait, step=min(wait, 10.0))
        rig.keys(typed)
    wrong = [e.at for e in events(rig.history, EventKind.UNLOCK_FAILED)]
    assert _most_in_any_window(wrong, HOUR) <= POLICY.max_per_long_window()


def test_valid_code_interleaved_with_long_guesses_locks_issue13_finding2_D_LOCKOUT_LONG() -> None:
    """The finding: 16 wrong 20-digit entries in 29 s with a valid code between every
    four gave 0 lockouts. Now the 10th wrong one locks for 30 minutes and alerts."""
    rig = Rig()
    rig.first_master()
    start = len(rig.history)
    for n in range(16):
        if n % 4 == 3:
            rig.keys(f"{MASTER_PIN}#")
        rig.keys("13579135791357913579#")
        rig.wait(1.8, step=1.8)
    new = rig.history[start:]
    assert len(events(new, EventKind.UNLOCK_FAILED)) == 10
    [locked] = events(new, EventKind.LOCKOUT)
    assert locked.details["rule"] == "D-LOCKOUT-LONG"
    assert locked.details["reason"] == "repeated_wrong_codes"
    assert locked.details["until"] - locked.at == POLICY.long_duration_s
    assert rig.core.locked_out


def test_four_wrong_codes_every_five_minutes_lock_issue13_finding2_D_LOCKOUT_LONG() -> None:
    """The finding: 4 wrong tries every 5 minutes never locked and never alerted."""
    rig = Rig()
    rig.first_master()
    for _ in range(3):
        for _ in range(4):
            rig.keys("999999#")
        rig.wait(301, step=30)
    [locked] = events(rig.history, EventKind.LOCKOUT)
    assert locked.details["rule"] == "D-LOCKOUT-LONG"
    assert len(events(rig.history, EventKind.UNLOCK_FAILED)) == 10
    # After the 30 minutes the hour still holds 10 failures: one more locks again.
    rig.wait(POLICY.long_duration_s, step=60)
    assert not rig.core.locked_out
    rig.keys("*999999#")
    assert rig.core.locked_out
    assert len(events(rig.history, EventKind.LOCKOUT)) == 2


def test_the_hourly_count_survives_a_restart_D_LOCKOUT_LONG() -> None:
    rig = Rig()
    rig.first_master()
    for _ in range(9):
        rig.keys("999999#")
        rig.keys(f"{MASTER_PIN}#")
    again = Rig.restored(rig.core.state, rig.now)
    again.keys("*999999#")
    assert again.core.locked_out
