"""The lock's hardware behind small interfaces (spec §1).

`parts` holds one abstract class per part and the `Hardware` bundle; `events` the
values input parts report; `virtual` simulates every part (the default anywhere);
`rpi` drives a Raspberry Pi through gpiozero (imported on demand: it needs gpiozero).
"""

from smartlock.hal.base import CameraUnavailable, HardwareError
from smartlock.hal.events import (
    BatteryChanged,
    BoltMoved,
    ButtonId,
    ButtonPressed,
    DoorChanged,
    HalEvent,
    KeyPressed,
    Mechanism,
    MechanismUsed,
    TamperChanged,
    UsbPowerChanged,
)
from smartlock.hal.feed import Change, ChangeFeed
from smartlock.hal.parts import Frame, Hardware

__all__ = [
    "BatteryChanged",
    "BoltMoved",
    "ButtonId",
    "ButtonPressed",
    "CameraUnavailable",
    "Change",
    "ChangeFeed",
    "DoorChanged",
    "Frame",
    "HalEvent",
    "Hardware",
    "HardwareError",
    "KeyPressed",
    "Mechanism",
    "MechanismUsed",
    "TamperChanged",
    "UsbPowerChanged",
]
