"""D-LOCKOUT: 5 failures in a row within 5 minutes lock keypad and face for 3 minutes.

Pure functions over `LockoutState` (durable, so a battery pull does not end it).
"""

from __future__ import annotations

import math

from smartlock.device.records import LockoutState

LIMIT = 5
WINDOW_S = 300.0
DURATION_S = 180.0


def remaining(state: LockoutState, now: float) -> float:
    """Seconds of lockout left (0 when not locked out)."""
    return 0.0 if state.until is None else max(0.0, state.until - now)


def minutes_left(state: LockoutState, now: float) -> int:
    """What the wake announcement says: whole minutes, rounded up."""
    return math.ceil(remaining(state, now) / 60)


def failed(state: LockoutState, now: float) -> tuple[LockoutState, bool]:
    """Count one failure; True when this one starts a lockout."""
    recent = (*(t for t in state.failures if now - t < WINDOW_S), now)
    if len(recent) >= LIMIT:
        return LockoutState(failures=(), until=now + DURATION_S), True
    return LockoutState(failures=recent, until=state.until), False


def succeeded(state: LockoutState) -> LockoutState:
    """A success resets the count (it cannot happen while locked out)."""
    return LockoutState(failures=(), until=state.until)


def expire(state: LockoutState, now: float) -> tuple[LockoutState, bool]:
    """End a lockout whose time is up; True when one just ended."""
    if state.until is not None and now >= state.until:
        return LockoutState(failures=(), until=None), True
    return state, False
