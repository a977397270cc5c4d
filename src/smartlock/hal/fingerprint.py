"""The fingerprint module part: an R30x / R503 / AS608 that matches on itself.

`ModuleFingerprint` drives one over a UART through `adafruit_fingerprint` (the
maintained CircuitPython library; with Blinka it runs on a Pi over pyserial). The
core asks for one thing at a time (`FingerOp`); the part does it and reports what
happened as `HardwareEvent`s. Templates are made, stored and searched inside the module:
this code never uploads one (D-PRIV).

A module that stops answering makes the library raise (a short read), never hang:
the part reports `FingerFault(NO_ANSWER)` once per outage and handshakes again on
the next poll.
"""

from __future__ import annotations

import abc
import logging
import threading
from typing import Any, Protocol

from smartlock.hal.base import InputPart
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

log = logging.getLogger(__name__)
OK, NO_FINGER, NOT_FOUND, ENROLL_MISMATCH = 0x00, 0x02, 0x09, 0x0A
RETRY_S = 30.0  # how often a module that stopped answering is tried again


class Uart(Protocol):
    """What the library needs of a serial port (pyserial's `Serial` has it)."""

    def write(self, data: bytes) -> int | None: ...

    def read(self, size: int = 1) -> bytes: ...


class FingerprintReader(InputPart, abc.ABC):
    """A fingerprint sensor; emits `FingerMatched` or `FingerNotFound`, `FingerCaptured`,
    `FingerLifted`, `FingerStored` and `FingerFault`. `presses`: how many an enrolment takes.
    """

    presses = 2

    @abc.abstractmethod
    def command(self, op: FingerOp, press: int = 0, slots: frozenset[int] = frozenset()) -> None:
        """Do `op` now (store, delete) or from the next poll on (scan, capture, lift)."""


class ModuleFingerprint(FingerprintReader):
    """The module behind `uart`, polled by the runtime (and at once by a touch)."""

    def __init__(self, uart: Uart, *, presses: int = 2) -> None:
        super().__init__()
        if presses not in (2, 3):
            raise ValueError(f"a module takes 2 or 3 presses, not {presses}")
        self.presses = presses  # 2: AS608 (two character buffers); 3: R503 (six)
        self._uart = uart
        self._sensor: Any = None
        self._mode: FingerOp | None = FingerOp.SCAN  # None: idle, waiting for the core
        self._press = 0
        self._finger_down = False  # a finger resting on the glass is judged once
        self._silent = False
        self._retry_at = 0.0
        self._lock = threading.Lock()
        self._also_close: list[Any] = []

    # -- the part's interface ------------------------------------------------------------

    def command(self, op: FingerOp, press: int = 0, slots: frozenset[int] = frozenset()) -> None:
        with self._lock:
            events = self._guarded(lambda: self._command(op, press, slots))
        self._emit_all(events)

    def poll(self, now: float) -> None:
        with self._lock:
            if self._silent and now < self._retry_at:
                return  # a dead line costs a read timeout: try it again later
            self._retry_at = now + RETRY_S
            events = self._guarded(self._poll)
        self._emit_all(events)

    def poll_now(self) -> None:
        """Look at the glass at once (a touch on the virtual sensor), retry or not."""
        with self._lock:
            events = self._guarded(self._poll)
        self._emit_all(events)

    def also_close(self, part: Any) -> None:
        """Release `part` (e.g. the touch line's pin) with the module."""
        self._also_close.append(part)

    def close(self) -> None:
        for thing in (*self._also_close, self._uart):
            closer = getattr(thing, "close", None)
            if callable(closer):
                closer()

    # -- one step, under the lock; events are emitted after it is released ---------------

    def _guarded(self, step: Any) -> list[HardwareEvent]:
        try:
            events: list[HardwareEvent] = step()
        except (RuntimeError, OSError, ValueError, IndexError) as err:
            self._sensor = None  # handshake again next time
            flush = getattr(self._uart, "reset_input_buffer", None)
            if callable(flush):
                flush()  # half an answer must not be read as the next one
            if self._silent:
                return []
            self._silent = True
            log.error("fingerprint module does not answer: %s", err)
            return [FingerFault(FingerProblem.NO_ANSWER)]
        self._silent = False
        return events

    def _module(self) -> Any:
        if self._sensor is None:
            import adafruit_fingerprint

            self._sensor = adafruit_fingerprint.Adafruit_Fingerprint(self._uart)
        return self._sensor

    def _command(self, op: FingerOp, press: int, slots: frozenset[int]) -> list[HardwareEvent]:
        if op in (FingerOp.SCAN, FingerOp.CAPTURE, FingerOp.AWAIT_LIFT):
            self._mode, self._press = op, press
            return []
        sensor = self._module()
        if op is FingerOp.STORE:
            self._mode = None  # idle until the core says scan
            return [self._store(sensor, min(slots))]
        if op is FingerOp.DELETE:
            for slot in sorted(slots):
                sensor.delete_model(slot)
            return []
        # KEEP_ONLY: what the module holds beyond `slots` is stale
        if sensor.read_templates() != OK:
            raise RuntimeError("cannot read the template index")
        for slot in sorted(set(sensor.templates) - slots):
            sensor.delete_model(slot)
        return []

    def _store(self, sensor: Any, slot: int) -> HardwareEvent:
        merged = sensor.create_model()
        if merged == ENROLL_MISMATCH:
            return FingerFault(FingerProblem.PRESSES_DIFFER)
        if merged != OK or sensor.store_model(slot) != OK:
            return FingerFault(FingerProblem.MODULE_ERROR)
        return FingerStored(slot)

    def _poll(self) -> list[HardwareEvent]:
        sensor = self._module()
        touched = sensor.get_image()
        if touched == NO_FINGER:
            self._finger_down = False
            if self._mode is FingerOp.AWAIT_LIFT:
                self._mode = None
                return [FingerLifted()]
            return []
        if touched != OK or self._finger_down:
            return []
        if self._mode is FingerOp.SCAN:
            self._finger_down = True
            return [self._identify(sensor)]
        if self._mode is FingerOp.CAPTURE:
            self._finger_down = True
            return [self._capture(sensor)]
        return []

    def _identify(self, sensor: Any) -> HardwareEvent:
        if sensor.image_2_tz(1) != OK:
            return FingerFault(FingerProblem.BAD_IMAGE)
        found = sensor.finger_fast_search()
        if found == OK:
            return FingerMatched(int(sensor.finger_id), int(sensor.confidence))
        return FingerNotFound()

    def _capture(self, sensor: Any) -> HardwareEvent:
        press = self._press
        if sensor.image_2_tz(press) != OK:
            return FingerFault(FingerProblem.BAD_IMAGE)  # the core asks for it again
        found_slot = None
        if press == 1 and sensor.finger_fast_search() == OK:  # searches char buffer 1
            found_slot = int(sensor.finger_id)
        self._mode = None
        return FingerCaptured(press, found_slot)

    def _emit_all(self, events: list[HardwareEvent]) -> None:
        for event in events:
            self.emit(event)


BAUD = 57600  # the modules' factory setting
READ_TIMEOUT_S = 1.0  # an answer takes < 0.5 s (a search of 1,000 templates)


def serial_module(port: str, *, baud: int = BAUD, presses: int = 2) -> ModuleFingerprint:
    """The module on serial port `port` (a Pi's UART, or a USB-TTL adapter), via pyserial."""
    import serial

    return ModuleFingerprint(serial.Serial(port, baud, timeout=READ_TIMEOUT_S), presses=presses)
