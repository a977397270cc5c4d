"""Every part of the lock simulated in memory: the default hardware on any machine.

`VirtualLock` builds the parts, wires the simple physics between them (a thrown
bolt holds the door, the knob and the key move the bolt by hand, the motor costs
battery, USB power charges it) and publishes every visible change to a `ChangeFeed`.
A person (the console), a web panel or a test acts on it through its methods.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from smartlock import hardware as hw
from smartlock.errors import ErrorCode
from smartlock.hal.base import HardwareError, InputPart
from smartlock.hal.feed import ChangeFeed
from smartlock.hal.parts import (
    Battery,
    BoltMotor,
    Camera,
    Display,
    DoorSensor,
    Frame,
    Hardware,
    Keypad,
    Led,
    ManualMechanism,
    PushButton,
    Speaker,
    TamperSwitch,
    UsbPower,
)
from smartlock.hal.virtual_finger import VirtualFingerprint
from smartlock.hardware import (
    BatteryLevel,
    ButtonId,
    KeyPress,
    Mechanism,
    Tamper,
    button_event,
    mechanism_event,
)
from smartlock.vocab import BoltState

MOTOR_RUN_COST = 0.05  # % of battery per bolt move (about 2000 moves per charge)
CHARGE_PER_SECOND = 100 / 5400  # a 3000 mAh cell on a 5 V / 2 A adapter: about 1.5 h


class DoorHeld(HardwareError):
    """The door cannot move: the bolt is thrown."""

    code = ErrorCode.DOOR_HELD


class VirtualKeypad(Keypad):
    def type(self, keys: str) -> None:
        """Press each key of `keys` in turn; checks all of them before pressing any."""
        events = [KeyPress(k) for k in keys]
        for event in events:
            self.emit(event)


class VirtualButton(PushButton):
    def press(self, held_s: float = 0.1) -> None:
        self.emit(button_event(self.button, held_s))


class _Fed:
    """A two-state virtual part whose every change is published to the feed.

    A subclass names itself on the feed, and gives `on` and `switch` the names its
    part's interface uses (`is_open` and `move` for the door).
    """

    part: str  # its name on the feed
    says: tuple[str, str]  # what the feed shows for off and for on

    def __init__(self, feed: ChangeFeed) -> None:
        super().__init__()
        self._on = False
        self._feed = feed

    @property
    def on(self) -> bool:
        return self._on

    def switch(self, on: bool) -> None:
        if on != self._on:
            self._on = on
            self._feed.publish(self.part, self.says[on])
            self._changed(on)

    def _changed(self, on: bool) -> None:
        """What a change does besides the feed: nothing, unless a subclass says."""


class _FedSwitch(_Fed, InputPart):
    """A fed part the lock listens to: a change is also emitted as `event`."""

    event: Callable[[bool], hw.HardwareEvent]

    def _changed(self, on: bool) -> None:
        self.emit(self.event(on))


class VirtualDoor(_FedSwitch, DoorSensor):
    part, says, event = "door", ("closed", "open"), hw.DoorSensor
    is_open, move = _FedSwitch.on, _FedSwitch.switch


class VirtualTamper(_FedSwitch, TamperSwitch):
    part, says, event = "tamper", ("ok", "tripped"), Tamper
    tripped, set = _FedSwitch.on, _FedSwitch.switch


class VirtualUsb(_FedSwitch, UsbPower):
    part, says, event = "usb", ("unplugged", "connected"), hw.UsbPower
    connected, plug = _FedSwitch.on, _FedSwitch.switch


class VirtualBattery(Battery):
    """Drains a little per motor run, charges while USB power is connected."""

    def __init__(self, feed: ChangeFeed, usb: VirtualUsb, level: float = 100.0) -> None:
        super().__init__()
        self._feed = feed
        self._usb = usb
        self._level = level
        self._last_poll: float | None = None
        self._reported = (self.level, self.charging)

    @property
    def level(self) -> int:
        return round(self._level)

    @property
    def charging(self) -> bool:
        return self._usb.connected and self._level < 100

    @property
    def powered(self) -> bool:
        """Whether the motor and electronics have power (D-BATT-USB)."""
        return self._usb.connected or self._level > 0

    def set_level(self, level: float) -> None:
        if not 0 <= level <= 100:
            raise ValueError(f"battery level must be 0-100 %, got {level:g}")
        self._level = float(level)
        self._report()

    def drain(self, amount: float) -> None:
        if not self._usb.connected:
            self._level = max(0.0, self._level - amount)
            self._report()

    def poll(self, now: float) -> None:
        if self._last_poll is not None and self._usb.connected:
            elapsed = max(0.0, now - self._last_poll)
            self._level = min(100.0, self._level + elapsed * CHARGE_PER_SECOND)
        self._last_poll = now
        self._report()

    def _report(self) -> None:
        reading = (self.level, self.charging)
        if reading != self._reported:
            self._reported = reading
            suffix = " (charging)" if reading[1] else ""
            self._feed.publish("battery", f"{reading[0]} %{suffix}")
            self.emit(BatteryLevel(*reading))


class VirtualBolt(BoltMotor):
    """A bolt motor that can be told to jam, and costs battery per run."""

    def __init__(self, feed: ChangeFeed, battery: VirtualBattery) -> None:
        self._state = BoltState.THROWN
        self._feed = feed
        self._battery = battery
        self.jam = False
        self.runs = 0

    @property
    def state(self) -> BoltState:
        return self._state

    def throw(self) -> BoltState:
        return self._run(BoltState.THROWN)

    def retract(self) -> BoltState:
        return self._run(BoltState.RETRACTED)

    def move_by_hand(self, target: BoltState) -> None:
        """The knob or the key moves the bolt without the motor (and without power)."""
        self._set(target)

    def _run(self, target: BoltState) -> BoltState:
        if not self._battery.powered:
            return self._state  # no power: the motor does not turn
        self.runs += 1
        self._set(BoltState.JAMMED if self.jam else target)
        self._battery.drain(MOTOR_RUN_COST)
        return self._state

    def _set(self, state: BoltState) -> None:
        if state != self._state:
            self._state = state
            self._feed.publish("bolt", state.value)


class VirtualLed(_Fed, Led):
    says = ("off", "on")
    lit, set = _Fed.on, _Fed.switch

    def __init__(self, feed: ChangeFeed, name: str) -> None:
        super().__init__(feed)
        self.part = name


class VirtualDisplay(Display):
    def __init__(self, feed: ChangeFeed) -> None:
        self._text = ""
        self._feed = feed

    @property
    def text(self) -> str:
        return self._text

    def show(self, text: str) -> None:
        self._text = text
        self._feed.publish("display", text)


class VirtualSpeaker(Speaker):
    """Records what was said (as text), the siren state, chimes and beeps."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._feed = feed
        self.said: list[str] = []
        self.siren_on = False
        self.chimes = 0
        self.beeps = 0

    def say(self, text: str) -> None:
        self.said.append(text)
        self._feed.publish("speaker", text)

    def siren(self, on: bool) -> None:
        if on != self.siren_on:
            self.siren_on = on
            self._feed.publish("siren", "on" if on else "off")

    def chime(self) -> None:
        self.chimes += 1
        self._feed.publish("chime", "ding-dong")

    def beep(self) -> None:
        self.beeps += 1
        self._feed.publish("beep", "beep")


