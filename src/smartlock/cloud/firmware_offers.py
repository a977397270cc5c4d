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
        # The database read and the signing run in a thread: at 10,000 locks a round
        # on the event loop held the HTTP process's requests for a second every 5 s.
        messages = await asyncio.to_thread(self._changed, dict(self._sent))
        for serial, fingerprint, name, payload in messages:
            await link.publish(name, payload, qos=1, retain=True)
            self._sent[serial] = fingerprint
        return len(messages)

    def _changed(self, sent: dict[str, bytes]) -> list[tuple[str, bytes, str, bytes]]:
        """The offers that differ from what each lock was last sent, signed."""
        messages: list[tuple[str, bytes, str, bytes]] = []
        with self.services.sessionmaker() as session:
            table = firmware.offer_table(session)
            fingerprints: dict[str, tuple[bytes, dict[str, Any] | None]] = {}
            rows = session.execute(select(Device.serial, Device.firmware)).all()
            changed = []
            for serial, running in rows:
                if running not in fingerprints:
                    offer = table.for_version(running)
                    release: dict[str, Any] | None = None
                    if offer is not None:
                        release = {"manifest": offer.manifest, "signature": offer.signature}
                    fingerprints[running] = (canonical(release), release)
                if sent.get(serial) != fingerprints[running][0]:
                    changed.append((serial, running))
            if not changed:
                return messages
            devices: dict[str, Device] = {}
            for start in range(0, len(changed), 1000):  # bind-parameter limits
                serials = [serial for serial, _ in changed[start : start + 1000]]
                query = select(Device).where(Device.serial.in_(serials))
                devices.update((d.serial, d) for d in session.scalars(query))
            for serial, running in changed:
                device = devices.get(serial)
                if device is None:
                    continue  # unbound meanwhile
                fingerprint, release = fingerprints[running]
                key = lockops.lock_key(self.services, device)
                name, payload = sign_message(key, serial, FirmwareOffer(release=release))
                messages.append((serial, fingerprint, name, payload))
        return messages


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
