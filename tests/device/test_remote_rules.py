"""A-REMOTE: the remote-unlock preconditions, one function for the lock and the cloud."""

from __future__ import annotations

import itertools

from smartlock.device.core.remote_rules import REASONS, unlock_refusal
from smartlock.errors import ErrorCode


def test_each_fact_refuses_with_its_own_code_in_a_fixed_order_A_REMOTE() -> None:
    for enabled, anti, out, mech, ha in itertools.product([False, True], repeat=5):
        got = unlock_refusal(
            remote_unlock=enabled, anti_lock=anti, locked_out=out, mech_pending=mech, from_ha=ha
        )
        if not (enabled or ha):
            assert got is ErrorCode.REMOTE_UNLOCK_DISABLED
        elif anti:
            assert got is ErrorCode.ANTI_LOCK_MODE
        elif out:
            assert got is ErrorCode.LOCKED_OUT
        elif mech:
            assert got is ErrorCode.NEEDS_VERIFICATION
        else:
            assert got is None
        assert got is None or got in REASONS
