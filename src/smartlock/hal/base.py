"""The roots of every hardware part: `Part` and `InputPart` with its listeners.

Apart from `parts.py` so that a part in its own module (the fingerprint reader) can
derive from them without importing the bundle that lists it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from smartlock.errors import ErrorCode, Fault, SmartlockError
from smartlock.hardware import HardwareEvent

Listener = Callable[[HardwareEvent], None]


class HardwareError(SmartlockError):
    """Root of hardware failures; `code` is machine-readable for the CLI and the app."""

    code = ErrorCode.HARDWARE
    fault = Fault.OURS


class CameraUnavailable(HardwareError):
    code = ErrorCode.CAMERA_UNAVAILABLE


class Part:
    """Anything the lock is built from; may hold pins or a device to release."""

    def close(self) -> None:
        """Release pins or devices; the default part holds none."""


class InputPart(Part):
    """A part that reports happenings to its listeners (possibly from another thread)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()

    def listen(self, listener: Listener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def emit(self, event: HardwareEvent) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)

    def poll(self, now: float) -> None:
        """Sample the part; parts that are read, not interrupt-driven, override this."""
