"""The lock's offline-code checker, keyed by whatever binding the lock has now (A-TEMP).

The secret is derived from the per-lock link key made at pairing with the link's
`offline_secret` (the cloud issues codes with the same one), so re-pairing or a
factory reset voids every outstanding code. The time zone offset is 0 until the
lock has a time-zone setting: the cloud falls back to 0 too.
"""

from __future__ import annotations

from collections.abc import Callable

from smartlock.device.core.offline_codes import OfflineCodeBook
from smartlock.device.core.ports import OfflineVerdict
from smartlock.device.core.records import Binding
from smartlock.link.offline_secret import offline_secret
from smartlock.link.signing import b64d


class BindingCodeBook:
    """`OfflineCodeChecker` over the current binding's key; refuses while unbound."""

    def __init__(self, tz_offset_min: int = 0) -> None:
        self.binding: Callable[[], Binding | None] = lambda: None
        self.tz_offset_min = tz_offset_min
        self._book: tuple[str, OfflineCodeBook] | None = None

    def check(self, digits: str, now: float) -> OfflineVerdict:
        binding = self.binding()
        if binding is None or not binding.lock_key:
            return OfflineVerdict(valid=False, reason="unbound")
        if self._book is None or self._book[0] != binding.lock_key:
            secret = offline_secret(b64d(binding.lock_key))
            self._book = (binding.lock_key, OfflineCodeBook(secret, self.tz_offset_min))
        return self._book[1].check(digits, now)
