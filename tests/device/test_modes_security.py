"""Modes (§6), duress, mechanical key, lockout, tamper, pairing and reset (§3, §8).

Rules proved here (named in the tests' names): D-DURESS, D-LOCKOUT, D-MECH, D-MODE-ANTI,
D-MODE-ARM, D-MODE-PASS, D-MUTE, D-PAIR, D-RESET, D-TAMPER.
"""

from __future__ import annotations

import pytest

from smartlock.device.core.effects import (
    Alarm,
    AlarmKind,
    CommandResult,
    Led,
    PairingWindow,
    Prompt,
    SetLed,
)
from smartlock.device.core.inputs import (
    ArmKey,
    Bind,
    DoorSensor,
    FactoryReset,
    Handle,
    MechanicalKey,
    RemoteAction,
    SettingsKey,
    Tamper,
    UnlockButton,
)
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import DoorState, EventKind, Method

from .rig import MASTER_PIN, Rig, events, perceptible, prompts, retracts, unlocks


@pytest.fixture
def rig() -> Rig:
    r = Rig()
    r.first_master()
    r.add_user_with_pin("246810")  # user 002, normal
    return r


def test_anti_lock_refuses_normal_user_admits_master_D_MODE_ANTI(rig: Rig) -> None:
    out = rig.feed(UnlockButton(3.0))  # long press toggles it
    assert rig.core.settings.anti_lock and PromptId.ANTI_LOCK_ON in prompts(out)
    assert events(out, EventKind.MODE_CHANGED)
    before = rig.core.state.users
    out = rig.keys("246810#")
    assert unlocks(out) == [] and retracts(out) == 0
    assert PromptId.ANTI_LOCK_REFUSED in prompts(out)
    assert events(out, EventKind.UNLOCK_REFUSED)[0].user_no == 2
    assert rig.core.state.users == before
    assert [e.user_no for e in unlocks(rig.keys(f"{MASTER_PIN}#"))] == [1]
    assert unlocks(rig.feed(UnlockButton(0.2)))  # inside is unaffected
    rig.feed(UnlockButton(3.5))
    assert not rig.core.settings.anti_lock


def test_anti_lock_via_menu_3_2_1_D_MODE_ANTI(rig: Rig) -> None:
    rig.menu_login()
    rig.keys("321")
    assert rig.core.settings.anti_lock


def test_normally_open_mode_handle_opens_and_verification_ends_it_D_MODE_PASS(rig: Rig) -> None:
    rig.menu_login()
    out = rig.keys("322")
    assert rig.core.settings.normally_open and retracts(out) == 1
    rig.keys("***")
    rig.wait(30)
    assert rig.core.status().door is DoorState.UNLOCKED  # no relock in passage mode
    out = rig.feed(Handle())
    assert unlocks(out)[0].method is Method.HANDLE
    rig.feed(DoorSensor(True))
    out = rig.feed(DoorSensor(False))
    assert rig.core.status().door is DoorState.UNLOCKED  # the bolt stays back
    out = rig.keys("246810#")
    assert not rig.core.settings.normally_open
    assert PromptId.NORMALLY_OPEN_OFF in prompts(out)
    rig.wait(5)
    assert rig.core.status().door is DoorState.LOCKED


def test_armed_opening_from_inside_sounds_alarm_D_MODE_ARM(rig: Rig) -> None:
    out = rig.feed(ArmKey())
    assert rig.core.settings.armed and SetLed(Led.ARMED, True) in out
    rig.feed(UnlockButton(0.2))
    out = rig.feed(DoorSensor(True))
    assert Alarm(AlarmKind.INTRUSION, True) in out
    assert events(out, EventKind.INTRUSION)


def test_armed_needs_closed_door_and_outside_unlock_disarms_D_MODE_ARM(rig: Rig) -> None:
    rig.feed(UnlockButton(0.2), DoorSensor(True))
    assert PromptId.ARM_NEEDS_CLOSED_DOOR in prompts(rig.feed(ArmKey()))
    assert not rig.core.settings.armed
    rig.feed(DoorSensor(False))
    rig.feed(ArmKey())
    out = rig.keys("246810#")
    assert not rig.core.settings.armed and SetLed(Led.ARMED, False) in out
    assert Alarm(AlarmKind.INTRUSION, True) not in rig.feed(DoorSensor(True))


def test_mechanical_key_then_reverification_D_MECH(rig: Rig) -> None:
    out = rig.feed(MechanicalKey())
    assert events(out, EventKind.MECHANICAL_KEY) and unlocks(out)[0].method is Method.KEY
    assert rig.core.status().mech_pending
    assert PromptId.VERIFY_FIRST in prompts(rig.feed(ArmKey()))
    assert not rig.core.settings.armed
    assert rig.remote(RemoteAction.CHANGE_SETTING, name="remote_unlock", value=True).ok
    refused = rig.remote(RemoteAction.UNLOCK)
    assert (refused.ok, refused.code) == (False, "needs_verification")
    rig.wait(10)
    rig.keys("246810#")
    assert not rig.core.status().mech_pending
    rig.wait(10)
    rig.feed(ArmKey())
    assert rig.core.settings.armed


