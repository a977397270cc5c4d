"""Hardware happenings (`smartlock.hal.events`) as the core's inputs, one to one.

Part of the shell: the core never sees a HAL event. (Issue 18 would have one
vocabulary for both; until then this is the only place the two meet.)
"""

from __future__ import annotations

from smartlock.device import inputs as ins
from smartlock.hal import events as hal


def to_input(event: hal.HalEvent) -> ins.Input:
    """Translate one hardware happening into the core's vocabulary."""
    match event:
        case hal.KeyPressed(key):
            return ins.KeyPress(key)
        case hal.ButtonPressed(button, held):
            return _button_input(button, held)
        case hal.MechanismUsed(mechanism):
            return _MECHANISM_INPUTS[mechanism]()
        case hal.DoorChanged(is_open):
            return ins.DoorSensor(is_open)
        case hal.TamperChanged(tripped):
            return ins.Tamper(tripped)
        case hal.BatteryChanged(level, _):
            return ins.BatteryLevel(level)
        case hal.UsbPowerChanged(connected):
            return ins.UsbPower(connected)
        case hal.BoltMoved(state, _):
            return ins.BoltFeedback(state)
    return _finger_input(event)


_MECHANISM_INPUTS: dict[hal.Mechanism, type[ins.Knob | ins.MechanicalKey | ins.Handle]] = {
    hal.Mechanism.KNOB: ins.Knob,
    hal.Mechanism.KEY: ins.MechanicalKey,
    hal.Mechanism.HANDLE: ins.Handle,
}


def _button_input(button: hal.ButtonId, held: float) -> ins.Input:
    match button:
        case hal.ButtonId.SETTINGS:
            return ins.SettingsKey(held)
        case hal.ButtonId.UNLOCK:
            return ins.UnlockButton(held)
        case hal.ButtonId.ARM:
            return ins.ArmKey()
        case hal.ButtonId.DOORBELL:
            return ins.DoorbellKey()
    raise TypeError(f"no core input for button {button!r}")


def _finger_input(event: hal.HalEvent) -> ins.Input:
    """The fingerprint module's reports (D-FINGER-HW)."""
    match event:
        case hal.FingerRead(None, _):
            return ins.FingerNotFound()
        case hal.FingerRead(int() as slot, confidence):
            return ins.FingerMatched(slot, confidence)
        case hal.FingerImaged(press, found_slot):
            return ins.FingerCaptured(press, found_slot)
        case hal.FingerOff():
            return ins.FingerLifted()
        case hal.FingerSaved(slot):
            return ins.FingerStored(slot)
        case hal.FingerTrouble(problem):
            return ins.FingerFault(problem)
    raise TypeError(f"no core input for {event!r}")
