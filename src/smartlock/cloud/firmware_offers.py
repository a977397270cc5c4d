"""Tell each lock which signed firmware release the cloud offers it (A-OTA, A-HA).

The app asks the cloud (`GET …/firmware`); a lock's Home Assistant `update` entity
asks the lock, so the lock must know the offer too. Every few seconds (releases are
also published by the CLI straight into the database) this loop computes
`firmware.offer_for` per bound lock and, when it changed, publishes it retained and
signed with that lock's key on `smartlock/v1/<serial>/firmware/offer`. The release
inside is exactly as the vendor signed it: the lock verifies that signature itself
when HA asks it to install, as for an update started in the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from smartlock.cloud import firmware, lockops
from smartlock.cloud.models import Device
from smartlock.cloud.services import Services
from smartlock.link.codec import canonical
from smartlock.link.schemas import FirmwareOffer
from smartlock.link.signing import sign_message

log = logging.getLogger(__name__)

OFFER_EVERY_S = 5.0


class OfferPublisher:
    """Publishes changed offers; remembers what each lock was last sent."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._sent: dict[str, bytes] = {}  # serial -> canonical release (or b"null")

    async def publish_changed(self) -> int:
        """One round; returns how many offers were published."""
        link = self.services.link
        if not link.connected:
            self._sent.clear()  # a new session: send every offer again
            return 0
        messages: list[tuple[str, bytes, str, bytes]] = []
        with self.services.sessionmaker() as session:
            for device in session.scalars(select(Device)):
                offer = firmware.offer_for(session, device)
                release: dict[str, Any] | None = None
                if offer is not None:
                    release = {"manifest": offer.manifest, "signature": offer.signature}
                fingerprint = canonical(release)
                if self._sent.get(device.serial) == fingerprint:
                    continue
                key = lockops.lock_key(self.services, device)
                name, payload = sign_message(key, device.serial, FirmwareOffer(release=release))
                messages.append((device.serial, fingerprint, name, payload))
        for serial, fingerprint, name, payload in messages:
            await link.publish(name, payload, qos=1, retain=True)
            self._sent[serial] = fingerprint
        return len(messages)


@contextlib.asynccontextmanager
async def run_firmware_offers(
    services: Services, every_s: float = OFFER_EVERY_S
) -> AsyncIterator[OfferPublisher]:
    """Run the offer loop for the app's lifetime."""
    publisher = OfferPublisher(services)

    async def loop() -> None:
        while True:
            try:
                await publisher.publish_changed()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker or database away: try next round
                log.warning("firmware offers not published: %s", exc)
            await asyncio.sleep(every_s)

    task = asyncio.create_task(loop(), name="firmware-offers")
    try:
        yield publisher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
