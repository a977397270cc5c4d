"""Which rule module handles which input: the dispatch table of `LockCore.handle`.

Each handler takes the lock as a `LockContext` (never `LockCore` itself) and the
input; what it does to the lock goes through that protocol's change methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartlock.device.core import fingerprint, lifecycle, physical, timers, verify
from smartlock.device.core.context import LockContext
from smartlock.device.core.firmware import on_firmware_update
from smartlock.device.core.inputs import (
    ArmKey,
    BatteryLevel,
    Bind,
    BoltFeedback,
    Boot,
    DoorbellKey,
    DoorSensor,
    FaceSeen,
    FactoryReset,
    FirmwareUpdate,
    Handle,
    KeyPress,
    Knob,
    MechanicalKey,
    Network,
    NoFace,
    RemoteCommand,
    SettingsKey,
    Tamper,
    Tick,
    UnlockButton,
    UsbPower,
)

Handler = Callable[[LockContext, Any], None]

HANDLERS: dict[type, Handler] = {
    Boot: timers.on_boot,
    Tick: timers.on_tick,
    KeyPress: verify.on_key,
    FaceSeen: verify.on_face,
    NoFace: verify.on_no_face,
    **fingerprint.HANDLERS,
    DoorSensor: physical.on_door,
    BoltFeedback: physical.on_bolt,
    SettingsKey: physical.on_settings_key,
    UnlockButton: physical.on_unlock_button,
    ArmKey: physical.on_arm_key,
    DoorbellKey: physical.on_doorbell,
    Knob: physical.on_knob,
    MechanicalKey: physical.on_mechanical_key,
    Handle: physical.on_handle,
    Tamper: physical.on_tamper,
    BatteryLevel: physical.on_battery,
    UsbPower: physical.on_usb,
    Network: physical.on_network,
    FactoryReset: lifecycle.on_factory_reset,
    RemoteCommand: lifecycle.on_remote,
    Bind: lifecycle.on_bind,
    FirmwareUpdate: on_firmware_update,
}
