"""The lock's parts on a Raspberry Pi, through gpiozero (pins in BCM numbering).

Switches (buttons, door reed, tamper, knob/key/handle microswitches, bolt end stops)
are gpiozero `Button`s wired to ground with the internal pull-up; the bolt motor is a
`Motor` on an H-bridge (two pins) stopped by its end stops; the keypad is a 4 x 3
matrix scanned by a small thread. Tests use gpiozero's `MockFactory`: no real pins.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from gpiozero import LED, Button, Buzzer, DigitalInputDevice, DigitalOutputDevice, Motor

from smartlock import hardware as hw
from smartlock.hal.camera import OpenCvCamera
from smartlock.hal.fingerprint import ModuleFingerprint, serial_module
from smartlock.hal.parts import (
    Battery,
    BoltMotor,
    Display,
    DoorSensor,
    Hardware,
    Keypad,
    Led,
    ManualMechanism,
    PushButton,
    Speaker,
    TamperSwitch,
    UsbPower,
)
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

log = logging.getLogger(__name__)
Clock = Callable[[], float]
KEY_LAYOUT = ("123", "456", "789", "*0#")


@dataclass(frozen=True, slots=True, kw_only=True)
class RpiPins:
    """Which GPIO does what. The defaults leave SPI0 (8-11) free for the battery ADC."""

    keypad_rows: tuple[int, int, int, int] = (2, 3, 4, 17)
    keypad_cols: tuple[int, int, int] = (27, 22, 14)
    buttons: Mapping[ButtonId, int] = field(
        default_factory=lambda: {
            ButtonId.DOORBELL: 18,
            ButtonId.ARM: 23,
            ButtonId.SETTINGS: 24,
            ButtonId.UNLOCK: 25,
        }
    )
    knob: int = 5
    key_cylinder: int = 6
    handle: int | None = None  # optional microswitch
    door: int = 12  # reed switch: closed (pressed) while the magnet is near
    tamper: int = 13  # pressed while the front panel is in place
    bolt_thrown: int = 16  # end stop
    bolt_retracted: int = 19  # end stop
    motor_forward: int = 20  # forward = throw
    motor_backward: int = 21
    armed_led: int = 26
    low_battery_led: int = 7  # SPI0 CE1: free while the ADC uses CE0 only
    buzzer: int = 15
    usb_power: int | None = None  # optional "power good" signal of the USB-C port
    finger_touch: int | None = None  # optional touch output of an R503: read at once
    motor_timeout_s: float = 1.5  # a run longer than this is a jam


class GpioKeypad(Keypad):
    """A 4 x 3 matrix: rows are driven low one at a time, columns read with pull-ups."""

    def __init__(self, rows: tuple[int, ...], cols: tuple[int, ...], scan_s: float = 0.02):
        super().__init__()
        self._rows = [DigitalOutputDevice(p, active_high=False) for p in rows]
        self._cols = [Button(p, pull_up=True) for p in cols]
        self._down: set[str] = set()
        self._scan_s = scan_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def scan_once(self) -> None:
        """Read the matrix; emit a `KeyPress` for each key that went down since last scan."""
        down: set[str] = set()
        for r, row in enumerate(self._rows):
            row.on()
            down.update(KEY_LAYOUT[r][c] for c, col in enumerate(self._cols) if col.is_pressed)
            row.off()
        for key in sorted(down - self._down):
            self.emit(KeyPress(key))
        self._down = down

    def start(self) -> None:
        """Scan in a daemon thread until `close()`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="keypad", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._scan_s):
            self.scan_once()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        for device in [*self._rows, *self._cols]:
            device.close()


class GpioPushButton(PushButton):
    """Reports the hold time on release (settings 3 s = pairing, unlock 3 s = anti-lock)."""

    def __init__(self, button: ButtonId, pin: int, clock: Clock = time.monotonic) -> None:
        super().__init__(button)
        self._clock = clock
        self._since: float | None = None
        self._button = Button(pin, pull_up=True)
        self._button.when_pressed = self._pressed
        self._button.when_released = self._released

    def _pressed(self) -> None:
        self._since = self._clock()

    def _released(self) -> None:
        if self._since is not None:
            held = max(0.0, self._clock() - self._since)
            self._since = None
            self.emit(button_event(self.button, held))

    def close(self) -> None:
        self._button.close()


