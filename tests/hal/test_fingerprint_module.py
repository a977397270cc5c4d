"""The fingerprint part: `adafruit_fingerprint` driving the simulated module byte by byte.

Only the hardware is simulated (the module behind its serial line); the library, the
driver and the protocol code are the real ones. Rules: D-FINGER-HW, D-FINGER-DUP,
D-FINGER-DELETE, D-FINGER-PRIV.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import adafruit_fingerprint as af
import pytest

from smartlock.hal import finger_protocol as fp
from smartlock.hal.feed import ChangeFeed
from smartlock.hal.finger_sim import SimulatedModule
from smartlock.hal.fingerprint import ModuleFingerprint, serial_module
from smartlock.hal.virtual_finger import VirtualFingerprint
from smartlock.hardware import (
    FingerCaptured,
    FingerFault,
    FingerLifted,
    FingerMatched,
    FingerNotFound,
    FingerStored,
    HardwareEvent,
)
from smartlock.vocab import FingerOp, FingerProblem


@pytest.fixture
def module() -> SimulatedModule:
    return SimulatedModule()


def test_the_library_handshakes_and_reads_the_parameters_D_FINGER_HW(
    module: SimulatedModule,
) -> None:
    sensor = af.Adafruit_Fingerprint(module.uart())
    assert sensor.library_size == 200 and sensor.data_packet_size == 2
    assert sensor.count_templates() == af.OK and sensor.template_count == 0


def test_the_simulator_checks_every_packet_like_a_module_D_FINGER_HW(
    module: SimulatedModule,
) -> None:
    good = fp.encode(fp.COMMAND, bytes([fp.TEMPLATE_NUM]))
    assert fp.decode(module.answer(good)) == (fp.ACK, b"\x00\x00\x00")
    bad_sum = good[:-1] + bytes([good[-1] ^ 1])
    assert fp.decode(module.answer(bad_sum))[1] == bytes([fp.PACKET_ERROR])
    elsewhere = fp.encode(fp.COMMAND, bytes([fp.TEMPLATE_NUM]), address=b"\x00\x00\x00\x01")
    assert fp.decode(module.answer(elsewhere))[1] == bytes([fp.PACKET_ERROR])
    with pytest.raises(fp.PacketError):
        fp.decode(b"\xef\x01\xff\xff\xff\xff\x07\x00\x05\x00")  # cut short


def enrol_with_library(
    sensor: af.Adafruit_Fingerprint, module: SimulatedModule, finger: int, slot: int
) -> None:
    """The library's own enrolment sequence (its example): two presses, merge, store."""
    for buffer in (1, 2):
        module.place(finger)
        assert sensor.get_image() == af.OK
        assert sensor.image_2_tz(buffer) == af.OK
        module.lift()
        assert sensor.get_image() == af.NOFINGER
    assert sensor.create_model() == af.OK
    assert sensor.store_model(slot) == af.OK


def test_enrol_search_and_delete_through_the_library_D_FINGER_HW(module: SimulatedModule) -> None:
    sensor = af.Adafruit_Fingerprint(module.uart())
    enrol_with_library(sensor, module, finger=3, slot=4)
    module.place(3)
    assert sensor.get_image() == af.OK and sensor.image_2_tz(1) == af.OK
    assert sensor.finger_fast_search() == af.OK and sensor.finger_id == 4
    assert sensor.confidence > 0
    module.place(5)  # a wrong finger
    assert sensor.get_image() == af.OK and sensor.image_2_tz(1) == af.OK
    assert sensor.finger_fast_search() == af.NOTFOUND
    assert sensor.read_templates() == af.OK and sensor.templates == [4]
    assert sensor.delete_model(4) == af.OK
    assert sensor.read_templates() == af.OK and sensor.templates == []


def test_two_different_fingers_do_not_merge_D_FINGER_HW(module: SimulatedModule) -> None:
    sensor = af.Adafruit_Fingerprint(module.uart())
    for buffer, finger in ((1, 2), (2, 7)):
        module.place(finger)
        sensor.get_image()
        sensor.image_2_tz(buffer)
    assert sensor.create_model() == af.ENROLLMISMATCH


def test_a_silent_module_makes_the_library_raise_not_hang_D_FINGER_HW(
    module: SimulatedModule,
) -> None:
    sensor = af.Adafruit_Fingerprint(module.uart())
    module.answering = False
    with pytest.raises(RuntimeError, match="Failed to read"):
        sensor.get_image()