class VirtualCamera(Camera):
    """Shows whatever frame it was last fed (an RGB array or an image file)."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._frame: Frame | None = None
        self._feed = feed

    def present(self, picture: Frame | str | Path) -> None:
        if isinstance(picture, str | Path):
            try:
                with Image.open(picture) as image:
                    frame: Frame = np.asarray(image.convert("RGB"), dtype=np.uint8)
            except (OSError, ValueError) as err:
                raise ValueError(f"cannot read image {picture}: {err}") from err
        else:
            frame = picture
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"a frame is H x W x 3 uint8 RGB, got {frame.shape} {frame.dtype}")
        self._frame = frame.copy()
        self._feed.publish("camera", f"{frame.shape[1]}x{frame.shape[0]} picture")

    def clear(self) -> None:
        self._frame = None
        self._feed.publish("camera", "nobody")

    def capture(self) -> Frame | None:
        return None if self._frame is None else self._frame.copy()


class VirtualMechanism(ManualMechanism):
    def __init__(self, mechanism: Mechanism, lock: VirtualLock) -> None:
        super().__init__(mechanism)
        self._lock = lock

    def use(self) -> None:
        self._lock.use_mechanism(self.mechanism)


class VirtualLock:
    """The whole simulated lock: parts, physics and the change feed."""

    def __init__(self, *, battery_level: float = 100.0, finger_flash: Path | None = None) -> None:
        self.feed = ChangeFeed()
        self.keypad = VirtualKeypad()
        self.buttons = {b: VirtualButton(b) for b in ButtonId}
        self.mechanisms = {m: VirtualMechanism(m, self) for m in Mechanism}
        self.door = VirtualDoor(self.feed)
        self.tamper = VirtualTamper(self.feed)
        self.usb = VirtualUsb(self.feed)
        self.battery = VirtualBattery(self.feed, self.usb, battery_level)
        self.bolt = VirtualBolt(self.feed, self.battery)
        self.armed_led = VirtualLed(self.feed, "armed LED")
        self.low_battery_led = VirtualLed(self.feed, "low-battery LED")
        self.display = VirtualDisplay(self.feed)
        self.speaker = VirtualSpeaker(self.feed)
        self.camera = VirtualCamera(self.feed)
        self.fingerprint = VirtualFingerprint(self.feed, finger_flash)
        self.hardware = Hardware(
            keypad=self.keypad,
            doorbell=self.buttons[ButtonId.DOORBELL],
            arm_button=self.buttons[ButtonId.ARM],
            settings_button=self.buttons[ButtonId.SETTINGS],
            unlock_button=self.buttons[ButtonId.UNLOCK],
            knob=self.mechanisms[Mechanism.KNOB],
            key_cylinder=self.mechanisms[Mechanism.KEY],
            handle=self.mechanisms[Mechanism.HANDLE],
            door=self.door,
            tamper=self.tamper,
            battery=self.battery,
            usb=self.usb,
            bolt=self.bolt,
            armed_led=self.armed_led,
            low_battery_led=self.low_battery_led,
            display=self.display,
            speaker=self.speaker,
            camera=self.camera,
            fingerprint=self.fingerprint,
        )

    def press(self, button: ButtonId, held_s: float = 0.1) -> None:
        self.buttons[button].press(held_s)

    def use_mechanism(self, mechanism: Mechanism) -> None:
        """Knob and key retract the bolt by hand; the handle opens an unbolted door."""
        part = self.mechanisms[mechanism]
        if mechanism is Mechanism.HANDLE:
            part.emit(mechanism_event(mechanism))
            if self.bolt.state is not BoltState.THROWN:
                self.door.move(True)
            return
        self.bolt.move_by_hand(BoltState.RETRACTED)
        part.emit(mechanism_event(mechanism))

    def open_door(self) -> None:
        if self.door.is_open:
            return
        if self.bolt.state is BoltState.THROWN:
            raise DoorHeld("the bolt is thrown: the door does not move")
        self.door.move(True)

    def close_door(self) -> None:
        self.door.move(False)

    def snapshot(self) -> dict[str, str]:
        """The visible state of every part, for a status screen."""
        return {
            "door": "open" if self.door.is_open else "closed",
            "bolt": self.bolt.state.value,
            "jam": "on" if self.bolt.jam else "off",
            "display": self.display.text or "(blank)",
            "armed LED": "on" if self.armed_led.lit else "off",
            "low-battery LED": "on" if self.low_battery_led.lit else "off",
            "siren": "on" if self.speaker.siren_on else "off",
            "battery": f"{self.battery.level} %" + (" (charging)" if self.battery.charging else ""),
            "usb": "connected" if self.usb.connected else "unplugged",
            "tamper": "tripped" if self.tamper.tripped else "ok",
            "camera": "picture" if self.camera.capture() is not None else "nobody",
            "fingerprint": self.fingerprint.describe(),
        }
