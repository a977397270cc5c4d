"""Keypad entry, virtual passwords, the bolt and the door (D-KEY-*, D-BOLT, D-AJAR, D-OPEN-IN).

Rules proved here (named in the tests' names): D-BATT-CRIT, D-BATT-LOW, D-BATT-USB, D-FACE-WIN,
D-KEY-PIN, D-KEY-SHOW, D-KEY-WAKE, D-LOCKOUT, D-MODE-VIRT.
"""

from __future__ import annotations

import pytest

from smartlock.device.core.effects import Alarm, AlarmKind, Display, FaceWatch, Led, SetLed
from smartlock.device.core.inputs import BatteryLevel, DoorSensor, Knob, UnlockButton
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import DoorState, EventKind, Method, Source

from .rig import MASTER_PIN, Rig, events, prompts, retracts, unlocks


@pytest.fixture
def rig() -> Rig:
    r = Rig()
    r.first_master()
    return r


def test_keypad_touch_wakes_and_starts_face_watch_D_KEY_WAKE(rig: Rig) -> None:
    rig.wait(31)  # keypad asleep after 10 s, face window over after 30 s
    assert rig.core.awake_until is None
    out = rig.keys("5")
    assert SetLed(Led.KEYPAD, True) in out and FaceWatch(True) in out


@pytest.mark.parametrize(
    ("typed", "opens"),
    [
        (f"{MASTER_PIN}#", True),
        (f"9876{MASTER_PIN}0011#", True),  # D-KEY-VIRTUAL padding
        ("9999999999999912345#", False),  # only part of the password
        (f"11111111111111{MASTER_PIN}#", True),  # exactly 20 digits
        (f"111111111111111{MASTER_PIN}#", False),  # 21 digits
        ("12345#", False),
        (f"12*{MASTER_PIN}#", True),  # * clears what was before
        (f"{MASTER_PIN}*#", False),
    ],
)
def test_password_entry_D_KEY_PIN_D_KEY_VIRTUAL(rig: Rig, typed: str, opens: bool) -> None:
    out = rig.keys(typed)
    assert bool(unlocks(out)) is opens
    if not opens and typed.endswith("#") and not typed.endswith("*#"):
        assert events(out, EventKind.UNLOCK_FAILED)


def test_idle_entry_is_discarded_after_10_s_D_KEY_PIN(rig: Rig) -> None:
    rig.keys(MASTER_PIN[:3])
    rig.wait(10)
    assert unlocks(rig.keys(MASTER_PIN[3:] + "#")) == []
    rig.keys(MASTER_PIN[:3])
    rig.wait(9)
    assert unlocks(rig.keys(MASTER_PIN[3:] + "#"))


def test_display_shows_user_number_after_unlock_D_KEY_SHOW(rig: Rig) -> None:
    rig.add_user_with_pin("246810")
    out = rig.keys("246810#")
    assert Display("002") in out
    assert PromptId.UNLOCKED in prompts(out)


def test_relock_after_5_s_if_door_not_opened_D_BOLT(rig: Rig) -> None:
    out = rig.keys(f"{MASTER_PIN}#")
    assert retracts(out) == 1
    assert rig.core.status().door is DoorState.UNLOCKED
    rig.wait(4)
    assert rig.core.status().door is DoorState.UNLOCKED
    out = rig.wait(1)
    assert events(out, EventKind.RELOCKED) and events(out, EventKind.LOCKED)
    assert rig.core.status().door is DoorState.LOCKED


def test_door_close_throws_bolt_and_reports_locked_D_BOLT(rig: Rig) -> None:
    rig.keys(f"{MASTER_PIN}#")
    rig.feed(DoorSensor(True))
    rig.wait(30)
    assert rig.core.status().door is DoorState.OPEN
    out = rig.feed(DoorSensor(False))
    assert PromptId.LOCKED in prompts(out)
    assert rig.core.status().door is DoorState.LOCKED
    assert events(out, EventKind.LOCKED)


def test_door_open_over_60_s_alerts_and_beeps_D_AJAR(rig: Rig) -> None:
    rig.keys(f"{MASTER_PIN}#")
    rig.feed(DoorSensor(True))
    assert not events(rig.wait(60), EventKind.DOOR_AJAR)
    out = rig.wait(1)
    assert events(out, EventKind.DOOR_AJAR)
    assert Alarm(AlarmKind.DOOR_AJAR, True) in out
    assert rig.core.status().door is DoorState.AJAR
    assert Alarm(AlarmKind.DOOR_AJAR, False) in rig.feed(DoorSensor(False))