def test_duress_unlock_looks_and_sounds_like_a_normal_one_D_DURESS() -> None:
    normal, duress = Rig(), Rig()
    for r in (normal, duress):
        r.first_master()
    normal.add_user_with_pin("246810")  # user 002, plain password
    duress.add_user_with_pin("246810", duress=True)  # user 002, duress password
    a, b = normal.keys("246810#"), duress.keys("246810#")
    assert perceptible(a) == perceptible(b)
    assert events(a, EventKind.DURESS) == []
    [alarm] = events(b, EventKind.DURESS)
    assert alarm.user_no == 2
    assert [e.user_no for e in unlocks(b)] == [2]


def test_lockout_after_5_failures_with_time_left_D_LOCKOUT(rig: Rig) -> None:
    for _ in range(4):
        assert not events(rig.keys("999999#"), EventKind.LOCKOUT)
    out = rig.keys("999999#")
    assert events(out, EventKind.LOCKOUT)
    assert rig.core.locked_out
    assert unlocks(rig.keys(f"{MASTER_PIN}#")) == []  # even the right password
    rig.wait(61)
    woke = rig.keys("1")
    [left] = [e for e in woke if isinstance(e, Prompt) and e.prompt_id is PromptId.LOCKED_OUT]
    assert left.args["minutes"] == 2
    assert unlocks(rig.feed(UnlockButton(0.2)))  # the inside still works
    assert unlocks(rig.feed(MechanicalKey()))  # and the mechanical key
    rig.wait(120)
    assert events(rig.history, EventKind.LOCKOUT_ENDED)
    assert unlocks(rig.keys(f"*{MASTER_PIN}#"))


def test_failures_older_than_5_minutes_and_successes_reset_the_count_D_LOCKOUT(rig: Rig) -> None:
    for _ in range(4):
        rig.keys("999999#")
    rig.wait(301)
    rig.keys("999999#")
    assert not rig.core.locked_out
    for _ in range(3):
        rig.keys("999999#")
    rig.keys(f"{MASTER_PIN}#")
    rig.keys("999999#")  # 1 in a row after the success, 9 in the hour
    assert not rig.core.locked_out
    # ... but the hour remembers all of them: the 10th locks (D-LOCKOUT-LONG).
    out = rig.keys("999999#")
    assert rig.core.locked_out
    [locked] = events(out, EventKind.LOCKOUT)
    assert locked.details["rule"] == "D-LOCKOUT-LONG"


def test_tamper_sounds_alarm_and_alerts_even_when_muted_D_TAMPER_D_MUTE(rig: Rig) -> None:
    from smartlock.vocab import Source

    rig.core.change_setting("mute", True, source=Source.REMOTE)
    out = rig.feed(Tamper(True))
    assert Alarm(AlarmKind.TAMPER, True) in out and events(out, EventKind.TAMPER)
    assert prompts(rig.keys(f"{MASTER_PIN}#")) == []  # prompts silenced
    assert Alarm(AlarmKind.TAMPER, False) in rig.feed(Tamper(False))


def test_pairing_mode_binds_by_serial_and_code_for_3_minutes_D_PAIR(rig: Rig) -> None:
    out = rig.feed(SettingsKey(3.2))
    assert PromptId.PAIRING_MODE in prompts(out)
    [window] = [e for e in out if isinstance(e, PairingWindow)]
    assert window.until == rig.now + 180
    wrong = rig.feed(Bind("b1", "SL-TEST-0001", "WRONG", "owner@example"))
    assert CommandResult("b1", False, "bad_identity") in wrong and not rig.core.status().bound
    ok = rig.feed(Bind("b2", "SL-TEST-0001", "VC1234", "owner@example"))
    assert CommandResult("b2", True) in ok and rig.core.status().bound
    assert events(ok, EventKind.PAIRED)


def test_pairing_mode_ends_after_3_minutes_D_PAIR(rig: Rig) -> None:
    rig.feed(SettingsKey(3.0))
    rig.wait(180)
    out = rig.feed(Bind("b", "SL-TEST-0001", "VC1234", "owner@example"))
    assert CommandResult("b", False, "not_pairing") in out


def test_factory_reset_clears_everything_and_is_the_first_event_D_RESET(rig: Rig) -> None:
    rig.feed(SettingsKey(3.0))
    rig.feed(Bind("b", "SL-TEST-0001", "VC1234", "owner@example"))
    rig.feed(UnlockButton(3.0))
    seq_before = rig.core.state.next_seq
    out = rig.feed(FactoryReset())
    [reset] = events(out)
    assert reset.kind is EventKind.FACTORY_RESET and reset.seq == seq_before
    state = rig.core.state
    assert not state.users and not state.credentials and not state.temp_passwords
    assert state.binding is None and not state.settings.anti_lock
    assert unlocks(rig.keys(f"*{MASTER_PIN}#")) == []
    assert PromptId.ADD_MASTER_FIRST in prompts(rig.keys("#")) or rig.core.menu is not None


def test_repairing_from_menu_3_2_3_D_PAIR(rig: Rig) -> None:
    rig.menu_login()
    out = rig.keys("323")
    assert PromptId.PAIRING_MODE in prompts(out) and rig.core.status().pairing


def test_normally_open_survives_a_reboot_D_MODE_PASS(rig: Rig) -> None:
    from smartlock.device.core.inputs import BoltFeedback
    from smartlock.vocab import BoltState

    rig.remote(RemoteAction.SET_MODE, mode="normally_open", on=True)
    again = Rig.restored(rig.core.state, rig.now + 5)
    again.feed(BoltFeedback(BoltState.RETRACTED))
    again.wait(30)
    assert again.core.status().door is DoorState.UNLOCKED  # no relock: still in passage
