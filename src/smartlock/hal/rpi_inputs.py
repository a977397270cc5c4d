"""The Raspberry Pi's input parts: keypad matrix, buttons, switches, battery ADC.

Apart from `rpi.py` (the pin map, the outputs and the bundle) so that each module
stays one job. Every switch is a gpiozero `Button` to ground with the pull-up on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from gpiozero import Button, DigitalInputDevice, DigitalOutputDevice

from smartlock import hardware as hw
from smartlock.hal.parts import (
    Battery,
    DoorSensor,
    Keypad,
    ManualMechanism,
    PushButton,
    TamperSwitch,
    UsbPower,
)
from smartlock.hardware import (
    BatteryLevel,
    ButtonId,
    HardwareEvent,
    KeyPress,
    Mechanism,
    Tamper,
    button_event,
    mechanism_event,
)

Clock = Callable[[], float]
KEY_LAYOUT = ("123", "456", "789", "*0#")


def _switch(
    pin: int, emit: Callable[[HardwareEvent], None], pressed: HardwareEvent, released: HardwareEvent
) -> Button:
    """A microswitch to ground that reports `pressed` / `released` as it changes."""
    button = Button(pin, pull_up=True)
    button.when_pressed = lambda: emit(pressed)
    button.when_released = lambda: emit(released)
    return button


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


class _Switched:
    """A part read from one microswitch; `released` is the circuit open."""

    _button: Button

    @property
    def released(self) -> bool:
        return not self._button.is_pressed

    def close(self) -> None:
        self._button.close()


class GpioDoor(_Switched, DoorSensor):
    def __init__(self, pin: int) -> None:
        super().__init__()
        # closed (pressed) while the magnet is near
        self._button = _switch(pin, self.emit, hw.DoorSensor(False), hw.DoorSensor(True))

    @property
    def is_open(self) -> bool:
        return self.released


class GpioTamper(_Switched, TamperSwitch):
    def __init__(self, pin: int) -> None:
        super().__init__()
        # pressed while the front panel is in place
        self._button = _switch(pin, self.emit, Tamper(tripped=False), Tamper(tripped=True))

    @property
    def tripped(self) -> bool:
        return self.released


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
