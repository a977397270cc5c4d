"""The lock's errors: they live in `smartlock.errors`, the one root every layer shares."""

from __future__ import annotations

from smartlock.errors import (
    ErrorCode,
    Fault,
    InputError,
    LockError,
    Refused,
    SmartlockError,
    StoreError,
    StoreFull,
)

__all__ = [
    "ErrorCode",
    "Fault",
    "InputError",
    "LockError",
    "Refused",
    "SmartlockError",
    "StoreError",
    "StoreFull",
]
