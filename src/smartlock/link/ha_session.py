"""Home Assistant over the lock's MQTT session (A-HA): the one writer of HA's topics
and the handler of HA's commands.

`homeassistant` makes the documents and payloads and `HaLink` remembers what HA was
sent; this module publishes them and runs HA's lock, unlock and install commands
through the lock's own rules, saying why on `ha/refused` when one is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from smartlock.link import homeassistant as ha
from smartlock.link.codec import canonical
from smartlock.link.connection import MqttClient, MqttError
from smartlock.link.ha_link import HaLink, Message, homeassistant_command
from smartlock.link.lock_side import LockSide
from smartlock.link.schemas import (
    Command,
    CommandResult,
    EventBatch,
    FirmwareOffer,
    HaCommand,
    LinkAction,
)
from smartlock.link.signing import new_nonce
from smartlock.link.topics import Channel, topic

log = logging.getLogger(__name__)

HA_FRESH_S = 120.0  # events older than this are not replayed to Home Assistant


class HaSession:
    """What the lock tells HA and does for it; does nothing unless `enabled`."""

    def __init__(
        self,
        lock: LockSide,
        lock_id: str,
        device_name: str,
        *,
        enabled: bool,
        clock: Callable[[], float],
        wake: Callable[[], None],
        restated: Callable[[], None],
    ) -> None:
        self.lock = lock
        self.lock_id = lock_id
        self.enabled = enabled
        self.view = HaLink(lock_id, device_name)  # what HA was last sent
        self._clock = clock
        self._wake = wake
        self._restated = restated  # the document went out: the signed state goes again
        self._writing = asyncio.Lock()  # one writer at a time (see `publish`)
        self._through = 0  # the last journal seq HA was shown

    def restart(self) -> None:
        """A new session: a task of an older one must never hold up its publishes."""
        self._writing = asyncio.Lock()

    async def publish_discovery(self, client: MqttClient) -> None:
        """HA (re)started: the document, then every retained HA topic again (state,
        duress, firmware), so nothing reads `unknown`.
        """
        if self.enabled:
            await self.publish(client, discovery=True)

    async def publish_changes(self, client: MqttClient) -> None:
        """Only what changed since HA was last told: a duress ending, a new name."""
        if self.enabled:
            await self.publish(client)

    async def publish(
        self,
        client: MqttClient,
        *,
        discovery: bool = False,
        force: bool = False,
        first: Message | None = None,
    ) -> None:
        """The one writer of HA's retained topics: what changed (everything with
        `force`; the document too when the name, firmware or code rule changed),
        after `first` (a refusal event, so the real state follows it at once).

        The send loop, the receive loop (an offer, HA's restart) and command tasks (an
        install, a refusal) all publish here, and each publish awaits the broker. So
        the lock's status is read, the payloads are made and they are published under
        one lock: otherwise a list made before an install ended (still `in_progress`)
        could reach the broker after the final state, and stay there retained while
        `HaLink` believes the final state was the last one sent (issue 14).
        """
        async with self._writing:
            state, now = self.lock.status(), self._clock()
            if self.view.describe(state, self.lock.reported()) or discovery:
                messages = self.view.discovery_messages(now)
                self._restated()  # HA (re)started or the device changed: state too
            else:
                messages = self.view.state_messages(state, now, force=force)
            for name, payload, retain in [first, *messages] if first else messages:
                await client.publish(name, payload, qos=1, retain=retain)

    async def publish_events(self, client: MqttClient, batch: EventBatch) -> None:
        """HA's event entities for the fresh events of a batch, each event once."""
        if not self.enabled:
            return
        now = self._clock()
        for event in batch.events:
            if event.seq <= self._through:
                continue
            self._through = event.seq
            if now - event.at > HA_FRESH_S:
                continue
            for name, body in self.view.event_messages(event, now):
                await client.publish(name, body, qos=1, retain=name == self.view.duress_topic)

    async def on_offer(self, client: MqttClient, offer: FirmwareOffer) -> None:
        """The cloud's newest signed release for this lock: HA's update entity shows it."""
        self.view.offer = offer.release
        await self.publish_changes(client)

    async def on_command(self, client: MqttClient, command: HaCommand) -> None:
        """A-HA: run HA's command through the lock's rules; say why when refused."""
        now = self._clock()
        if command.action == "INSTALL":
            await self.install(client, now)
            return
        submitted = homeassistant_command(command, now)
        if isinstance(submitted, str):  # late, from the future, or without HA's clock
            result = CommandResult(request_id="ha-refused", ok=False, reason=submitted)
        else:
            result = await self.lock.submit(submitted)
        log.info(
            "link %s: HA %s -> ok=%s %s", self.lock_id, command.action, result.ok, result.reason
        )
        if not result.ok:
            await self.publish_refusal(client, command.action, result.reason)
        self._wake()

    async def install(self, client: MqttClient, now: float) -> None:
        """A-OTA from HA's update entity: the offered release exactly as the vendor
        signed it, through the lock's own `firmware_update` (signature, model,
        no downgrade, size + SHA-256), as when the app starts it.
        """
        if self.view.offer is None:
            await self.publish_refusal(client, "INSTALL", "no_update_available")
            return
        self.view.installing = True
        await self.publish(client)
        try:
            result = await self.lock.submit(_install_command(self.view.offer, now))
        finally:
            self.view.installing = False
        if not result.ok:
            await self.publish_refusal(client, "INSTALL", result.reason)
        else:
            await self.publish(client)
        self._wake()

    async def publish_refusal(self, client: MqttClient, action: str, reason: str | None) -> None:
        """The `Command refused` event, and the real state again at once (A-HA)."""
        with contextlib.suppress(MqttError):
            name = topic(self.lock_id, Channel.HA_REFUSED)
            event = (name, canonical(ha.refusal(action, reason)), False)
            await self.publish(client, force=True, first=event)


def _install_command(release: dict[str, Any], now: float) -> Command:
    """The lock's own `firmware_update` for the release HA asked to install."""
    return Command(
        request_id=f"ha-install-{uuid.uuid4().hex}",
        action=LinkAction.FIRMWARE_UPDATE,
        params={"release": release},
        issued_at=now,
        expires_at=now + 300,
        nonce=new_nonce(),
    )
