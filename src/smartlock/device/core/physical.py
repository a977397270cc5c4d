"""The lock's own parts: door sensor, bolt, inside button, knob, key, handle, arm key,
doorbell, tamper switch, settings key and power (D-BOLT, D-AJAR, D-OPEN-IN, D-MECH,
D-MODE-ARM, D-TAMPER, D-BATT-*).
"""

from __future__ import annotations

from smartlock.device.core import door, lifecycle, lockout
from smartlock.device.core.context import LockContext
from smartlock.device.core.door import DoorEvent, Phase
from smartlock.device.core.effects import (
    AlarmKind,
    Chime,
    FaceWatch,
    Led,
    Radio,
    SetLed,
    TakeSnapshot,
)
from smartlock.device.core.inputs import (
    ArmKey,
    BatteryLevel,
    BoltFeedback,
    DoorbellKey,
    DoorSensor,
    Handle,
    Knob,
    MechanicalKey,
    Network,
    SettingsKey,
    Tamper,
    UnlockButton,
    UsbPower,
)
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import (
    BoltState,
    EventKind,
    Method,
    Source,
)

HOLD_S = 3.0  # settings key -> pairing; unlock button -> anti-lock
DOUBLE_PRESS_S = 2.0  # D-OPEN-IN
MENU_AUTH_S = 30.0  # waiting for a master to verify after the settings key
LOW_BATTERY = 20  # D-BATT-LOW
CRITICAL_BATTERY = 5  # D-BATT-CRIT


def on_door(core: LockContext, inp: DoorSensor) -> None:
    if inp.is_open == core.door_open:
        return
    core.change(door_open=inp.is_open)
    if inp.is_open:
        core.change(opened_at=core.now)
        core.door_event(DoorEvent.DOOR_OPENED)
        if core.face.door_opened() is not None:
            core.emit(FaceWatch(False))
        core.log(EventKind.DOOR_OPENED, source=Source.MANUAL)
        if core.state.settings.armed:  # D-MODE-ARM: opened without an outside unlock
            core.log(EventKind.INTRUSION, source=Source.MANUAL)
            core.alarm(AlarmKind.INTRUSION, True)
        return
    core.change(opened_at=None)
    core.change(ajar_alerted=False)
    core.alarm(AlarmKind.DOOR_AJAR, False)
    core.door_event(DoorEvent.DOOR_CLOSED)
    core.face.door_closed(core.now, auto_watch=not core.power_save and not core.locked_out)
    core.log(EventKind.DOOR_CLOSED, source=Source.MANUAL)


def on_bolt(core: LockContext, inp: BoltFeedback) -> None:
    before = core.phase
    core.change(bolt=inp.state)
    if core.unlock_prompt_pending:
        if inp.state is BoltState.RETRACTED:
            core.announce_unlocked()
        core.change(unlock_prompt_pending=False)
    core.door_event(door.BOLT_EVENTS[inp.state])
    if core.phase is before:
        return
    if core.phase is Phase.LOCKED:
        core.alarm(AlarmKind.JAMMED, False)
        core.log(EventKind.LOCKED, source=Source.AUTO)
        core.say(PromptId.LOCKED)
    elif core.phase is Phase.JAMMED:  # D-AJAR
        core.log(EventKind.JAMMED, source=Source.AUTO)
        core.alarm(AlarmKind.JAMMED, True)
        core.say(PromptId.DOOR_NOT_CLOSED)
    elif core.phase is Phase.NOT_THROWN and core.state.settings.virtual_lock_detection:
        core.log(EventKind.VIRTUALLY_LOCKED, source=Source.AUTO)
        core.say(PromptId.VIRTUALLY_LOCKED)
    elif before is Phase.JAMMED:
        core.alarm(AlarmKind.JAMMED, False)


def inside_unlock(core: LockContext, method: Method, source: Source) -> None:
    """D-OPEN-IN: works in every mode, during lockout and after the key."""
    core.door_event(DoorEvent.UNLOCK if method is Method.BUTTON else DoorEvent.BOLT_RETRACTED)
    core.log(EventKind.UNLOCK, method=method, source=source)


def on_unlock_button(core: LockContext, inp: UnlockButton) -> None:
    if inp.held_s >= HOLD_S:  # D-MODE-ANTI
        core.change_setting("anti_lock", not core.state.settings.anti_lock, source=Source.BUTTON)
        return
    if core.state.settings.double_press_to_open:
        last = core.last_button_at
        core.change(last_button_at=core.now)
        if last is None or core.now - last > DOUBLE_PRESS_S:
            return
        core.change(last_button_at=None)
    inside_unlock(core, Method.BUTTON, Source.BUTTON)