# ------------------------------------------------------------------ the driver


class Recorder:
    def __init__(self, part: ModuleFingerprint) -> None:
        self.events: list[HardwareEvent] = []
        part.listen(lambda event: self.events.append(event))

    def take(self) -> list[HardwareEvent]:
        out, self.events = self.events, []
        return out


@pytest.fixture
def virtual() -> VirtualFingerprint:
    return VirtualFingerprint(ChangeFeed())


def enrol(part: VirtualFingerprint, rec: Recorder, finger: int, slot: int) -> list[HardwareEvent]:
    """What the core would ask, in order, with a touch for each press."""
    part.command(FingerOp.CAPTURE, press=1)
    part.module.place(finger)
    part.poll_now()
    part.command(FingerOp.AWAIT_LIFT)
    part.module.lift()
    part.poll_now()
    part.command(FingerOp.CAPTURE, press=2)
    part.touch(finger)
    part.command(FingerOp.STORE, slots=frozenset({slot}))
    part.command(FingerOp.SCAN)
    return rec.take()


def test_the_driver_reports_each_enrolment_step_D_FINGER_HW(virtual: VirtualFingerprint) -> None:
    rec = Recorder(virtual)
    assert enrol(virtual, rec, finger=1, slot=6) == [
        FingerCaptured(1, None),
        FingerLifted(),
        FingerCaptured(2, None),
        FingerStored(6),
    ]
    virtual.touch(1)
    (read,) = rec.take()
    assert isinstance(read, FingerMatched) and read.slot == 6 and read.confidence > 0
    virtual.touch(8)
    assert rec.take() == [FingerNotFound()]


def test_an_r503_merges_three_presses_D_FINGER_HW(virtual: VirtualFingerprint) -> None:
    rec = Recorder(virtual)
    for press in (1, 2, 3):
        virtual.command(FingerOp.CAPTURE, press=press)
        virtual.touch(5)
    virtual.command(FingerOp.STORE, slots=frozenset({9}))
    assert rec.take() == [*(FingerCaptured(p, None) for p in (1, 2, 3)), FingerStored(9)]


def test_the_first_press_reports_where_the_finger_is_enrolled_D_FINGER_DUP(
    virtual: VirtualFingerprint,
) -> None:
    rec = Recorder(virtual)
    enrol(virtual, rec, finger=1, slot=0)
    virtual.command(FingerOp.CAPTURE, press=1)
    virtual.touch(1)
    assert rec.take() == [FingerCaptured(1, found_slot=0)]


def test_different_fingers_and_bad_images_are_reported_D_FINGER_HW(
    virtual: VirtualFingerprint,
) -> None:
    rec = Recorder(virtual)
    virtual.command(FingerOp.CAPTURE, press=1)
    virtual.touch(2, smudged=True)
    assert rec.take() == [FingerFault(FingerProblem.BAD_IMAGE)]
    virtual.command(FingerOp.CAPTURE, press=1)
    virtual.touch(2)
    virtual.command(FingerOp.CAPTURE, press=2)
    virtual.touch(4)
    virtual.command(FingerOp.STORE, slots=frozenset({0}))
    assert rec.take()[-1] == FingerFault(FingerProblem.PRESSES_DIFFER)


def test_a_finger_resting_on_the_glass_is_judged_once_D_FINGER_LOCKOUT(
    virtual: VirtualFingerprint,
) -> None:
    rec = Recorder(virtual)
    virtual.module.place(9)
    for _ in range(3):
        virtual.poll_now()
    assert rec.take() == [FingerNotFound()]


def test_keep_only_and_delete_clean_the_library_D_FINGER_DELETE(
    virtual: VirtualFingerprint,
) -> None:
    rec = Recorder(virtual)
    for finger, slot in ((1, 0), (2, 2), (3, 5)):
        enrol(virtual, rec, finger, slot)
    virtual.command(FingerOp.KEEP_ONLY, slots=frozenset({0, 2}))
    assert sorted(virtual.module.library) == [0, 2]
    virtual.command(FingerOp.DELETE, slots=frozenset({2}))
    assert sorted(virtual.module.library) == [0]


