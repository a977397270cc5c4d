"""The lock's MQTT session: the one lock-side connection to the cloud.

It keeps one MQTT v5 session (client id = lock id, last will `offline` retained on
`availability`) and runs the link's jobs over it: publishes the signed state
(retained) whenever it changes; hands the journal to `EventSync` (D-LOG); passes
each command through `remote_commands` before the lock sees it and answers with a
signed result (A-REMOTE); applies newer desired settings and reports them
(A-SETTINGS); lets `HaSession` speak to Home Assistant (A-HA) and `snapshots` send
pictures (A-LIVE). Any broken connection is retried with exponential backoff and
jitter. Pairing (D-PAIR) is `pairing_client.pair()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any

from smartlock.link.codec import Inbound, canonical, parse
from smartlock.link.connection import (
    BrokerConfig,
    MqttClient,
    MqttError,
    Will,
    cancel_all,
    mqtt_client,
    no_delay,
    payload_of,
    raise_if_cancelled,
    sleep_or_wake,
    wait_first,
)
from smartlock.link.errors import LinkError
from smartlock.link.event_sync import EventSync
from smartlock.link.ha_session import HaSession
from smartlock.link.lock_side import LockSide
from smartlock.link.options import LinkOptions as LinkOptions
from smartlock.link.pairing import LockCredentials
from smartlock.link.remote_commands import answer_command
from smartlock.link.schemas import Ack, Command, FirmwareOffer, ShadowDesired, Snapshot
from smartlock.link.signing import CommandGuard, sign_message, verify_message
from smartlock.link.snapshots import send_snapshot
from smartlock.link.topics import HA_STATUS, Channel, topic

log = logging.getLogger(__name__)


class LockClient:
    """Run with `await client.run()`; call `notify()` when the lock's state or
    journal changed (the client also polls every `poll_s`).
    """

    def __init__(
        self,
        broker: BrokerConfig,
        credentials: LockCredentials,
        lock: LockSide,
        options: LinkOptions | None = None,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.broker = broker
        self.credentials = credentials
        self.lock = lock
        self.options = opts = options or LinkOptions()
        self.lock_id = lock_id = credentials.lock_id
        self.connected = asyncio.Event()
        self.sessions = 0
        self._clock = clock
        self._key = key = credentials.lock_key
        self._guard = CommandGuard()
        self._wake = asyncio.Event()
        self._last_state: bytes | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._mqtt: MqttClient | None = None  # the live session, for snapshots
        rng = rng or random.Random()
        self.events = EventSync(
            lock, lock_id, key, opts, monotonic=monotonic, rng=rng, wake=self._wake.set
        )
        self.ha = HaSession(
            lock,
            lock_id,
            opts.device_name,
            enabled=opts.ha_discovery,
            clock=clock,
            wake=self._wake.set,
            restated=self._forget_state,
        )

    def notify(self) -> None:
        """The lock changed: publish state and send events now (same event loop)."""
        self._wake.set()

    async def run(self) -> None:
        """Stay connected forever (until cancelled), reconnecting with backoff.

        This loop is the link's supervisor: a session that ends for any reason (the
        broker, the network, or a bug in one of its tasks) is logged and started
        again with backoff; only a cancel ends it, so the link never dies silently.
        """
        delay = self.options.reconnect_min_s
        while True:
            raise_if_cancelled()
            started = self.sessions
            try:
                await self._session()
            except (MqttError, OSError) as exc:
                log.warning("link %s: connection lost: %s", self.lock_id, exc)
            except Exception:  # a bug must cost a reconnect, never the link
                log.exception("link %s: session failed; reconnecting", self.lock_id)
            if self.sessions > started:
                delay = self.options.reconnect_min_s
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(self.options.reconnect_max_s, delay * 2)

    async def publish_snapshot(self, snapshot: Snapshot) -> bool:
        """Send one face-masked picture (A-LIVE) now; False when not connected."""
        client = self._mqtt
        if client is None or not self.connected.is_set():
            return False
        to_ha = self.options.ha_discovery
        return await send_snapshot(client, self._key, self.lock_id, snapshot, to_ha=to_ha)

    def _t(self, channel: Channel) -> str:
        return topic(self.lock_id, channel)

    def _forget_state(self) -> None:
        self._last_state = None

    async def _session(self) -> None:
        will = Will(self._t(Channel.AVAILABILITY), b"offline", qos=1, retain=True)
        creds = self.credentials
        client = mqtt_client(
            self.broker, self.lock_id, creds.broker_username, creds.broker_password, will
        )
        async with client:
            no_delay(client)  # a command's result must not wait for a delayed ACK
            self.ha.restart()
            tasks: set[asyncio.Task[None]] = set()
            try:
                await self._start_session(client)
                tasks = {
                    asyncio.create_task(self._receive(client)),
                    asyncio.create_task(self._send_loop(client)),
                }
                await wait_first(tasks)
            except asyncio.CancelledError:
                # A clean stop, also while the session starts (after `online` went
                # out): the broker sends the will only on a crash (A-HA).
                await self._publish_offline(client)
                raise
            finally:
                self.connected.clear()
                self._mqtt = None
                await cancel_all(tasks | self._tasks)

    async def _start_session(self, client: MqttClient) -> None:
        subs = [Channel.CMD, Channel.ACK, Channel.SHADOW_DESIRED, Channel.FIRMWARE_OFFER]
        if self.options.ha_discovery:  # commands are refused visibly unless allowed (A-HA)
            subs.append(Channel.HA_COMMAND)
        topics = [(self._t(c), 1) for c in subs]
        if self.options.ha_discovery:
            topics.append((HA_STATUS, 1))
        await client.subscribe(topics)
        await client.publish(self._t(Channel.AVAILABILITY), b"online", qos=1, retain=True)
        self.events.restart()
        self._last_state = None
        await self._publish_signed(client, self.lock.reported(), retain=True)
        await self.ha.publish_discovery(client)
        self.sessions += 1
        self._mqtt = client
        self.connected.set()
        log.info("link %s: connected to %s:%s", self.lock_id, self.broker.host, self.broker.port)

    # ----- lock → cloud ------------------------------------------------------------

    async def _publish_signed(self, client: MqttClient, message: Any, retain: bool = False) -> None:
        name, payload = sign_message(self._key, self.lock_id, message)
        await client.publish(name, payload, qos=1, retain=retain)

    async def _send_loop(self, client: MqttClient) -> None:
        while True:
            raise_if_cancelled()
            self._wake.clear()
            await self._publish_state_if_changed(client)
            batch = await self.events.send_if_due(client)
            if batch is not None:
                await self.ha.publish_events(client, batch)
            await sleep_or_wake(self._wake, self.events.wait_s(self.options.poll_s))

    async def _publish_state_if_changed(self, client: MqttClient) -> None:
        await self.ha.publish_changes(client)
        state = self.lock.status()
        fingerprint = canonical(state.model_dump(mode="json", exclude={"sent_at"}))
        if fingerprint == self._last_state:
            return
        state = state.model_copy(update={"sent_at": self._clock(), "online": True})
        await self._publish_signed(client, state, retain=True)
        self._last_state = fingerprint

    async def _publish_offline(self, client: MqttClient) -> None:
        """Say `offline` before a clean disconnect (MQTT sends the will only on a crash)."""
        with contextlib.suppress(MqttError, TimeoutError, OSError):
            async with asyncio.timeout(1.0):
                await client.publish(self._t(Channel.AVAILABILITY), b"offline", qos=1, retain=True)

    # ----- cloud → lock ------------------------------------------------------------

    async def _receive(self, client: MqttClient) -> None:
        async for message in client.messages:
            raise_if_cancelled()
            name = message.topic.value
            payload = payload_of(message)
            try:
                if name == HA_STATUS:
                    if payload == b"online":
                        await self.ha.publish_discovery(client)
                        self._wake.set()
                    continue
                inbound = parse(name, payload)
                if inbound.lock_id != self.lock_id:
                    raise LinkError(f"message for another lock on {name}")
                await self._dispatch(client, inbound)
            except LinkError as exc:
                log.warning("link %s: dropped message on %s: %s", self.lock_id, name, exc)
            except MqttError:
                raise  # the session itself is over: run() reconnects
            except Exception:  # one message must never end the receive loop
                log.exception("link %s: dropped message on %s after an error", self.lock_id, name)

    async def _dispatch(self, client: MqttClient, inbound: Inbound) -> None:
        if inbound.channel is Channel.HA_COMMAND:
            self._spawn(self.ha.on_command(client, inbound.message), inbound.topic)
            return
        message = verify_message(self._key, inbound)
        if isinstance(message, FirmwareOffer):
            await self.ha.on_offer(client, message)
        elif isinstance(message, Ack):
            self.events.on_ack(message)
        elif isinstance(message, Command):
            self._spawn(self._on_command(client, message), inbound.topic)
        elif isinstance(message, ShadowDesired):
            await self._on_desired(client, message)
        else:
            raise LinkError(f"unexpected {type(message).__name__} on {inbound.topic}")

    def _spawn(self, coro: Coroutine[Any, Any, None], topic_name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda t: self._log_failure(t, topic_name))

    def _log_failure(self, task: asyncio.Task[None], topic_name: str) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error(
                "link %s: handling a message on %s failed",
                self.lock_id,
                topic_name,
                exc_info=exc,
            )

    async def _on_command(self, client: MqttClient, command: Command) -> None:
        now = self._clock()
        result = await answer_command(self.lock, self._guard, self._key, self.lock_id, command, now)
        if result is None:
            return
        with contextlib.suppress(MqttError):
            await self._publish_signed(client, result)
        self._wake.set()

    async def _on_desired(self, client: MqttClient, desired: ShadowDesired) -> None:
        if desired.version <= self.lock.reported().version:
            return
        reported = self.lock.apply_settings(desired.version, desired.settings)
        await self._publish_signed(client, reported, retain=True)
        self._wake.set()
