"""The lock's parts on a Raspberry Pi, through gpiozero (pins in BCM numbering).

Switches (buttons, door reed, tamper, knob/key/handle microswitches, bolt end stops)
are gpiozero `Button`s wired to ground with the internal pull-up; the bolt motor is a
`Motor` on an H-bridge (two pins) stopped by its end stops; the keypad is a 4 x 3
matrix scanned by a small thread. Tests use gpiozero's `MockFactory`: no real pins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gpiozero import LED, Button, Buzzer, DigitalInputDevice, Motor

from smartlock.hal.camera import OpenCvCamera
from smartlock.hal.fingerprint import ModuleFingerprint, serial_module
from smartlock.hal.parts import (
    BoltMotor,
    Display,
    Hardware,
    Led,
    Speaker,
)
from smartlock.hal.rpi_inputs import (
    AdcBattery,
    AnalogInput,
    Clock,
    GpioDoor,
    GpioKeypad,
    GpioMechanism,
    GpioPushButton,
    GpioTamper,
    GpioUsbPower,
)
from smartlock.hardware import (
    ButtonId,
    Mechanism,
)
from smartlock.vocab import BoltState

log = logging.getLogger(__name__)


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