def test_jammed_bolt_alerts_and_beeps_D_AJAR(rig: Rig) -> None:
    rig.keys(f"{MASTER_PIN}#")
    rig.feed(DoorSensor(True))
    rig.jam = True
    out = rig.feed(DoorSensor(False))
    assert events(out, EventKind.JAMMED)
    assert Alarm(AlarmKind.JAMMED, True) in out
    assert rig.core.status().door is DoorState.JAMMED


def test_bolt_not_thrown_reports_virtually_locked_D_MODE_VIRT(rig: Rig) -> None:
    from smartlock.device.core.inputs import BoltFeedback
    from smartlock.vocab import BoltState

    rig.keys(f"{MASTER_PIN}#")
    rig.feed(DoorSensor(True))
    rig.bolt_reply = False
    rig.feed(DoorSensor(False))
    out = rig.feed(BoltFeedback(BoltState.RETRACTED))
    assert events(out, EventKind.VIRTUALLY_LOCKED)
    assert rig.core.status().door is DoorState.VIRTUALLY_LOCKED


def test_inside_button_and_knob_open_D_OPEN_IN(rig: Rig) -> None:
    out = rig.feed(UnlockButton(0.2))
    assert unlocks(out)[0].method is Method.BUTTON and retracts(out) == 1
    out = rig.feed(Knob())
    assert unlocks(out)[0].source is Source.MANUAL


def test_double_press_to_open_needs_two_presses_within_2_s_D_OPEN_IN(rig: Rig) -> None:
    rig.core.change_setting("double_press_to_open", True, source=Source.REMOTE)
    assert unlocks(rig.feed(UnlockButton(0.2))) == []
    rig.wait(3)
    assert unlocks(rig.feed(UnlockButton(0.2))) == []
    rig.wait(1)
    assert unlocks(rig.feed(UnlockButton(0.2)))


def test_low_battery_led_and_prompt_on_unlock_D_BATT_LOW(rig: Rig) -> None:
    out = rig.feed(BatteryLevel(19))
    assert SetLed(Led.LOW_BATTERY, True) in out
    assert events(out, EventKind.LOW_BATTERY)
    assert not events(rig.feed(BatteryLevel(18)), EventKind.LOW_BATTERY)  # same 5 % band
    assert events(rig.feed(BatteryLevel(14)), EventKind.LOW_BATTERY)
    assert PromptId.BATTERY_LOW in prompts(rig.keys(f"{MASTER_PIN}#"))


def test_low_battery_power_save_no_auto_face_window_D_BATT_LOW(rig: Rig) -> None:
    rig.feed(BatteryLevel(10))
    rig.keys(f"{MASTER_PIN}#")
    rig.feed(DoorSensor(True))
    rig.wait(15)
    rig.feed(DoorSensor(False))
    assert FaceWatch(True) not in rig.wait(5)
    assert FaceWatch(True) in rig.keys("1")


def test_critical_battery_goes_offline_passwords_still_work_D_BATT_CRIT_D_BATT_USB(
    rig: Rig,
) -> None:
    from smartlock.device.core.effects import Radio
    from smartlock.device.core.inputs import Network, UsbPower

    rig.feed(Network(True))
    assert rig.core.status().online
    out = rig.feed(BatteryLevel(4))
    assert Radio(False) in out and events(out, EventKind.CRITICAL_BATTERY)
    assert not rig.core.status().online
    assert unlocks(rig.keys(f"{MASTER_PIN}#"))
    assert Radio(True) in rig.feed(UsbPower(True))
    assert rig.core.status().online


def test_unlocked_is_said_only_once_the_bolt_is_back_D_BOLT_D_AJAR(rig: Rig) -> None:
    rig.jam = True
    out = rig.keys(f"{MASTER_PIN}#")
    assert PromptId.UNLOCKED not in prompts(out)
    assert PromptId.DOOR_NOT_CLOSED in prompts(out) and events(out, EventKind.JAMMED)
    assert rig.core.status().door is DoorState.JAMMED
    rig.jam = False
    rig.wait(10)
    assert PromptId.UNLOCKED in prompts(rig.keys(f"{MASTER_PIN}#"))


def test_no_face_window_while_locked_out_D_LOCKOUT_D_FACE_WIN(rig: Rig) -> None:
    rig.feed(UnlockButton(0.2), DoorSensor(True))
    for _ in range(5):
        rig.keys("999999#")
    assert rig.core.locked_out
    rig.feed(DoorSensor(False))
    assert FaceWatch(True) not in rig.wait(5) + rig.keys("1")
