"""The lock's offline-code checker, keyed by whatever binding the lock has now (A-TEMP).

The secret comes from the per-lock link key made at pairing, so re-pairing or a
factory reset voids every outstanding code. The derivation belongs to the link
(`smartlock.link.offline_secret`, shared with the cloud that issues the codes); until
it exists, no offline code is accepted rather than one derived differently.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from smartlock.device.offline_codes import OfflineCodeBook
from smartlock.device.ports import OfflineVerdict
from smartlock.device.records import Binding

log = logging.getLogger(__name__)

SecretFn = Callable[[str], bytes]


def _derivation() -> SecretFn | None:
    try:
        module = importlib.import_module("smartlock.link.offline_secret")
    except ImportError:
        return None
    fn = getattr(module, "offline_secret", None)
    return fn if callable(fn) else None


class BindingCodeBook:
    """`OfflineCodeChecker` over the current binding's key; refuses while unbound."""

    def __init__(self, tz_offset_min: int = 0) -> None:
        self.binding: Callable[[], Binding | None] = lambda: None
        self.tz_offset_min = tz_offset_min
        self._derive = _derivation()
        self._book: tuple[str, OfflineCodeBook] | None = None

    def check(self, digits: str, now: float) -> OfflineVerdict:
        binding = self.binding()
        if binding is None or not binding.lock_key or self._derive is None:
            return OfflineVerdict(valid=False, reason="no_secret")
        if self._book is None or self._book[0] != binding.lock_key:
            secret = self._derive(binding.lock_key)
            self._book = (binding.lock_key, OfflineCodeBook(secret, self.tz_offset_min))
        return self._book[1].check(digits, now)