class GpioMechanism(ManualMechanism):
    def __init__(self, mechanism: Mechanism, pin: int | None) -> None:
        super().__init__(mechanism)
        self._button = None if pin is None else Button(pin, pull_up=True)
        if self._button is not None:
            self._button.when_pressed = lambda: self.emit(mechanism_event(self.mechanism))

    def close(self) -> None:
        if self._button is not None:
            self._button.close()


class GpioDoor(DoorSensor):
    def __init__(self, pin: int) -> None:
        super().__init__()
        self._reed = Button(pin, pull_up=True)
        self._reed.when_pressed = lambda: self.emit(hw.DoorSensor(is_open=False))
        self._reed.when_released = lambda: self.emit(hw.DoorSensor(is_open=True))

    @property
    def is_open(self) -> bool:
        return not self._reed.is_pressed

    def close(self) -> None:
        self._reed.close()


class GpioTamper(TamperSwitch):
    def __init__(self, pin: int) -> None:
        super().__init__()
        self._switch = Button(pin, pull_up=True)
        self._switch.when_released = lambda: self.emit(Tamper(tripped=True))
        self._switch.when_pressed = lambda: self.emit(Tamper(tripped=False))

    @property
    def tripped(self) -> bool:
        return not self._switch.is_pressed

    def close(self) -> None:
        self._switch.close()


class GpioUsbPower(UsbPower):
    def __init__(self, pin: int | None) -> None:
        super().__init__()
        self._sense = None if pin is None else DigitalInputDevice(pin, pull_up=False)
        if self._sense is not None:
            self._sense.when_activated = lambda: self.emit(hw.UsbPower(True))
            self._sense.when_deactivated = lambda: self.emit(hw.UsbPower(False))

    @property
    def connected(self) -> bool:
        return bool(self._sense is not None and self._sense.is_active)

    def close(self) -> None:
        if self._sense is not None:
            self._sense.close()


class AnalogInput(Protocol):
    """What the battery needs from an ADC channel (gpiozero's `MCP3008` has it)."""

    @property
    def value(self) -> float: ...


class AdcBattery(Battery):
    """Level from a voltage divider on an ADC channel, mapped linearly empty..full."""

    def __init__(
        self, adc: AnalogInput, usb: UsbPower, *, empty: float = 0.60, full: float = 0.84
    ) -> None:
        super().__init__()
        self._adc, self._usb, self._empty, self._full = adc, usb, empty, full
        self._reported: tuple[int, bool] | None = None

    @property
    def level(self) -> int:
        fraction = (self._adc.value - self._empty) / (self._full - self._empty)
        return round(min(1.0, max(0.0, fraction)) * 100)

    @property
    def charging(self) -> bool:
        return self._usb.connected and self.level < 100

    def poll(self, now: float) -> None:
        reading = (self.level, self.charging)
        if reading != self._reported:
            self._reported = reading
            self.emit(BatteryLevel(*reading))


class GpioBolt(BoltMotor):
    """H-bridge motor that runs until the end stop closes, or reports a jam."""

    def __init__(self, pins: RpiPins) -> None:
        self._motor = Motor(pins.motor_forward, pins.motor_backward, pwm=False)
        self._thrown = Button(pins.bolt_thrown, pull_up=True)
        self._retracted = Button(pins.bolt_retracted, pull_up=True)
        self._timeout = pins.motor_timeout_s

    @property
    def state(self) -> BoltState:
        if self._thrown.is_pressed:
            return BoltState.THROWN
        if self._retracted.is_pressed:
            return BoltState.RETRACTED
        return BoltState.JAMMED  # between the end stops

    def throw(self) -> BoltState:
        return self._run(self._thrown, self._motor.forward, BoltState.THROWN)

    def retract(self) -> BoltState:
        return self._run(self._retracted, self._motor.backward, BoltState.RETRACTED)

    def _run(self, stop: Button, drive: Callable[[], None], target: BoltState) -> BoltState:
        if not stop.is_pressed:
            drive()
            try:
                stop.wait_for_press(timeout=self._timeout)
            finally:
                self._motor.stop()
        if stop.is_pressed:
            return target
        log.warning("bolt did not reach the %s end stop in %.1f s", target, self._timeout)
        return BoltState.JAMMED

    def close(self) -> None:
        self._motor.close()
        self._thrown.close()
        self._retracted.close()


