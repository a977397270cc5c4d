"""The Raspberry Pi parts against gpiozero's MockFactory (no real pins).

Rules proved here (named in the tests' names): D-AJAR, D-BATT-LOW, D-BOLT, D-KEY-PIN, D-KEY-
WAKE, D-OPEN-IN, D-PAIR, D-TAMPER.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockConnectedPin, MockFactory, MockPin

from smartlock.hal import (
    BatteryLevel,
    ButtonId,
    CameraUnavailable,
    DoorSensor,
    HardwareEvent,
    KeyPress,
    Mechanism,
    SettingsKey,
    Tamper,
    mechanism_event,
)
from smartlock.hal.camera import OpenCvCamera
from smartlock.hal.rpi import RpiPins, build_rpi_hardware
from smartlock.vocab import BoltState


class FakeAdc:
    value = 0.84


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = None


def build(pins: RpiPins, clock: Clock | None = None):
    hardware = build_rpi_hardware(
        pins, adc=FakeAdc(), clock=clock or Clock(), scan_keypad=False, camera_index=99
    )
    heard: list[HardwareEvent] = []
    hardware.listen(heard.append)
    return hardware, heard


def test_settings_key_hold_time_is_measured_D_PAIR(factory):
    clock = Clock()
    pins = RpiPins()
    hardware, heard = build(pins, clock)
    pin = factory.pin(pins.buttons[ButtonId.SETTINGS])
    pin.drive_low()
    clock.now += 3.2
    pin.drive_high()
    assert len(heard) == 1 and isinstance(heard[0], SettingsKey)
    assert heard[0].held_s == pytest.approx(3.2)
    hardware.close()


def test_door_tamper_and_knob_pins_become_events_D_TAMPER_D_OPEN_IN(factory):
    pins = RpiPins()
    hardware, heard = build(pins)
    factory.pin(pins.door).drive_low()  # magnet near: closed
    factory.pin(pins.tamper).drive_low()  # panel in place
    heard.clear()
    assert not hardware.door.is_open and not hardware.tamper.tripped
    factory.pin(pins.door).drive_high()
    factory.pin(pins.tamper).drive_high()
    factory.pin(pins.knob).drive_low()
    assert heard == [DoorSensor(True), Tamper(True), mechanism_event(Mechanism.KNOB)]
    assert hardware.door.is_open and hardware.tamper.tripped
    hardware.close()


def test_matrix_keypad_reads_the_pressed_key_D_KEY_PIN(factory):
    pins = RpiPins()
    # Key "5" (row 1, column 1) closed: driving row 1 low pulls column 1 low.
    column = factory.pin(pins.keypad_cols[1])
    factory.pin(pins.keypad_rows[1], pin_class=MockConnectedPin, input_pin=column)
    hardware, heard = build(pins)
    hardware.keypad.scan_once()  # type: ignore[attr-defined]
    hardware.keypad.scan_once()  # type: ignore[attr-defined]  # still held: no repeat
    assert heard == [KeyPress("5")]
    hardware.close()


class MotorPin(MockPin):
    """A motor output whose run closes an end stop (and opens the other)."""

    def __init__(self, factory, info, reach=None, leave=None):
        super().__init__(factory, info)
        self.reach, self.leave = reach, leave

    def _change_state(self, value):
        if value and self.reach is not None:
            self.leave.drive_high()
            self.reach.drive_low()
        return super()._change_state(value)


def test_throw_drives_the_forward_pin_until_the_end_stop_D_BOLT(factory):
    pins = RpiPins()
    thrown, retracted = factory.pin(pins.bolt_thrown), factory.pin(pins.bolt_retracted)
    forward = factory.pin(pins.motor_forward, pin_class=MotorPin, reach=thrown, leave=retracted)
    backward = factory.pin(pins.motor_backward, pin_class=MotorPin, reach=retracted, leave=thrown)
    hardware, _ = build(pins)
    retracted.drive_low()
    assert hardware.bolt.state is BoltState.RETRACTED
    assert hardware.bolt.throw() is BoltState.THROWN
    assert [s.state for s in forward.states] == [False, True, False]
    assert all(not s.state for s in backward.states)
    assert hardware.bolt.retract() is BoltState.RETRACTED
    assert backward.states[-2].state and not backward.states[-1].state
    hardware.close()


def test_bolt_that_never_reaches_its_end_stop_is_jammed_and_motor_stops_D_AJAR(factory):
    pins = RpiPins(motor_timeout_s=0.05)
    forward = factory.pin(pins.motor_forward)
    hardware, _ = build(pins)
    factory.pin(pins.bolt_retracted).drive_low()
    assert hardware.bolt.throw() is BoltState.JAMMED
    assert forward.states[-1].state is False  # the motor is not left running
    hardware.close()


def test_battery_level_from_the_adc_D_BATT_LOW(factory):
    hardware, heard = build(RpiPins())
    assert hardware.battery.level == 100
    FakeAdc.value = 0.624  # 10 % between empty and full
    try:
        hardware.poll(1.0)
        assert hardware.battery.level == 10
        assert heard[-1] == BatteryLevel(10, False)
    finally:
        FakeAdc.value = 0.84
    hardware.close()


def test_leds_follow_commands(factory):
    pins = RpiPins()
    hardware, _ = build(pins)
    hardware.armed_led.set(True)
    assert factory.pin(pins.armed_led).state and hardware.armed_led.lit
    hardware.armed_led.set(False)
    assert not factory.pin(pins.armed_led).state
    hardware.close()


def test_camera_without_a_device_fails_cleanly():
    camera = OpenCvCamera(index=99)
    with pytest.raises(CameraUnavailable, match="/dev/video99"):
        camera.capture()
    camera.close()


def test_keypad_scan_thread_reports_a_press_and_stops_on_close_D_KEY_WAKE(factory):
    pins = RpiPins()
    column = factory.pin(pins.keypad_cols[2])
    factory.pin(pins.keypad_rows[3], pin_class=MockConnectedPin, input_pin=column)  # "#"
    hardware = build_rpi_hardware(pins, adc=FakeAdc(), scan_keypad=False, camera_index=99)
    heard: list[HardwareEvent] = []
    hardware.listen(heard.append)
    hardware.keypad.start()  # listen first: a press scanned before that would be lost
    deadline = time.monotonic() + 2
    while not heard and time.monotonic() < deadline:
        time.sleep(0.01)
    hardware.close()
    assert heard == [KeyPress("#")]
    assert not any(t.name == "keypad" for t in threading.enumerate())
