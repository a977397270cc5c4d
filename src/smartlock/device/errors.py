"""The lock's errors: they live in `smartlock.errors`, the one root every layer shares."""

from __future__ import annotations

from smartlock.errors import ErrorCode, InputError, LockError, Refused, StoreError, StoreFull

__all__ = ["ErrorCode", "InputError", "LockError", "Refused", "StoreError", "StoreFull"]
