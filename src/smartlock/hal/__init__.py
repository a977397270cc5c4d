"""The lock's hardware behind small interfaces (spec §1).

`parts` holds one abstract class per part and the `Hardware` bundle. What the input
parts report are `smartlock.hardware`'s events, which are the core's inputs as they
are. `virtual` simulates every part (the default anywhere); `rpi` drives a
Raspberry Pi through gpiozero (imported on demand: it needs gpiozero).
"""

from smartlock.hal.base import CameraUnavailable, HardwareError
from smartlock.hal.feed import Change, ChangeFeed
from smartlock.hal.parts import Frame, Hardware
from smartlock.hardware import (
    BatteryLevel,
    BoltFeedback,
    ButtonId,
    DoorSensor,
    HardwareEvent,
    KeyPress,
    Mechanism,
    SettingsKey,
    Tamper,
    UsbPower,
    button_event,
    mechanism_event,
)

__all__ = [
    "BatteryLevel",
    "BoltFeedback",
    "ButtonId",
    "CameraUnavailable",
    "Change",
    "ChangeFeed",
    "DoorSensor",
    "Frame",
    "Hardware",
    "HardwareError",
    "HardwareEvent",
    "KeyPress",
    "Mechanism",
    "SettingsKey",
    "Tamper",
    "UsbPower",
    "button_event",
    "mechanism_event",
]
