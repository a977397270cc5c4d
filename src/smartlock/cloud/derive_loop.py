"""The task of an ingesting worker that drains derived app data (``cloud.derive``)
off the journal's path: notifications and scenes never slow ingestion down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from smartlock.cloud import derive
from smartlock.cloud.outcome import Outcome
from smartlock.cloud.services import Services
from smartlock.link.connection import raise_if_cancelled

log = logging.getLogger(__name__)

DERIVE_CHUNK = 250  # locks per derive transaction
DERIVE_GATHER_S = 0.2
SWEEP_S = 5.0  # how often a worker looks for journal left underived (a killed worker)


class DeriveLoop:
    """Locks with journal to derive, gathered from the batches and drained in chunks;
    ``send`` takes each drain's outcome (published by the link).
    """

    def __init__(self, services: Services, send: Callable[[Outcome], None]) -> None:
        self.services = services
        self.wanted: set[str] = set()
        self._wake = asyncio.Event()
        self._send = send

    def want(self, device_ids: set[str]) -> None:
        self.wanted |= device_ids
        self._wake.set()

    async def run(self) -> None:
        last_sweep = 0.0
        while True:
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({waiter}, timeout=SWEEP_S)
            finally:
                waiter.cancel()
            raise_if_cancelled()
            if 0 < len(self.wanted) < DERIVE_CHUNK:
                # Let a few more batches' locks gather: a drain costs about ten queries
                # whether it serves 3 locks or 250 (a notification is ~0.2 s later).
                await asyncio.sleep(DERIVE_GATHER_S)
            self._wake.clear()
            try:
                if time.monotonic() - last_sweep >= SWEEP_S:
                    last_sweep = time.monotonic()
                    self.wanted |= set(await asyncio.to_thread(derive.pending, self.services))
                while self.wanted:
                    chunk = sorted(self.wanted)[:DERIVE_CHUNK]
                    self.wanted -= set(chunk)
                    outcome = await asyncio.to_thread(derive.drain, self.services, device_ids=chunk)
                    self.wanted |= outcome.derive
                    self._send(outcome)
            except Exception:
                log.exception("deriving app data failed; will retry")
                await asyncio.sleep(1.0)
