"""`smartlock lock run --hal rpi`: the same lock process on a Raspberry Pi's pins
(gpiozero's MockFactory stands in for the pins; D-FIRST, D-KEY-PIN, D-BOLT).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from smartlock.cli import main
from smartlock.demo.lockproc import LockProcess
from smartlock.hal import KeyPress
from smartlock.hal.rpi import RpiPins, build_rpi_hardware
from smartlock.link.connection import BrokerConfig
from smartlock.vocab import BoltState

from .test_hal_rpi import FakeAdc, MotorPin

PIN = "135790"


@pytest.fixture
def pins_factory() -> Iterator[MockFactory]:
    made = MockFactory()
    Device.pin_factory = made
    yield made
    made.reset()
    Device.pin_factory = None


def test_lock_process_on_pi_pins_unlocks_by_driving_the_motor_D_BOLT_D_FIRST(
    pins_factory: MockFactory, tmp_path: Path
) -> None:
    pins = RpiPins()
    thrown, retracted = pins_factory.pin(pins.bolt_thrown), pins_factory.pin(pins.bolt_retracted)
    pins_factory.pin(pins.motor_forward, pin_class=MotorPin, reach=thrown, leave=retracted)
    backward = pins_factory.pin(
        pins.motor_backward, pin_class=MotorPin, reach=retracted, leave=thrown
    )
    hardware = build_rpi_hardware(pins, adc=FakeAdc(), scan_keypad=False, camera_index=99)
    thrown.drive_low()  # the bolt starts thrown (after the pull-ups were set up)
    pins_factory.pin(pins.door).drive_low()  # the reed switch: door closed
    lock = LockProcess(tmp_path / "lock", BrokerConfig("127.0.0.1", 1), hardware=hardware)
    lock.runtime.boot()
    try:
        for key in f"*#{PIN}#{PIN}#{PIN}#":  # wake, first master (D-FIRST), then unlock
            hardware.keypad.emit(KeyPress(key))
        deadline = time.monotonic() + 5
        while hardware.bolt.state is not BoltState.RETRACTED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert hardware.bolt.state is BoltState.RETRACTED
        assert any(s.state for s in backward.states)  # the motor ran backwards
        assert lock.durable.core.users()[0].number == 1  # the master made at the Pi's keypad
    finally:
        hardware.close()


def test_lock_run_refuses_the_pi_where_there_are_no_pins(tmp_path: Path, capsys) -> None:
    """On a machine without GPIO the command says why instead of crashing."""
    code = main(
        [
            "lock",
            "run",
            "--data-dir",
            str(tmp_path),
            "--broker",
            "mqtt://127.0.0.1:1",
            "--hal",
            "rpi",
        ]
    )
    assert code == 2
    assert "cannot open the Raspberry Pi hardware" in capsys.readouterr().out
