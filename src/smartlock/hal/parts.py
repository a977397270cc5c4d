"""One tiny abstract class per hardware part (spec §1), in python-kasa's transport style.

The runtime receives a `Hardware` bundle built by keyword and never learns whether
the parts are GPIO pins, a simulation or a test double. Input parts push
`HardwareEvent`s to listeners; output parts are commanded and report back by return
value (the bolt says where it ended up, so a jam is a result, not a crash).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from smartlock.hal.base import InputPart, Listener, Part
from smartlock.hal.fingerprint import FingerprintReader
from smartlock.hardware import ButtonId, Mechanism
from smartlock.vocab import BoltState

Frame = NDArray[np.uint8]
"""A camera frame: H x W x 3, uint8, RGB."""


class Keypad(InputPart):
    """`0`-`9`, `*`, `#`; emits `KeyPress`. Touching it wakes the lock (D-KEY-WAKE)."""


class PushButton(InputPart):
    """A button that reports how long it was held (`button_event`)."""

    def __init__(self, button: ButtonId) -> None:
        super().__init__()
        self.button = button


class ManualMechanism(InputPart):
    """Knob, key cylinder or handle; emits `mechanism_event`."""

    def __init__(self, mechanism: Mechanism) -> None:
        super().__init__()
        self.mechanism = mechanism


class DoorSensor(InputPart, abc.ABC):
    """The reed switch in the frame; emits `DoorSensor`."""

    @property
    @abc.abstractmethod
    def is_open(self) -> bool: ...


class TamperSwitch(InputPart, abc.ABC):
    """Trips when the front panel is forced off (D-TAMPER); emits `Tamper`."""

    @property
    @abc.abstractmethod
    def tripped(self) -> bool: ...


class Battery(InputPart, abc.ABC):
    """Level in % and charging flag; emits `BatteryLevel` when either changes."""

    @property
    @abc.abstractmethod
    def level(self) -> int: ...

    @property
    @abc.abstractmethod
    def charging(self) -> bool: ...


class UsbPower(InputPart, abc.ABC):
    """The USB-C emergency port (D-BATT-USB); emits `UsbPower`."""

    @property
    @abc.abstractmethod
    def connected(self) -> bool: ...


class BoltMotor(Part, abc.ABC):
    """The motor-driven bolt. Each command returns where the bolt really ended up."""

    @property
    @abc.abstractmethod
    def state(self) -> BoltState: ...

    @abc.abstractmethod
    def throw(self) -> BoltState:
        """Extend the bolt; `JAMMED` when it did not reach the end stop."""

    @abc.abstractmethod
    def retract(self) -> BoltState:
        """Pull the bolt back; `JAMMED` when it did not reach the end stop."""


class Led(Part, abc.ABC):
    @property
    @abc.abstractmethod
    def lit(self) -> bool: ...

    @abc.abstractmethod
    def set(self, on: bool) -> None: ...


class Display(Part, abc.ABC):
    """The small front display (shows the user number after an unlock, D-KEY-SHOW)."""

    @property
    @abc.abstractmethod
    def text(self) -> str: ...

    @abc.abstractmethod
    def show(self, text: str) -> None:
        """Show `text`; an empty string blanks the display."""


class Speaker(Part, abc.ABC):
    """Voice prompts (already translated text), siren, doorbell chime and beeps."""

    @abc.abstractmethod
    def say(self, text: str) -> None: ...

    @abc.abstractmethod
    def siren(self, on: bool) -> None: ...

    @abc.abstractmethod
    def chime(self) -> None: ...

    @abc.abstractmethod
    def beep(self) -> None: ...


class Camera(Part, abc.ABC):
    """The front camera. `capture()` returns the current frame, or None when there is none."""

    @abc.abstractmethod
    def capture(self) -> Frame | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Hardware:
    """Every part of the lock, passed to the runtime by keyword."""

    keypad: Keypad
    doorbell: PushButton
    arm_button: PushButton
    settings_button: PushButton
    unlock_button: PushButton
    knob: ManualMechanism
    key_cylinder: ManualMechanism
    handle: ManualMechanism
    door: DoorSensor
    tamper: TamperSwitch
    battery: Battery
    usb: UsbPower
    bolt: BoltMotor
    armed_led: Led
    low_battery_led: Led
    display: Display
    speaker: Speaker
    camera: Camera
    fingerprint: FingerprintReader | None = None  # not every lock model has one (D-USER-3)

    def inputs(self) -> Iterator[InputPart]:
        for f in fields(self):
            part = getattr(self, f.name)
            if isinstance(part, InputPart):
                yield part

    def listen(self, listener: Listener) -> None:
        """Attach one listener to every input part."""
        for part in self.inputs():
            part.listen(listener)

    def poll(self, now: float) -> None:
        for part in self.inputs():
            part.poll(now)

    def close(self) -> None:
        for f in fields(self):
            part = getattr(self, f.name)
            if part is not None:
                part.close()
