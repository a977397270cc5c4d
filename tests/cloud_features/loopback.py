"""The cloud's link port answered by the one fake lock (tests/fakelock.py: the real core).

``LoopbackLink`` is a ``LinkGateway``: a signed command the cloud publishes is verified
and opened exactly as the lock's link client does (``signing.verify_message``,
``CommandGuard``, ``open_sealed_params``), run on the lock core, and the lock's signed
result and journal go back through ``ingest.handle`` like broker messages. No broker,
but every byte crosses the real codec and signatures.
"""

from __future__ import annotations

import asyncio
import time

from fakelock import FakeLock
from smartlock.cloud import ingest
from smartlock.cloud.services import Services
from smartlock.device.core import effects as fx
from smartlock.device.core.inputs import RemoteCommand
from smartlock.device.core.offline_codes import OfflineCodeBook
from smartlock.link.codec import parse
from smartlock.link.offline_secret import offline_secret
from smartlock.link.runtime_adapter import to_link_event
from smartlock.link.schemas import Command, CommandResult, EventBatch
from smartlock.link.signing import (
    CommandGuard,
    b64d,
    open_sealed_params,
    sign_message,
    verify_message,
)
from smartlock.link.topics import Channel, topic

MASTER_PIN = "246810"


def lock_for(serial: str, key: str) -> FakeLock:
    """The paired lock: offline codes from its link key, the master enrolled at the
    keypad (D-FIRST), so the cloud learns user 001 from the journal.
    """
    sim = FakeLock(
        serial=serial,
        master_pin=None,
        offline_codes=OfflineCodeBook(offline_secret(b64d(key))),
    )
    sim.enrol_master(MASTER_PIN)
    return sim


class LoopbackLink:
    """The cloud's ``LinkGateway``, answered by a ``FakeLock`` (or by nobody: offline)."""

    def __init__(self, services: Services, serial: str, key: str, sim: FakeLock) -> None:
        self.services, self.serial, self.key, self.sim = services, serial, key, sim
        self.online = True
        self.guard = CommandGuard()
        self.published: list[tuple[str, bytes]] = []
        self.commands: list[Command] = []

    @property
    def connected(self) -> bool:
        return True

    async def publish(
        self, name: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        self.published.append((name, payload))
        if name != topic(self.serial, Channel.CMD) or not self.online:
            return
        command = verify_message(self.key, parse(name, payload))
        assert isinstance(command, Command)
        self.guard.check(command, time.time())
        self.commands.append(command)
        params = open_sealed_params(self.key, self.serial, command.request_id, command.params)
        effects = self.sim.feed(
            RemoteCommand(command.request_id, command.action, params, command.expires_at)
        )
        for e in effects:
            if isinstance(e, fx.CommandResult):
                reason = None if e.code is None else e.code.value
                result = CommandResult(request_id=command.request_id, ok=e.ok, reason=reason)
                await asyncio.to_thread(self.deliver, result)
        await asyncio.to_thread(self.sync)

    def deliver(self, message: CommandResult | EventBatch) -> ingest.Outcome:
        outcome = ingest.handle(self.services, *sign_message(self.key, self.serial, message))
        for channel, update in outcome.live:  # as link_worker fans them out
            self.services.live.publish(channel, update)
        return outcome

    def sync(self) -> ingest.Outcome | None:
        """Send the lock's unacked journal to the cloud and apply the cloud's ack (D-LOG)."""
        store = self.sim.lock.store
        events = store.unacked_events(50)
        if not events:
            return None
        batch = EventBatch(
            acked_through=store.acked_seq(), events=[to_link_event(e) for e in events]
        )
        outcome = self.deliver(batch)
        store.ack(events[-1].seq)
        return outcome
