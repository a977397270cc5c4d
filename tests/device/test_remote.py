"""Cloud commands (A-REMOTE, A-USERS, A-TEMP, A-SETTINGS) and schedule/disposable users.

Rules proved here (named in the tests' names): D-LOCKOUT, D-MODE-ANTI, D-USER-6, D-USER-7.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from smartlock.device.core import LockCore
from smartlock.device.core.effects import CommandResult
from smartlock.device.core.inputs import RemoteAction, RemoteCommand, UnlockButton
from smartlock.device.core.ports import OfflineVerdict
from smartlock.device.core.records import Identity
from smartlock.device.core.reference_matcher import EuclideanMatcher
from smartlock.errors import InputError
from smartlock.vocab import EventKind, Method

from .rig import MASTER_PIN, SECRET, T0, Rig, events, retracts, unlocks

A = RemoteAction


@pytest.fixture
def rig() -> Rig:
    r = Rig()
    r.first_master()
    r.add_user_with_pin("246810")
    return r


def test_remote_unlock_only_when_enabled_A_REMOTE(rig: Rig) -> None:
    refused = rig.remote(A.UNLOCK)
    assert (refused.ok, refused.code) == (False, "remote_unlock_disabled")
    assert rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=True).ok
    out = rig.feed(RemoteCommand("u1", A.UNLOCK, {"by": "alice"}))
    assert CommandResult("u1", True) in out and retracts(out) == 1
    assert unlocks(out)[0].method is Method.REMOTE


@pytest.mark.parametrize("blocker", ["anti_lock", "lockout"])
def test_remote_unlock_refused_in_anti_lock_and_lockout_A_REMOTE_D_MODE_ANTI(
    rig: Rig, blocker: str
) -> None:
    rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=True)
    if blocker == "anti_lock":
        rig.feed(UnlockButton(3.0))
    else:
        for _ in range(5):
            rig.keys("999999#")
    before = rig.core.state.replace(next_seq=0, recent_requests=())
    result = rig.remote(A.UNLOCK)
    assert not result.ok and result.code in ("anti_lock_mode", "locked_out")
    assert rig.core.state.replace(next_seq=0, recent_requests=()) == before


def test_a_command_twice_or_late_does_nothing_A_REMOTE(rig: Rig) -> None:
    rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=True)
    assert rig.remote(A.UNLOCK, request_id="same").ok
    rig.wait(10)
    again = rig.remote(A.UNLOCK, request_id="same")
    assert (again.ok, again.code) == (False, "duplicate_request")
    late = rig.feed(RemoteCommand("late", A.UNLOCK, {}, expires_at=rig.now - 1))
    assert CommandResult("late", False, "expired_request") in late and not unlocks(late)


def test_refused_command_leaves_state_unchanged_and_is_answered(rig: Rig) -> None:
    before = rig.core.state
    result = rig.remote(A.SET_PASSWORD, user_no=2, digits=MASTER_PIN)
    assert (result.ok, result.code) == (False, "duplicate_password")
    assert rig.core.state.credentials == before.credentials
    assert events(rig.history, EventKind.REMOTE_COMMAND)[-1].details["ok"] is False


def test_bad_command_input_is_a_clear_error_not_a_crash() -> None:
    with pytest.raises(InputError, match="unknown action"):
        RemoteCommand("x", "fly", {})  # type: ignore[arg-type]
    rig = Rig()
    rig.first_master()
    result = rig.remote(A.SET_PASSWORD, user_no="two", digits="1")
    assert (result.ok, result.code) == (False, "bad_input")


def test_app_sets_and_replaces_a_password_hashed_A_USERS_D_USER_7(rig: Rig) -> None:
    result = rig.remote(A.SET_PASSWORD, user_no=2, digits="55555555")
    assert result.ok
    assert unlocks(rig.keys("246810#")) == []
    assert unlocks(rig.keys("55555555#"))
    for cred in rig.core.state.credentials.values():
        assert cred.secret_hash is None or b"55555555" not in cred.secret_hash


def test_app_may_remove_a_master_while_another_remains_D_USER_6(rig: Rig) -> None:
    added = rig.remote(A.ADD_USER, user_type="master")
    assert added.ok
    master2 = added.data["user_no"]
    assert rig.remote(A.DEREGISTER_USER, user_no=1).ok
    last = rig.remote(A.DEREGISTER_USER, user_no=master2)
    assert (last.ok, last.code) == (False, "last_master")


def test_app_deletes_a_credential_A_USERS(rig: Rig) -> None:
    [cred] = rig.core.users()[1].credentials
    assert rig.remote(A.DELETE_CREDENTIAL, user_no=2, cred_id=cred.cred_id).ok
    assert unlocks(rig.keys("246810#")) == []
    wrong_user = rig.remote(A.DELETE_CREDENTIAL, user_no=2, cred_id=1)
    assert (wrong_user.ok, wrong_user.code) == (False, "unknown_credential")


def test_temp_password_exact_uses_counted_A_TEMP(rig: Rig) -> None:
    assert rig.remote(
        A.ADD_TEMP_PASSWORD,
        temp_id="t1",
        code="8642097",
        valid_from=T0,
        valid_to=T0 + 3600,
        max_uses=2,
    ).ok
    assert unlocks(rig.keys("18642097#")) == []  # no virtual padding
    out = rig.keys("8642097#")
    assert unlocks(out)[0].method is Method.TEMP_PASSWORD and unlocks(out)[0].details["uses"] == 1
    assert unlocks(rig.keys("8642097#"))
    assert unlocks(rig.keys("8642097#")) == []  # used up
    assert rig.core.state.temp_passwords["t1"].uses == 2


def test_temp_password_validity_window_and_revoke_A_TEMP(rig: Rig) -> None:
    rig.remote(
        A.ADD_TEMP_PASSWORD, temp_id="t", code="8642097", valid_from=T0 + 100, valid_to=T0 + 200
    )
    assert unlocks(rig.keys("8642097#")) == []
    rig.wait(100, step=10)
    assert unlocks(rig.keys("8642097#"))
    assert rig.remote(A.REVOKE_TEMP_PASSWORD, temp_id="t").ok
    assert unlocks(rig.keys("8642097#")) == []


def test_temp_password_refused_in_anti_lock_mode_A_TEMP_D_MODE_ANTI(rig: Rig) -> None:
    rig.remote(A.ADD_TEMP_PASSWORD, temp_id="t", code="8642097", valid_from=T0, valid_to=T0 + 99)
    rig.feed(UnlockButton(3.0))
    out = rig.keys("8642097#")
    assert unlocks(out) == [] and events(out, EventKind.UNLOCK_REFUSED)


@dataclass
class FakeOfflineCodes:
    """An offline-code checker: '4444' + id digits is a one-time code, '5555...' reusable."""

    asked: list[str] = field(default_factory=list)

    def check(self, digits: str, now: float) -> OfflineVerdict:
        self.asked.append(digits)
        if digits.startswith("4444") and len(digits) == 8:
            return OfflineVerdict(True, digits[4:], one_time=True)
        if digits.startswith("5555") and len(digits) == 8:
            return OfflineVerdict(True, digits[4:], one_time=False)
        return OfflineVerdict(False, reason="bad_code")


def test_offline_one_time_code_cannot_be_reused_A_TEMP() -> None:
    codes = FakeOfflineCodes()
    core = LockCore.new(
        Identity("SL", "VC"), SECRET, matcher=EuclideanMatcher(), offline_codes=codes
    )
    rig = Rig(core)
    rig.first_master()
    out = rig.keys("44440001#")
    assert unlocks(out)[0].method is Method.OFFLINE_CODE
    assert "0001" in rig.core.state.used_offline_ids
    rig.wait(10)
    assert unlocks(rig.keys("44440001#")) == []
    assert unlocks(rig.keys("55550002#")) and unlocks(rig.keys("55550002#"))
    assert f"{MASTER_PIN}" not in codes.asked  # a matching PIN never reaches the checker
    for _ in range(4):
        rig.keys("12121212#")
    assert not rig.core.locked_out
    rig.keys("44440001#")  # the reused one-time code is the fifth failure
    assert rig.core.locked_out  # wrong codes count toward the lockout


def test_scheduled_user_only_inside_the_window(rig: Rig) -> None:
    # T0 is Tuesday 22:13 UTC; allow Tuesdays 22:00-23:00 only.
    added = rig.remote(
        A.ADD_USER,
        user_type="scheduled",
        schedules=[{"kind": "week_day", "days": [1], "start_min": 22 * 60, "end_min": 23 * 60}],
    )
    number = added.data["user_no"]
    rig.remote(A.SET_PASSWORD, user_no=number, digits="7777777")
    assert unlocks(rig.keys("7777777#"))
    rig.wait(3600, step=60)
    out = rig.keys("7777777#")
    assert (
        unlocks(out) == []
        and events(out, EventKind.UNLOCK_REFUSED)[0].details["reason"] == "schedule"
    )


def test_disposable_user_opens_once_and_disabled_user_never(rig: Rig) -> None:
    number = rig.remote(A.ADD_USER, user_type="disposable").data["user_no"]
    rig.remote(A.SET_PASSWORD, user_no=number, digits="7777777")
    assert unlocks(rig.keys("7777777#"))
    rig.wait(10)
    assert unlocks(rig.keys("7777777#")) == []
    assert rig.remote(A.SET_USER_ENABLED, user_no=2, enabled=False).ok
    assert unlocks(rig.keys("246810#")) == []


def test_unbind_and_mode_commands_A_SETTINGS(rig: Rig) -> None:
    assert rig.remote(A.SET_MODE, mode="armed", on=True).ok
    assert rig.core.settings.armed
    assert rig.remote(A.SET_MODE, mode="armed", on=False).ok
    bad = rig.remote(A.SET_MODE, mode="party", on=True)
    assert (bad.ok, bad.code) == (False, "bad_input")
    nb = rig.remote(A.UNBIND)
    assert (nb.ok, nb.code) == (False, "not_bound")


def test_remote_lock_throws_the_bolt(rig: Rig) -> None:
    rig.keys(f"{MASTER_PIN}#")
    assert rig.remote(A.LOCK).ok
    assert rig.core.status().door.value == "locked"


def test_app_lists_temp_passwords_with_uses_not_codes_A_TEMP(rig: Rig) -> None:
    rig.remote(
        A.ADD_TEMP_PASSWORD,
        temp_id="t",
        code="8642097",
        valid_from=T0,
        valid_to=T0 + 60,
        max_uses=1,
    )
    rig.keys("8642097#")
    [view] = rig.core.temp_passwords()
    assert (view["uses"], view["max_uses"], view["usable"]) == (1, 1, False)
    assert "8642097" not in str(view)


def test_remote_unlock_with_a_code_names_the_user_A_REMOTE_A_HA(rig: Rig) -> None:
    """Home Assistant's lock card sends the code typed there: it must be a user's password."""
    rig.remote(A.CHANGE_SETTING, name="ha_control", value=True)
    out = rig.feed(RemoteCommand("ha1", A.UNLOCK, {"code": "246810", "origin": "home_assistant"}))
    assert CommandResult("ha1", True, None, {"user_no": 2}) in out
    assert retracts(out) == 1 and unlocks(out)[0].user_no == 2


def test_home_assistant_needs_the_owners_switch_not_remote_unlock_A_HA(rig: Rig) -> None:
    """A-HA: "Home Assistant may lock and unlock" (off by default) is its own switch."""
    ha = {"origin": "home_assistant"}
    rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=True)  # the app's, not HA's
    for n, action in enumerate((A.UNLOCK, A.LOCK)):
        out = rig.feed(RemoteCommand(f"off{n}", action, {**ha, "code": "246810"}))
        assert CommandResult(f"off{n}", False, "ha_control_disabled") in out
        assert retracts(out) == 0
    rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=False)
    rig.remote(A.CHANGE_SETTING, name="ha_control", value=True)
    # The owner asks for a password by default: none given is refused, not counted.
    out = rig.feed(RemoteCommand("nocode", A.UNLOCK, ha))
    assert CommandResult("nocode", False, "code_required") in out and retracts(out) == 0
    assert rig.core.state.lockout.failures == ()
    # With the owner's "no password" choice it opens without one; locking never needs one.
    rig.remote(A.CHANGE_SETTING, name="ha_unlock_code", value=False)
    out = rig.feed(RemoteCommand("open", A.UNLOCK, ha))
    assert CommandResult("open", True, None, {}) in out and retracts(out) == 1
    assert CommandResult("shut", True, None, {}) in rig.feed(RemoteCommand("shut", A.LOCK, ha))
    # And the app's remote unlock stays off: the switches are independent.
    app = rig.remote(A.UNLOCK)
    assert (app.ok, app.code) == (False, "remote_unlock_disabled")


def test_wrong_remote_codes_count_toward_lockout_A_REMOTE_D_LOCKOUT(rig: Rig) -> None:
    """A wrong code is refused, opens nothing, and five of them lock the keypad out."""
    rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=True)
    for i in range(5):
        out = rig.feed(RemoteCommand(f"bad{i}", A.UNLOCK, {"code": "1357913"}))
        assert CommandResult(f"bad{i}", False, "wrong_code") in out and retracts(out) == 0
    assert rig.core.locked_out
    assert any(e.kind is EventKind.LOCKOUT for e in events(out))
    # Even the right code now waits for the lockout to end.
    right = rig.remote(A.UNLOCK, code="246810")
    assert (right.ok, right.code) == (False, "locked_out")


def test_used_one_time_offline_ids_are_forgotten_once_their_window_passed_A_TEMP() -> None:
    """The lock keeps used one-time ids only while their code could still be typed."""
    from smartlock.device.core.offline_codes import OfflineCodeBook, OneTime, issue

    secret = b"k" * 32
    book = OfflineCodeBook(secret, 0)
    core = LockCore.new(
        Identity("SL", "VC"), SECRET, matcher=EuclideanMatcher(), offline_codes=book
    )
    rig = Rig(core)
    rig.first_master()
    first = issue(secret, OneTime(start=rig.now, code_id=1), now=rig.now)
    assert unlocks(rig.keys(f"{first}#"))
    (old_id,) = rig.core.state.used_offline_ids
    rig.wait(25 * 3600, step=600)  # past the first code's 24 h window
    second = issue(secret, OneTime(start=rig.now, code_id=2), now=rig.now)
    assert unlocks(rig.keys(f"{second}#"))
    assert old_id not in rig.core.state.used_offline_ids
    assert len(rig.core.state.used_offline_ids) == 1
    assert unlocks(rig.keys(f"{first}#")) == []  # expired all the same
