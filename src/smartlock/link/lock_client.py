"""The lock's MQTT client: the only lock-side module that touches the network.

It keeps one MQTT v5 session (client id = lock id, last will `offline` retained on
`availability`) and, over it: publishes the signed state (retained) whenever it
changes; sends unacknowledged journal events oldest first, one batch in flight,
resending until the cloud's signed ack comes back (the lock's store forgets nothing
before that: D-LOG); checks each command's signature, expiry and nonce before the
lock sees it and answers with a signed result (A-REMOTE); applies newer desired
settings and reports them (A-SETTINGS); speaks Home Assistant discovery. Any
broken connection is retried with exponential backoff and jitter. `pair()` runs the
D-PAIR exchange with the provisioning identity.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiomqtt

from smartlock.errors import ErrorCode
from smartlock.link import homeassistant as ha
from smartlock.link.codec import Inbound, canonical, parse
from smartlock.link.connection import (
    BrokerConfig,
    mqtt_client,
    no_delay,
    raise_if_cancelled,
    wait_first,
)
from smartlock.link.errors import AuthError, LinkError, PairingError
from smartlock.link.ha_link import HaLink, Message, homeassistant_command
from smartlock.link.lock_side import LockSide
from smartlock.link.pairing import Label, LockCredentials, make_hello, open_credentials
from smartlock.link.schemas import (
    MAX_PAYLOAD,
    Ack,
    Command,
    CommandResult,
    EventBatch,
    FirmwareOffer,
    HaCommand,
    LinkAction,
    PairingCredentials,
    ShadowDesired,
    Snapshot,
)
from smartlock.link.signing import (
    CommandGuard,
    new_nonce,
    open_sealed_params,
    sign_message,
    verify_message,
)
from smartlock.link.topics import HA_STATUS, Channel, topic

log = logging.getLogger(__name__)

HA_FRESH_S = 120.0  # events older than this are not replayed to Home Assistant


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """Tuning knobs of the lock client; the defaults suit a real lock."""

    batch_size: int = 50
    # An unacknowledged batch is sent again after ack_timeout_s, then after twice as
    # long each time up to ack_timeout_max_s, each wait scaled by a random factor in
    # [1 - resend_jitter, 1 + resend_jitter]: after a cloud outage, 10,000 locks do not
    # resend in lock-step, and a slow cloud is not buried under copies (fleet).
    ack_timeout_s: float = 5.0
    ack_timeout_max_s: float = 120.0
    resend_jitter: float = 0.25
    poll_s: float = 5.0
    reconnect_min_s: float = 0.2
    reconnect_max_s: float = 30.0
    ha_discovery: bool = True
    device_name: str = ha.DEFAULT_NAME  # until the app's name arrives in the shadow


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
        self.options = options or LinkOptions()
        self.lock_id = credentials.lock_id
        self.connected = asyncio.Event()
        self.sessions = 0
        self._clock = clock
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        self._resends = 0  # of the batch in flight
        self._key = credentials.lock_key
        self._guard = CommandGuard()
        self._wake = asyncio.Event()
        self._inflight: int | None = None
        self._inflight_deadline = 0.0
        self._last_state: bytes | None = None
        self._ha = HaLink(self.lock_id, self.options.device_name)  # what HA was last sent
        # One writer at a time for HA's retained topics (see `_publish_ha`).
        self._ha_writing = asyncio.Lock()
        self._ha_through = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._mqtt: aiomqtt.Client | None = None  # the live session, for snapshots

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
            except (aiomqtt.MqttError, OSError) as exc:
                log.warning("link %s: connection lost: %s", self.lock_id, exc)
            except Exception:  # a bug must cost a reconnect, never the link
                log.exception("link %s: session failed; reconnecting", self.lock_id)
            if self.sessions > started:
                delay = self.options.reconnect_min_s
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(self.options.reconnect_max_s, delay * 2)

    def _t(self, channel: Channel) -> str:
        return topic(self.lock_id, channel)

    async def _session(self) -> None:
        will = aiomqtt.Will(self._t(Channel.AVAILABILITY), b"offline", qos=1, retain=True)
        creds = self.credentials
        client = mqtt_client(
            self.broker, self.lock_id, creds.broker_username, creds.broker_password, will
        )
        async with client:
            no_delay(client)  # a command's result must not wait for a delayed ACK
            # A task of an older session must never hold up this one's HA publishes.
            self._ha_writing = asyncio.Lock()
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
                await _cancel_all(tasks | self._tasks)

    async def _start_session(self, client: aiomqtt.Client) -> None:
        subs = [Channel.CMD, Channel.ACK, Channel.SHADOW_DESIRED, Channel.FIRMWARE_OFFER]
        if self.options.ha_discovery:  # commands are refused visibly unless allowed (A-HA)
            subs.append(Channel.HA_COMMAND)
        topics = [(self._t(c), 1) for c in subs]
        if self.options.ha_discovery:
            topics.append((HA_STATUS, 1))
        await client.subscribe(topics)
        await client.publish(self._t(Channel.AVAILABILITY), b"online", qos=1, retain=True)
        self._inflight, self._last_state = None, None
        await self._publish_signed(client, self.lock.reported(), retain=True)
        if self.options.ha_discovery:
            await self._publish_discovery(client)
        self.sessions += 1
        self._mqtt = client
        self.connected.set()
        log.info("link %s: connected to %s:%s", self.lock_id, self.broker.host, self.broker.port)

    # ----- lock → cloud ------------------------------------------------------------

    async def _publish_signed(
        self, client: aiomqtt.Client, message: Any, retain: bool = False
    ) -> None:
        name, payload = sign_message(self._key, self.lock_id, message)
        await client.publish(name, payload, qos=1, retain=retain)

    async def publish_snapshot(self, snapshot: Snapshot) -> bool:
        """Send one face-masked picture (A-LIVE) now; False when not connected.

        Pictures are not queued: a doorbell snapshot from before a reconnect is stale,
        and the journal still carries the ring itself (D-LOG).
        """
        client = self._mqtt
        if client is None or not self.connected.is_set():
            return False
        name, payload = sign_message(self._key, self.lock_id, snapshot)
        if len(payload) > MAX_PAYLOAD:
            log.warning("link %s: snapshot of %d B too large", self.lock_id, len(payload))
            return False
        try:
            await client.publish(name, payload, qos=1)
            if self.options.ha_discovery:  # HA's camera entity: the same masked JPEG, raw
                jpeg = base64.b64decode(snapshot.jpeg_b64)
                await client.publish(topic(self.lock_id, Channel.HA_CAMERA), jpeg, retain=True)
        except aiomqtt.MqttError as exc:
            log.warning("link %s: snapshot not sent: %s", self.lock_id, exc)
            return False
        return True

    async def _send_loop(self, client: aiomqtt.Client) -> None:
        while True:
            raise_if_cancelled()
            self._wake.clear()
            await self._publish_state_if_changed(client)
            await self._send_events_if_due(client)
            wait = self.options.poll_s
            if self._inflight is not None:
                wait = max(0.01, min(wait, self._inflight_deadline - self._monotonic()))
            await self._sleep_or_wake(wait)

    async def _sleep_or_wake(self, seconds: float) -> None:
        # asyncio.wait never cancels or swallows anything; 3.11's wait_for and timeout
        # can swallow a cancel that lands as the timer fires, so the loop would outlive
        # its session.
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            waiter.cancel()

    async def _publish_state_if_changed(self, client: aiomqtt.Client) -> None:
        if self.options.ha_discovery:  # only what changed: a duress ending, a new name
            await self._publish_ha(client)
        state = self.lock.status()
        fingerprint = canonical(state.model_dump(mode="json", exclude={"sent_at"}))
        if fingerprint == self._last_state:
            return
        state = state.model_copy(update={"sent_at": self._clock(), "online": True})
        await self._publish_signed(client, state, retain=True)
        self._last_state = fingerprint

    def resend_delay(self, attempt: int) -> float:
        """How long to wait for the ack of a batch sent for the (attempt+1)-th time."""
        opts = self.options
        base = min(opts.ack_timeout_max_s, opts.ack_timeout_s * 2.0 ** min(attempt, 30))
        return base * self._rng.uniform(1.0 - opts.resend_jitter, 1.0 + opts.resend_jitter)

    async def _send_events_if_due(self, client: aiomqtt.Client) -> None:
        now = self._monotonic()
        if self._inflight is not None and now < self._inflight_deadline:
            return
        events = list(self.lock.unacked_events(self.options.batch_size))
        if not events:
            self._inflight = None
            return
        resending = self._inflight is not None and events[0].seq <= self._inflight
        acked = self.lock.acked_through()
        while True:  # shrink the batch until it fits the payload limit
            batch = EventBatch(acked_through=acked, events=events)
            name, payload = sign_message(self._key, self.lock_id, batch)
            if len(payload) <= MAX_PAYLOAD or len(events) == 1:
                break
            events = events[: len(events) // 2]
        await client.publish(name, payload, qos=1)
        self._resends = self._resends + 1 if resending else 0
        self._inflight = events[-1].seq
        self._inflight_deadline = now + self.resend_delay(self._resends)
        if self.options.ha_discovery:
            await self._publish_ha_events(client, batch)

    async def _publish_ha_events(self, client: aiomqtt.Client, batch: EventBatch) -> None:
        now = self._clock()
        for event in batch.events:
            if event.seq <= self._ha_through:
                continue
            self._ha_through = event.seq
            if now - event.at > HA_FRESH_S:
                continue
            for name, body in self._ha.event_messages(event, now):
                await client.publish(name, body, qos=1, retain=name == self._ha.duress_topic)

    async def _publish_discovery(self, client: aiomqtt.Client) -> None:
        """HA (re)started: the document, then every retained HA topic again (state,
        duress, firmware), so nothing reads `unknown`.
        """
        await self._publish_ha(client, discovery=True)

    async def _publish_ha(
        self,
        client: aiomqtt.Client,
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
        async with self._ha_writing:
            state, now = self.lock.status(), self._clock()
            if self._ha.describe(state, self.lock.reported()) or discovery:
                messages = self._ha.discovery_messages(now)
                self._last_state = None  # HA (re)started or the device changed: state too
            else:
                messages = self._ha.state_messages(state, now, force=force)
            for name, payload, retain in [first, *messages] if first else messages:
                await client.publish(name, payload, qos=1, retain=retain)

    async def _publish_offline(self, client: aiomqtt.Client) -> None:
        """Say `offline` before a clean disconnect (MQTT sends the will only on a crash)."""
        with contextlib.suppress(aiomqtt.MqttError, TimeoutError, OSError):
            async with asyncio.timeout(1.0):
                await client.publish(self._t(Channel.AVAILABILITY), b"offline", qos=1, retain=True)

    # ----- cloud → lock ------------------------------------------------------------

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            raise_if_cancelled()
            name = message.topic.value
            payload = message.payload if isinstance(message.payload, bytes) else b""
            try:
                if name == HA_STATUS:
                    if payload == b"online":
                        await self._publish_discovery(client)
                        self._wake.set()
                    continue
                inbound = parse(name, payload)
                if inbound.lock_id != self.lock_id:
                    raise LinkError(f"message for another lock on {name}")
                await self._dispatch(client, inbound)
            except LinkError as exc:
                log.warning("link %s: dropped message on %s: %s", self.lock_id, name, exc)
            except aiomqtt.MqttError:
                raise  # the session itself is over: run() reconnects
            except Exception:  # one message must never end the receive loop
                log.exception("link %s: dropped message on %s after an error", self.lock_id, name)

    async def _dispatch(self, client: aiomqtt.Client, inbound: Inbound) -> None:
        if inbound.channel is Channel.HA_COMMAND:
            self._spawn(self._on_ha_command(client, inbound.message), inbound.topic)
            return
        message = verify_message(self._key, inbound)
        if isinstance(message, FirmwareOffer):
            await self._on_firmware_offer(client, message)
        elif isinstance(message, Ack):
            self._on_ack(message)
        elif isinstance(message, Command):
            self._spawn(self._on_command(client, message), inbound.topic)
        elif isinstance(message, ShadowDesired):
            await self._on_desired(client, message)
        else:
            raise LinkError(f"unexpected {type(message).__name__} on {inbound.topic}")

    def _spawn(self, coro: Any, topic_name: str) -> None:
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

    def _on_ack(self, ack: Ack) -> None:
        if ack.up_to_seq <= self.lock.acked_through():
            return
        if self._inflight is None or ack.up_to_seq > self._inflight:
            log.warning("link %s: ack %d beyond what was sent", self.lock_id, ack.up_to_seq)
            return
        self.lock.ack(ack.up_to_seq)
        self._inflight = None  # progress: send the next batch right away
        self._wake.set()

    async def _on_command(self, client: aiomqtt.Client, command: Command) -> None:
        try:
            self._guard.check(command, self._clock())
            params = open_sealed_params(self._key, self.lock_id, command.request_id, command.params)
        except AuthError as exc:
            log.warning("link %s: refused command: %s", self.lock_id, exc)
            if exc.code is ErrorCode.DUPLICATE_REQUEST:
                return  # already answered once; a second answer could contradict it
            result = CommandResult(request_id=command.request_id, ok=False, reason=exc.code.value)
        except LinkError as exc:
            result = CommandResult(request_id=command.request_id, ok=False, reason=exc.code.value)
        else:
            result = await self.lock.submit(command.model_copy(update={"params": params}))
            if result.request_id != command.request_id:
                result = result.model_copy(update={"request_id": command.request_id})
        with contextlib.suppress(aiomqtt.MqttError):
            await self._publish_signed(client, result)
        self._wake.set()

    async def _on_desired(self, client: aiomqtt.Client, desired: ShadowDesired) -> None:
        if desired.version <= self.lock.reported().version:
            return
        reported = self.lock.apply_settings(desired.version, desired.settings)
        await self._publish_signed(client, reported, retain=True)
        self._wake.set()

    async def _on_firmware_offer(self, client: aiomqtt.Client, offer: FirmwareOffer) -> None:
        """The cloud's newest signed release for this lock: HA's update entity shows it."""
        self._ha.offer = offer.release
        if self.options.ha_discovery:
            await self._publish_ha(client)

    async def _on_ha_command(self, client: aiomqtt.Client, command: HaCommand) -> None:
        """A-HA: run HA's command through the lock's rules; say why when refused."""
        now = self._clock()
        if command.action == "INSTALL":
            await self._install_from_ha(client, now)
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
            await self._publish_ha_refusal(client, command.action, result.reason)
        self._wake.set()

    async def _install_from_ha(self, client: aiomqtt.Client, now: float) -> None:
        """A-OTA from HA's update entity: the offered release exactly as the vendor
        signed it, through the lock's own `firmware_update` (signature, model,
        no downgrade, size + SHA-256), as when the app starts it.
        """
        if self._ha.offer is None:
            await self._publish_ha_refusal(client, "INSTALL", "no_update_available")
            return
        self._ha.installing = True
        await self._publish_ha(client)
        try:
            result = await self.lock.submit(
                Command(
                    request_id=f"ha-install-{uuid.uuid4().hex}",
                    action=LinkAction.FIRMWARE_UPDATE,
                    params={"release": self._ha.offer},
                    issued_at=now,
                    expires_at=now + 300,
                    nonce=new_nonce(),
                )
            )
        finally:
            self._ha.installing = False
        if not result.ok:
            await self._publish_ha_refusal(client, "INSTALL", result.reason)
        else:
            await self._publish_ha(client)
        self._wake.set()

    async def _publish_ha_refusal(
        self, client: aiomqtt.Client, action: str, reason: str | None
    ) -> None:
        """The `Command refused` event, and the real state again at once (A-HA)."""
        with contextlib.suppress(aiomqtt.MqttError):
            event = (self._t(Channel.HA_REFUSED), canonical(ha.refusal(action, reason)), False)
            await self._publish_ha(client, force=True, first=event)


async def _cancel_all(tasks: set[asyncio.Task[None]]) -> None:
    """Cancel `tasks` and give them a moment; never hang on one that will not stop."""
    for task in tasks:
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
    if tasks:
        await asyncio.wait(tasks, timeout=2)


async def pair(
    broker: BrokerConfig,
    label: Label,
    *,
    username: str,
    password: str,
    firmware: str = "",
    window_s: float = 180.0,
    hello_every_s: float = 15.0,
    clock: Callable[[], float] = time.time,
) -> LockCredentials:
    """D-PAIR, lock side: announce hellos until the cloud's sealed answer opens.

    Connects with the provisioning identity (`username`/`password`, client id = the
    serial) and returns the lock's own credentials; PairingError when the window ends.
    """
    hellos: dict[str, Any] = {}
    answer = topic(label.serial, Channel.PAIRING_CREDENTIALS)

    done = asyncio.Event()

    async def announce(client: aiomqtt.Client) -> None:
        # Stops on `done` as well as on cancel: a cancel that lands as a PUBACK does can
        # be swallowed inside aiomqtt (see raise_if_cancelled); a loop that ignored it
        # would announce forever and pair() would never return.
        while not done.is_set():
            raise_if_cancelled()
            hello = make_hello(label, clock(), firmware)
            hellos[hello.lock_nonce] = hello
            name = topic(label.serial, Channel.PAIRING_HELLO)
            await client.publish(name, canonical(hello.model_dump(mode="json")), qos=1)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(hello_every_s):
                    await done.wait()

    async def listen(client: aiomqtt.Client) -> LockCredentials:
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else b""
            try:
                box = parse(message.topic.value, payload).message
                if not isinstance(box, PairingCredentials) or box.lock_nonce not in hellos:
                    raise PairingError("not an answer to our hello")
                return open_credentials(box, hellos[box.lock_nonce], label.code)
            except LinkError as exc:
                log.warning("pairing %s: dropped answer: %s", label.serial, exc)
        raise PairingError("connection closed during pairing")

    client = mqtt_client(broker, label.serial, username, password, None)
    async with client:
        await client.subscribe(answer, qos=1)
        announcer = asyncio.create_task(announce(client))
        try:
            async with asyncio.timeout(window_s):
                return await listen(client)
        except TimeoutError:
            raise PairingError("pairing window closed without an answer") from None
        finally:
            done.set()
            announcer.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                async with asyncio.timeout(5):
                    await announcer
