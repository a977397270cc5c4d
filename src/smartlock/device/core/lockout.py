"""D-LOCKOUT and D-LOCKOUT-LONG: how many wrong guesses the outside gets.

- D-LOCKOUT: 5 failures in a row within 5 minutes lock keypad and face for 3 minutes;
  a success resets this count.
- D-LOCKOUT-LONG (issue 13): every failure is also counted over a rolling hour that
  no success resets and no lockout clears; the 10th failure within an hour locks for
  30 minutes and the journal says why (`rule`, `reason: repeated_wrong_codes`), which
  alerts the app. So a visitor interleaving a valid code with guesses, or someone
  trying 4 codes every 5 minutes, gets at most 11 failed entries in any hour and
  264 in any day (tests/device/test_lockout_long.py proves it for every interleaving).

Pure functions over `LockoutState` (durable, so a battery pull does not end it). The
numbers are a `LockoutPolicy` fixed in the firmware, not a user setting: an account
taken over must not be able to loosen the keypad's guess limit from the app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from smartlock.device.core.records import LockoutState

LIMIT = 5
WINDOW_S = 300.0
DURATION_S = 180.0

SHORT_RULE = "D-LOCKOUT"
LONG_RULE = "D-LOCKOUT-LONG"
LONG_REASON = "repeated_wrong_codes"


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """The two rules' numbers (docs/security.md; defaults are the spec's)."""

    limit: int = LIMIT
    window_s: float = WINDOW_S
    duration_s: float = DURATION_S
    long_limit: int = 10
    long_window_s: float = 3600.0
    long_duration_s: float = 1800.0

    def max_per_long_window(self) -> int:
        """The most failed entries any `long_window_s` can hold (see `failed`)."""
        per_lock = max(1, math.ceil(self.long_window_s / self.long_duration_s))
        return self.long_limit + per_lock - 1

    def max_per_day(self) -> int:
        """The most failed entries any 24 hours can hold."""
        return math.ceil(86_400 / self.long_window_s) * self.max_per_long_window()


DEFAULT = LockoutPolicy()


def remaining(state: LockoutState, now: float) -> float:
    """Seconds of lockout left (0 when not locked out)."""
    return 0.0 if state.until is None else max(0.0, state.until - now)


def minutes_left(state: LockoutState, now: float) -> int:
    """What the wake announcement says: whole minutes, rounded up."""
    return math.ceil(remaining(state, now) / 60)


def failed(
    state: LockoutState, now: float, policy: LockoutPolicy = DEFAULT
) -> tuple[LockoutState, str | None]:
    """Count one failure; the rule id when this one starts a lockout, else None.

    The hourly count keeps every failure of the last `long_window_s`, so once 9 are
    there each further failure locks again: in any window of that length the 10th
    failure locks for `long_duration_s`, and so does each one after it.
    """
    long = (*(t for t in state.recent if now - t < policy.long_window_s), now)
    if len(long) >= policy.long_limit:
        until = max(now + policy.long_duration_s, state.until or 0.0)
        return LockoutState(failures=(), until=until, recent=long), LONG_RULE
    recent = (*(t for t in state.failures if now - t < policy.window_s), now)
    if len(recent) >= policy.limit:
        until = max(now + policy.duration_s, state.until or 0.0)
        return LockoutState(failures=(), until=until, recent=long), SHORT_RULE
    return LockoutState(failures=recent, until=state.until, recent=long), None


def details(rule: str) -> dict[str, Any]:
    """What the LOCKOUT journal event carries about its rule (the app's alert)."""
    if rule == LONG_RULE:
        return {"rule": rule, "reason": LONG_REASON}
    return {"rule": rule}


def succeeded(state: LockoutState) -> LockoutState:
    """A success resets the in-a-row count only (it cannot happen while locked out)."""
    return LockoutState(failures=(), until=state.until, recent=state.recent)


def expire(state: LockoutState, now: float) -> tuple[LockoutState, bool]:
    """End a lockout whose time is up; True when one just ended. The hourly count
    stays (D-LOCKOUT-LONG).
    """
    if state.until is not None and now >= state.until:
        return LockoutState(failures=(), until=None, recent=state.recent), True
    return state, False
