"""The cloud's cache of which lock is which: serial → (device id, decrypted link key).

Every message a lock sends is verified with that lock's key; looking it up and
decrypting it again for each message was a query and an AES-GCM open per message.
The cache is per process and needs no coordination between workers because a stale
entry fails safe: a re-paired lock's messages do not verify with the old key, and the
caller then asks again (``refresh``); an unbound lock's device row is gone, so writes
for it find nothing. Entries also expire, so a forgotten key does not linger.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartlock.cloud.core.crypto import KeyBox
from smartlock.cloud.models import Device


@dataclass(frozen=True, slots=True)
class LockEntry:
    device_id: str
    key: str


class LockKeys:
    """Thread-safe; ``lookup`` fills misses with one query for the whole batch."""

    def __init__(
        self,
        key_box: KeyBox,
        *,
        ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._box = key_box
        self._ttl, self._clock = ttl_s, clock
        self._entries: dict[str, tuple[float, LockEntry]] = {}
        self._lock = threading.Lock()

    def lookup(self, session: Session, serials: Iterable[str]) -> dict[str, LockEntry]:
        """The bound locks among ``serials`` (unknown ones: absent, asked again next time)."""
        now = self._clock()
        found: dict[str, LockEntry] = {}
        missing: list[str] = []
        with self._lock:
            for serial in set(serials):
                hit = self._entries.get(serial)
                if hit is not None and hit[0] > now:
                    found[serial] = hit[1]
                else:
                    missing.append(serial)
        if missing:
            found.update(self._load(session, missing, now))
        return found

    def refresh(self, session: Session, serial: str) -> LockEntry | None:
        """Forget and reload one lock (its message did not verify with the cached key)."""
        self.forget(serial)
        return self._load(session, [serial], self._clock()).get(serial)

    def forget(self, serial: str) -> None:
        with self._lock:
            self._entries.pop(serial, None)

    def _load(self, session: Session, serials: list[str], now: float) -> dict[str, LockEntry]:
        rows = session.execute(
            select(Device.id, Device.serial, Device.key_encrypted).where(
                Device.serial.in_(sorted(serials))
            )
        ).all()
        loaded = {
            r.serial: LockEntry(
                r.id,
                self._box.open(r.key_encrypted, context=f"lock-key:{r.serial}").decode("ascii"),
            )
            for r in rows
        }
        with self._lock:
            # Unknown serials are not remembered: a lock bound a moment ago (by another
            # process) must be found by its first signed message.
            for serial, entry in loaded.items():
                self._entries[serial] = (now + self._ttl, entry)
        return loaded
