"""When a remote unlock may go ahead (A-REMOTE), written once for every layer.

The lock asks it of its own state before it unlocks; the cloud asks it of the state
the lock last reported, to refuse at once what the lock would refuse anyway. Both
answer with the same `ErrorCode`, so the app explains a refusal alike from either.
"""

from __future__ import annotations

from collections.abc import Mapping

from smartlock.errors import ErrorCode

REASONS: Mapping[ErrorCode, str] = {
    ErrorCode.REMOTE_UNLOCK_DISABLED: "remote unlock is off in the settings",
    ErrorCode.ANTI_LOCK_MODE: "anti-lock mode refuses remote unlock",
    ErrorCode.LOCKED_OUT: "the lock is locked out",
    ErrorCode.NEEDS_VERIFICATION: "verify at the lock after the mechanical key",
}


def unlock_refusal(
    *,
    remote_unlock: bool,
    anti_lock: bool,
    locked_out: bool,
    mech_pending: bool = False,
    from_ha: bool = False,
) -> ErrorCode | None:
    """The code refusing a remote unlock, or None when these facts allow it.

    `remote_unlock` is the owner's setting; a Home Assistant command (`from_ha`) needs
    the HA switch instead, checked by the caller. `mech_pending` is D-MECH: after the
    mechanical key someone must verify at the lock first (the lock does not report it,
    so the cloud leaves it False and the lock decides).
    """
    if not remote_unlock and not from_ha:
        return ErrorCode.REMOTE_UNLOCK_DISABLED
    if anti_lock:
        return ErrorCode.ANTI_LOCK_MODE
    if locked_out:
        return ErrorCode.LOCKED_OUT
    if mech_pending:
        return ErrorCode.NEEDS_VERIFICATION
    return None