def on_knob(core: LockContext, inp: Knob) -> None:
    inside_unlock(core, Method.KNOB, Source.MANUAL)


def on_mechanical_key(core: LockContext, inp: MechanicalKey) -> None:
    """D-MECH: logged, reported, and a verification is needed before menu/arm/remote."""
    core.set_state(core.state.replace(mech_pending=True))
    core.door_event(DoorEvent.BOLT_RETRACTED)
    core.log(EventKind.UNLOCK, method=Method.KEY, source=Source.KEY)
    core.log(EventKind.MECHANICAL_KEY, method=Method.KEY, source=Source.KEY)


def on_handle(core: LockContext, inp: Handle) -> None:
    if core.state.settings.normally_open:  # D-MODE-PASS: no verification
        core.log(EventKind.UNLOCK, method=Method.HANDLE, source=Source.MANUAL)


def on_settings_key(core: LockContext, inp: SettingsKey) -> None:
    if not core.state.masters():
        core.say(PromptId.ADD_MASTER_FIRST)
        return
    if inp.held_s >= HOLD_S:  # D-PAIR
        lifecycle.begin_pairing(core, Source.BUTTON)
        return
    if core.menu is not None:
        return
    core.wake()
    if core.locked_out:
        core.say(PromptId.LOCKED_OUT, minutes=lockout.minutes_left(core.state.lockout, core.now))
        return
    core.change(menu_auth_until=core.now + MENU_AUTH_S)
    core.say(PromptId.VERIFY_MASTER)


def on_arm_key(core: LockContext, inp: ArmKey) -> None:
    if core.door_open:
        core.say(PromptId.ARM_NEEDS_CLOSED_DOOR)
    elif core.state.mech_pending:  # D-MECH
        core.say(PromptId.VERIFY_FIRST)
    elif not core.state.settings.armed:
        core.change_setting("armed", True, source=Source.KEYPAD)


def on_doorbell(core: LockContext, inp: DoorbellKey) -> None:
    core.emit(Chime())
    core.log(EventKind.DOORBELL, source=Source.KEYPAD)
    # A-LIVE; the shell masks every face (D-PRIV). Not with the radio off (critical
    # battery, D-BATT-CRIT): the picture could not go anywhere.
    if core.state.settings.doorbell_snapshot and not core.radio_off:
        core.emit(TakeSnapshot("doorbell"))


def on_tamper(core: LockContext, inp: Tamper) -> None:
    if inp.tripped == core.tamper:
        return
    core.change(tamper=inp.tripped)
    if inp.tripped:  # D-TAMPER
        core.log(EventKind.TAMPER, source=Source.SYSTEM)
    core.alarm(AlarmKind.TAMPER, inp.tripped)


def on_battery(core: LockContext, inp: BatteryLevel) -> None:
    was_led, was_off = core.low_led, core.radio_off
    core.change(battery=inp.level)
    power_changed(core, was_led, was_off)
    if inp.level >= LOW_BATTERY:
        if core.state.low_battery_reported is not None:
            core.set_state(core.state.replace(low_battery_reported=None))
        return
    bucket = inp.level // 5  # "told once per level drop": 15-19, 10-14, 5-9, 0-4
    last = core.state.low_battery_reported
    if last is None or bucket < last:
        core.set_state(core.state.replace(low_battery_reported=bucket))
        kind = EventKind.CRITICAL_BATTERY if inp.level < CRITICAL_BATTERY else EventKind.LOW_BATTERY
        core.log(kind, source=Source.SYSTEM, level=inp.level)


def on_usb(core: LockContext, inp: UsbPower) -> None:
    was_led, was_off = core.low_led, core.radio_off
    core.change(usb=inp.connected)
    power_changed(core, was_led, was_off)


def power_changed(core: LockContext, was_led: bool, was_off: bool) -> None:
    if core.low_led != was_led:  # D-BATT-LOW: lit while the battery is low
        core.emit(SetLed(Led.LOW_BATTERY, core.low_led))
    if core.radio_off != was_off:  # D-BATT-CRIT / D-BATT-USB
        core.emit(Radio(not core.radio_off))


def on_network(core: LockContext, inp: Network) -> None:
    core.change(network_up=inp.up)