def test_a_module_that_stops_answering_is_reported_once_then_retried_D_FINGER_HW(
    virtual: VirtualFingerprint,
) -> None:
    rec = Recorder(virtual)
    virtual.set_answering(False)
    virtual.poll(100.0)
    virtual.poll(101.0)  # not retried yet: a dead line costs a read timeout each time
    virtual.touch(1)
    assert rec.take() == [FingerFault(FingerProblem.NO_ANSWER)]
    virtual.set_answering(True)
    virtual.module.place(1)
    virtual.poll(200.0)  # retried after RETRY_S, handshakes again
    assert rec.take() == [FingerNotFound()]


def test_the_lock_never_uploads_a_template_D_FINGER_PRIV(virtual: VirtualFingerprint) -> None:
    rec = Recorder(virtual)
    enrol(virtual, rec, finger=1, slot=0)
    virtual.touch(1)
    virtual.command(FingerOp.KEEP_ONLY, slots=frozenset({0}))
    assert virtual.module.uploads == 0
    assert not {fp.UP_CHAR, fp.UP_IMAGE, fp.DOWN_CHAR} & set(virtual.module.commands)


def test_the_module_keeps_its_templates_in_flash_across_restarts_D_FINGER_HW(
    tmp_path: Path,
) -> None:
    flash = tmp_path / "finger.json"
    first = VirtualFingerprint(ChangeFeed(), flash)
    enrol(first, Recorder(first), finger=4, slot=8)
    again = VirtualFingerprint(ChangeFeed(), flash)
    rec = Recorder(again)
    again.touch(4)
    assert next(e for e in rec.take() if isinstance(e, FingerMatched)).slot == 8


# ------------------------------------------------------- a real serial port (a pty)


@pytest.fixture
def pty_module() -> Iterator[tuple[str, SimulatedModule]]:
    """The simulated module on the far end of a pseudo-terminal, as on a USB-TTL cable."""
    module = SimulatedModule()
    master, slave = os.openpty()
    tty.setraw(slave)
    stop = threading.Event()

    def serve() -> None:
        buffer = b""
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            buffer += os.read(master, 512)
            while (size := fp.packet_size(buffer)) is not None and len(buffer) >= size:
                packet, buffer = buffer[:size], buffer[size:]
                if module.answering:
                    os.write(master, module.answer(packet))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield os.ttyname(slave), module
    stop.set()
    thread.join(1)
    os.close(master)
    os.close(slave)


def test_pyserial_drives_the_module_over_a_real_port_D_FINGER_HW(
    pty_module: tuple[str, SimulatedModule],
) -> None:
    port, module = pty_module
    part = serial_module(port)
    rec = Recorder(part)
    part.command(FingerOp.CAPTURE, press=1)
    module.place(0)
    part.poll(1.0)
    assert rec.take() == [FingerCaptured(1, None)]
    part.close()


def test_a_silent_module_on_a_real_port_times_out_instead_of_hanging_D_FINGER_HW(
    pty_module: tuple[str, SimulatedModule],
) -> None:
    import serial

    port, module = pty_module
    module.answering = False
    part = ModuleFingerprint(serial.Serial(port, 57600, timeout=0.2))
    rec = Recorder(part)
    started = time.monotonic()
    part.poll(1.0)
    assert rec.take() == [FingerFault(FingerProblem.NO_ANSWER)]
    assert time.monotonic() - started < 2.0
    part.close()


def test_on_a_pi_the_touch_line_reads_the_finger_at_once_D_FINGER_HW(
    pty_module: tuple[str, SimulatedModule],
) -> None:
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    from smartlock.hal.rpi import RpiPins, build_rpi_hardware

    class FakeAdc:
        value = 0.84

    port, module = pty_module
    Device.pin_factory = factory = MockFactory()
    try:
        pins = RpiPins(finger_touch=1)  # free in the default map (no HAT ID EEPROM)
        hardware = build_rpi_hardware(
            pins, adc=FakeAdc(), scan_keypad=False, camera_index=99, fingerprint_port=port
        )
        assert hardware.fingerprint is not None
        heard: list[HardwareEvent] = []
        hardware.listen(heard.append)
        module.place(2)
        factory.pin(1).drive_high()  # the R503 raises its touch output
        assert heard == [FingerNotFound()]  # read now, not at the next poll
        hardware.close()
    finally:
        factory.reset()
        Device.pin_factory = None