class GpioLed(Led):
    def __init__(self, pin: int) -> None:
        self._led = LED(pin)

    @property
    def lit(self) -> bool:
        return bool(self._led.is_lit)

    def set(self, on: bool) -> None:
        if on:
            self._led.on()
        else:
            self._led.off()

    def close(self) -> None:
        self._led.close()


class LoggedDisplay(Display):
    """Logs what a real panel would show; swap in a panel driver behind `Display`."""

    def __init__(self) -> None:
        self._text = ""

    @property
    def text(self) -> str:
        return self._text

    def show(self, text: str) -> None:
        self._text = text
        log.info("display: %s", text)


class BuzzerSpeaker(Speaker):
    """Siren, chime and beeps on a buzzer; prompts go to `tts` (e.g. a call to espeak-ng)."""

    def __init__(self, pin: int, tts: Callable[[str], None] | None = None) -> None:
        self._buzzer = Buzzer(pin)
        self._tts = tts

    def say(self, text: str) -> None:
        log.info("say: %s", text)
        if self._tts is not None:
            self._tts(text)

    def siren(self, on: bool) -> None:
        if on:
            self._buzzer.blink(on_time=0.25, off_time=0.25)
        else:
            self._buzzer.off()

    def chime(self) -> None:
        self._buzzer.beep(on_time=0.3, off_time=0.15, n=2)

    def beep(self) -> None:
        self._buzzer.beep(on_time=0.1, off_time=0.1, n=1)

    def close(self) -> None:
        self._buzzer.close()


def build_rpi_hardware(
    pins: RpiPins | None = None,
    *,
    adc: AnalogInput | None = None,
    tts: Callable[[str], None] | None = None,
    camera_index: int = 0,
    clock: Clock = time.monotonic,
    scan_keypad: bool = True,
    fingerprint_port: str | None = None,
    fingerprint_presses: int = 2,
) -> Hardware:
    """Build every part on the Pi's pins. `adc` defaults to an MCP3008 channel 0 on SPI0;
    `fingerprint_port` is the serial port of a fingerprint module, if the lock has one.
    """
    pins = pins or RpiPins()
    if adc is None:
        from gpiozero import MCP3008

        adc = MCP3008(channel=0)
    keypad = GpioKeypad(pins.keypad_rows, pins.keypad_cols)
    if scan_keypad:
        keypad.start()
    buttons = {b: GpioPushButton(b, pin, clock) for b, pin in pins.buttons.items()}
    usb = GpioUsbPower(pins.usb_power)
    return Hardware(
        keypad=keypad,
        doorbell=buttons[ButtonId.DOORBELL],
        arm_button=buttons[ButtonId.ARM],
        settings_button=buttons[ButtonId.SETTINGS],
        unlock_button=buttons[ButtonId.UNLOCK],
        knob=GpioMechanism(Mechanism.KNOB, pins.knob),
        key_cylinder=GpioMechanism(Mechanism.KEY, pins.key_cylinder),
        handle=GpioMechanism(Mechanism.HANDLE, pins.handle),
        door=GpioDoor(pins.door),
        tamper=GpioTamper(pins.tamper),
        battery=AdcBattery(adc, usb),
        usb=usb,
        bolt=GpioBolt(pins),
        armed_led=GpioLed(pins.armed_led),
        low_battery_led=GpioLed(pins.low_battery_led),
        display=LoggedDisplay(),
        speaker=BuzzerSpeaker(pins.buzzer, tts),
        camera=OpenCvCamera(camera_index),
        fingerprint=None
        if fingerprint_port is None
        else _fingerprint(fingerprint_port, pins, fingerprint_presses),
    )


def _fingerprint(port: str, pins: RpiPins, presses: int) -> ModuleFingerprint:
    """The module on `port`; with its touch line wired, a finger is read at once
    rather than at the next one-second poll.
    """
    reader = serial_module(port, presses=presses)
    if pins.finger_touch is not None:
        touch = DigitalInputDevice(pins.finger_touch, pull_up=False)
        touch.when_activated = reader.poll_now
        reader.also_close(touch)
    return reader
