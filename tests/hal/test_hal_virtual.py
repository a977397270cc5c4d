"""The simulated lock behaves like the physical parts of spec §1.

Rules proved here (named in the tests' names): D-AJAR, D-BATT-USB, D-BOLT, D-KEY-PIN, D-MECH,
D-MODE-ANTI, D-MODE-PASS, D-OPEN-IN, D-PAIR, D-TAMPER.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from smartlock.hal import (
    BatteryLevel,
    ButtonId,
    Change,
    DoorSensor,
    HardwareEvent,
    KeyPress,
    Mechanism,
    Tamper,
    UsbPower,
    button_event,
    mechanism_event,
)
from smartlock.hal.virtual import DoorHeld, VirtualLock
from smartlock.hardware import Handle, Knob, MechanicalKey
from smartlock.vocab import BoltState


@pytest.fixture
def lock() -> VirtualLock:
    return VirtualLock()


@pytest.fixture
def heard(lock: VirtualLock) -> list[HardwareEvent]:
    events: list[HardwareEvent] = []
    lock.hardware.listen(events.append)
    return events


def test_keypad_reports_each_key_in_order_D_KEY_PIN(lock, heard):
    lock.keypad.type("12#*")
    assert heard == [KeyPress("1"), KeyPress("2"), KeyPress("#"), KeyPress("*")]


def test_keypad_mash_with_a_bad_key_presses_nothing(lock, heard):
    with pytest.raises(ValueError, match="not a keypad key"):
        lock.keypad.type("12a#")
    assert heard == []


def test_buttons_report_hold_time_D_PAIR_D_MODE_ANTI(lock, heard):
    lock.press(ButtonId.SETTINGS, 3.0)
    lock.press(ButtonId.UNLOCK)
    assert heard == [button_event(ButtonId.SETTINGS, 3.0), button_event(ButtonId.UNLOCK, 0.1)]


def test_thrown_bolt_holds_the_door_D_BOLT(lock, heard):
    assert lock.bolt.state is BoltState.THROWN
    with pytest.raises(DoorHeld):
        lock.open_door()
    assert not lock.door.is_open and heard == []
    assert lock.bolt.retract() is BoltState.RETRACTED
    lock.open_door()
    lock.close_door()
    assert [e for e in heard if isinstance(e, DoorSensor)] == [
        DoorSensor(True),
        DoorSensor(False),
    ]


def test_knob_and_key_retract_the_bolt_by_hand_D_OPEN_IN_D_MECH(lock, heard):
    lock.mechanisms[Mechanism.KNOB].use()
    assert lock.bolt.state is BoltState.RETRACTED
    assert lock.bolt.throw() is BoltState.THROWN
    lock.use_mechanism(Mechanism.KEY)
    assert lock.bolt.state is BoltState.RETRACTED
    used = [e for e in heard if isinstance(e, Knob | MechanicalKey | Handle)]
    assert used == [mechanism_event(Mechanism.KNOB), mechanism_event(Mechanism.KEY)]


def test_handle_opens_only_an_unbolted_door_D_MODE_PASS(lock, heard):
    lock.use_mechanism(Mechanism.HANDLE)
    assert not lock.door.is_open
    lock.bolt.retract()
    lock.use_mechanism(Mechanism.HANDLE)
    assert lock.door.is_open
    assert heard[-2:] == [mechanism_event(Mechanism.HANDLE), DoorSensor(True)]


def test_jammed_bolt_reports_jam_D_AJAR(lock):
    lock.bolt.retract()
    lock.bolt.jam = True
    assert lock.bolt.throw() is BoltState.JAMMED
    assert lock.bolt.state is BoltState.JAMMED


def test_motor_drains_battery_and_usb_charges_it_D_BATT_USB(lock, heard):
    lock.battery.set_level(19.52)
    assert lock.battery.level == 20
    lock.bolt.retract()
    assert lock.battery.level == 19
    assert heard[-1] == BatteryLevel(19, False)
    lock.usb.plug(True)
    lock.battery.poll(0.0)
    lock.battery.poll(600.0)  # ten minutes on a charger
    assert lock.battery.level > 19 and lock.battery.charging
    assert UsbPower(True) in heard


def test_dead_battery_stops_the_motor_until_usb_power_D_BATT_USB(lock):
    lock.battery.set_level(0)
    assert lock.bolt.retract() is BoltState.THROWN  # nothing moved
    lock.usb.plug(True)
    assert lock.bolt.retract() is BoltState.RETRACTED


def test_tamper_and_outputs_show_on_the_change_feed_D_TAMPER(lock, heard):
    changes: list[Change] = []
    unsubscribe = lock.feed.subscribe(changes.append)
    lock.tamper.set(True)
    lock.speaker.say("alarm")
    lock.speaker.siren(True)
    lock.armed_led.set(True)
    lock.display.show("003")
    unsubscribe()
    lock.display.show("004")
    assert heard == [Tamper(True)]
    assert changes == [
        Change("tamper", "tripped"),
        Change("speaker", "alarm"),
        Change("siren", "on"),
        Change("armed LED", "on"),
        Change("display", "003"),
    ]
    assert lock.snapshot()["siren"] == "on" and lock.snapshot()["display"] == "004"


async def test_change_feed_fills_an_asyncio_queue(lock):
    queue, unsubscribe = lock.feed.queue()
    lock.speaker.chime()
    assert await queue.get() == Change("chime", "ding-dong")
    unsubscribe()


def test_camera_shows_a_fed_picture_as_rgb(lock, tmp_path: Path):
    assert lock.camera.capture() is None
    picture = tmp_path / "visitor.png"
    Image.new("RGB", (8, 6), (200, 10, 20)).save(picture)
    lock.camera.present(picture)
    frame = lock.camera.capture()
    assert frame is not None and frame.shape == (6, 8, 3) and frame.dtype == np.uint8
    assert tuple(frame[0, 0]) == (200, 10, 20)
    with pytest.raises(ValueError, match="H x W x 3"):
        lock.camera.present(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="cannot read image"):
        lock.camera.present(tmp_path / "missing.jpg")
    assert lock.camera.capture() is not None  # the bad input lost nothing
