"""The cloud's MQTT side: ingestion of every lock's messages, and the way out to them.

A process runs one ``MqttLink``. With ``ingest`` (``cloud worker``, and ``cloud serve``
on one machine) it reads the locks' channels through an MQTT v5 shared subscription,
so each message goes to one worker of the group, and handles them in micro-batches:
whatever arrived while the previous batch was being written is the next batch, one
transaction each (``ingest.handle_batch``), so the batch grows with the load and a
quiet lock still gets its ack within a millisecond or two. Acks go out pipelined
(nothing waits for the broker's PUBACK), on a socket with TCP_NODELAY. Derived app
data is drained by a second task (``cloud.derive``), so notifications and scenes
never slow the journal down.

Without ``ingest`` (an HTTP-only process) it only publishes (commands, settings)
and listens for what its own requests and SSE clients wait for:
``smartlock/cloud/done/<command>`` (a worker recorded a command's outcome: wake the
waiting request, no polling) and ``smartlock/cloud/live/<key>``, subscribed per key
while someone watches. Live updates carry a MAC under a key derived from the master
key, so only the cloud's own workers can put something in a user's live stream
(security 9: the broker may be shared).

Retained messages (availability, state, reported settings) are the locks' truth
while no worker runs, so a starting worker takes them (the broker hands every
shared-subscription member the retained set) and reconciles: a write happens only
where the retained message is newer than the database, so a restart of a worker
costs a read of the fleet's retained state, not a write storm, and a lock that
changed while the cloud was down is right again at once. Nothing else is retained.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlsplit

import aiomqtt
import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from smartlock.cloud import derive, ingest
from smartlock.cloud.outcome import Outcome
from smartlock.cloud.services import Services
from smartlock.link.connection import BrokerConfig, no_delay, raise_if_cancelled
from smartlock.link.topics import Channel, all_locks, parse_topic, shared

log = logging.getLogger(__name__)

CLOUD_PREFIX = "smartlock/cloud/"
LIVE_PREFIX = CLOUD_PREFIX + "live/"
DONE_PREFIX = CLOUD_PREFIX + "done/"
LOCK_CHANNELS = (
    Channel.STATE,
    Channel.EVENTS,
    Channel.SHADOW_REPORTED,
    Channel.CMD_RESULT,
    Channel.SNAPSHOT,
    Channel.AVAILABILITY,
    Channel.PAIRING_HELLO,
)
# Command results have a lane of their own: a second session per worker with its own
# shared subscription, so an answer someone waits for at the app (A-REMOTE) is never
# queued behind a storm's backlog on the broker (at a reconnect storm the main
# session's queue holds minutes of journal). Persistent like the main session: a
# result the broker took while the lane was down is still delivered (faults 4).
RESULT_CHANNELS = (Channel.CMD_RESULT,)
MAIN_CHANNELS = tuple(c for c in LOCK_CHANNELS if c not in RESULT_CHANNELS)
RESULT_LANE_SUFFIX = "-r"
# Messages per transaction: big enough to amortise a commit, small enough that a
# command's answer arriving behind a batch waits at most ~0.1 s for it (A-REMOTE).
MAX_BATCH = 300
_CMD_RESULT_SUFFIX = "/" + Channel.CMD_RESULT.value
RECEIVE_MAXIMUM = 1000  # unacknowledged messages the broker may send a worker
DERIVE_CHUNK = 250  # locks per derive transaction
DERIVE_GATHER_S = 0.2
SWEEP_S = 5.0  # how often a worker looks for journal left underived (a killed worker)


def broker_params(url: str) -> dict[str, Any]:
    """aiomqtt.Client arguments from ``mqtt://user:password@host:port``."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp", ""):
        raise ValueError(f"unsupported broker URL scheme {parts.scheme!r} (use mqtt://)")
    params: dict[str, Any] = {"hostname": parts.hostname or "127.0.0.1", "port": parts.port or 1883}
    if parts.username:
        params["username"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    return params


def redacted(url: str) -> str:
    """The broker URL without its password, for logs (security: logs are read widely)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


class LiveSigner:
    """MACs on the cloud's live channel, keyed from the master key (all workers share it)."""

    def __init__(self, services: Services, origin: str) -> None:
        self._key = services.key_box.derive(b"smartlock live channel v1")
        self.origin = origin

    def _mac(self, key: str, body: str) -> str:
        return hmac.new(self._key, f"{key}\n{body}".encode(), hashlib.sha256).hexdigest()

    def seal(self, key: str, update: dict[str, Any]) -> bytes:
        body = json.dumps({"o": self.origin, "u": update}, separators=(",", ":"))
        return json.dumps({"b": body, "m": self._mac(key, body)}).encode()

    def open(self, key: str, payload: bytes) -> dict[str, Any] | None:
        """The update if a cloud worker other than this one sealed it for ``key``."""
        try:
            outer = json.loads(payload)
            body, mac = outer["b"], outer["m"]
            if not isinstance(mac, str) or not hmac.compare_digest(mac, self._mac(key, body)):
                return None
            inner = json.loads(body)
            origin, update = inner["o"], inner["u"]
        except (ValueError, KeyError, TypeError):
            return None
        if origin == self.origin or not isinstance(update, dict):
            return None  # our own: this process's clients had it already
        return update


class MqttLink:
    """A LinkGateway over one aiomqtt client, reconnecting until stopped."""

    def __init__(self, services: Services, *, ingest: bool = True) -> None:
        self.services = services
        self.ingest = ingest
        self._client: aiomqtt.Client | None = None
        self._ready = asyncio.Event()
        session = services.settings.worker_session if ingest else ""
        self.persistent = bool(session)
        self.client_id = session or f"cloud-{uuid.uuid4().hex[:12]}"
        self._signer = LiveSigner(services, self.client_id)
        self._derive_wanted: set[str] = set()
        self._derive_wake = asyncio.Event()
        self._watched: set[str] = set(services.live.keys())
        self._repeats = RepeatedBatches()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = {"messages": 0, "batches": 0, "events": 0, "dropped": 0, "max_batch": 0}
        services.live.on_change = self._watch_changed

    @property
    def connected(self) -> bool:
        return self._client is not None and self._ready.is_set()

    async def wait_ready(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout)
        return self._ready.is_set()

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        client = self._client
        if client is None:
            raise aiomqtt.MqttError(f"broker not connected; not sent to {topic}")
        await client.publish(topic, payload, qos=qos, retain=retain)

    def broker_config(self) -> tuple[BrokerConfig, str, str]:
        settings = self.services.settings
        params = broker_params(settings.broker_url)
        username = settings.broker_username or params.get("username", "")
        password = (
            settings.broker_password.get_secret_value()
            if settings.broker_password is not None
            else params.get("password", "")
        )
        config = BrokerConfig(
            params["hostname"],
            params["port"],
            mqtt5=settings.broker_mqtt5,
            shared_subscriptions=settings.shared_subscriptions and settings.broker_mqtt5,
        )
        return config, username, password

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        tasks = []
        if self.ingest:
            tasks = [
                asyncio.create_task(self._derive_loop()),
                asyncio.create_task(self._report()),
                asyncio.create_task(self._stay_connected(lane=True)),
            ]
        try:
            await self._stay_connected(lane=False)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _stay_connected(self, *, lane: bool) -> None:
        """One session (the main one, or the results lane), reconnecting for ever."""
        delay = 0.2
        what = "results lane" if lane else "broker connection"
        while True:
            raise_if_cancelled()  # a cancel aiomqtt swallowed still ends the worker
            try:
                await self._session(lane=lane)
                delay = 0.2
            except (aiomqtt.MqttError, OSError) as exc:
                log.warning("%s lost (%s); retrying in %.1f s", what, exc, delay)
            except Exception:  # never die silently: log, back off, reconnect
                log.exception("cloud link (%s) failed; restarting it in %.1f s", what, delay)
            finally:
                if not lane:
                    self._client = None
                    self._ready.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    # ----- the session ---------------------------------------------------------------

    async def _session(self, *, lane: bool = False) -> None:
        config, username, password = self.broker_config()
        # The database holds our state; a named worker session also keeps the worker's
        # share of the messages queued on the broker while it is away.
        properties = None
        if config.mqtt5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            if self.persistent:
                expiry = self.services.settings.worker_session_expiry_seconds
                properties.SessionExpiryInterval = expiry
            if self.ingest:
                # With MQTT 5 the broker sends at most our Receive Maximum unacknowledged
                # (its own max_inflight_messages is for 3.1.1 clients); we PUBACK after
                # the write, so this bounds what a worker holds (back-pressure).
                properties.ReceiveMaximum = RECEIVE_MAXIMUM
        client = aiomqtt.Client(
            config.host,
            config.port,
            username=username or None,
            password=password or None,
            identifier=self.client_id + (RESULT_LANE_SUFFIX if lane else ""),
            protocol=aiomqtt.ProtocolVersion.V5 if config.mqtt5 else aiomqtt.ProtocolVersion.V311,
            keepalive=config.keepalive_s,
            tls_context=config.tls,
            timeout=10,
            # No more unacknowledged QoS 1 publishes than the broker takes (its Receive
            # Maximum: Mosquitto max_inflight_messages, 20 by default, 1,000 in deploy/);
            # paho does not read it, and a client over it is disconnected (seen at 2,000
            # locks). 20 is enough: acks are pipelined, not awaited.
            max_inflight_messages=20,
            # MQTT 3.1.1 (the embedded amqtt) has no clean start: a fresh session there.
            clean_start=not self.persistent if config.mqtt5 else paho.MQTT_CLEAN_START_FIRST_ONLY,
            properties=properties,
        )
        if self.ingest:
            # PUBACK only once a batch is written (``_handle``): the broker holds at most
            # its max_inflight_messages unacknowledged per worker, so that is the bound
            # on what a worker has in memory (back-pressure: the rest waits, queued on
            # the broker), and a worker killed mid-batch gets its batch again when its
            # named session resumes.
            client._client.manual_ack_set(True)
        async with client:
            no_delay(client)  # acks are small: no Nagle delay (6-28 ms each)
            if lane:
                await self._subscribe_locks(client, config, RESULT_CHANNELS)
                log.info("cloud worker %s following command results", self.client_id)
                await self._consume(client)
                return
            if self.ingest:
                await self._subscribe_locks(client, config, MAIN_CHANNELS)
            await client.subscribe(DONE_PREFIX + "+", qos=0)
            for key in sorted(self._watched):
                await client.subscribe(LIVE_PREFIX + key, qos=0)
            self._client = client
            self._ready.set()
            log.info("cloud worker %s following the locks", self.client_id)
            await self._consume(client)

    async def _subscribe_locks(
        self, client: aiomqtt.Client, config: BrokerConfig, channels: tuple[Channel, ...]
    ) -> None:
        # A fresh session takes the retained state and reconciles from it; a resumed
        # named session already has everything it missed queued, so it asks for the
        # retained set only where its subscription is new (MQTT 5 retain handling 1):
        # a worker restart at 10,000 locks is not 30,000 retained messages per worker.
        group = self.services.settings.worker_group
        options = None
        if config.mqtt5:
            options = SubscribeOptions(qos=1, retainHandling=1 if self.persistent else 0)
        for channel in LOCK_CHANNELS:
            name = all_locks(channel)
            if config.shared_subscriptions:
                name = shared(name, group)
            if channel not in channels:
                if self.persistent and channel in RESULT_CHANNELS:
                    await client.unsubscribe(name)  # resumed from before the lanes split
            elif options is None:
                await client.subscribe(name, qos=1)
            else:
                await client.subscribe(name, options=options)

    async def _consume(self, client: aiomqtt.Client) -> None:
        """Take what has arrived as one batch; while it is written, the next gathers."""
        inbox: asyncio.Queue[aiomqtt.Message] = client._queue
        messages = client.messages
        while True:
            first = await anext(messages)
            batch = [first]
            while len(batch) < MAX_BATCH and not inbox.empty():
                batch.append(inbox.get_nowait())
            raise_if_cancelled()
            try:
                await self._handle(client, batch)
            finally:
                # Stored, dropped as bad, or not stored (the locks resend what the cloud
                # did not ack): each message has been dealt with, PUBACK it.
                for message in batch:
                    if message.qos > 0:
                        client._client.ack(message.mid, message.qos)

    async def _handle(self, client: aiomqtt.Client, batch: list[aiomqtt.Message]) -> None:
        from_locks: list[tuple[str, bytes]] = []
        for message in batch:
            name = message.topic.value
            payload = message.payload if isinstance(message.payload, bytes) else b""
            if name.startswith(CLOUD_PREFIX):
                try:
                    self._cloud_message(name, payload)
                except Exception:  # one message never ends the worker's link (issue 12)
                    log.exception("dropped message on %s after an error", name)
            elif not self._repeats.answer(name, payload, client):
                from_locks.append((name, payload))
        # A command's answer is someone waiting at the app (A-REMOTE): it goes in a small
        # transaction of its own before the journal of a storm.
        urgent = [m for m in from_locks if m[0].endswith(_CMD_RESULT_SUFFIX)]
        if urgent:
            await self._ingest(client, urgent)
            from_locks = [m for m in from_locks if not m[0].endswith(_CMD_RESULT_SUFFIX)]
        if from_locks:
            await self._ingest(client, from_locks)

    async def _ingest(self, client: aiomqtt.Client, from_locks: list[tuple[str, bytes]]) -> None:
        try:
            outcome = await asyncio.to_thread(ingest.handle_batch, self.services, from_locks)
        except Exception:
            # The database is down or refused the batch: nothing was acked, so the locks
            # resend it (D-LOG). Log it and go on with the next batch.
            log.exception("a batch of %d messages was not stored", len(from_locks))
            return
        self._repeats.remember(from_locks, outcome)
        self.stats["messages"] += len(from_locks)
        self.stats["batches"] += 1
        self.stats["events"] += outcome.stored_events
        self.stats["dropped"] += outcome.dropped
        self.stats["max_batch"] = max(self.stats["max_batch"], len(from_locks))
        self._send(client, outcome)
        if outcome.derive:
            self._derive_wanted |= outcome.derive
            self._derive_wake.set()

    def _send(self, client: aiomqtt.Client, outcome: Outcome) -> None:
        """Acks, settings, live updates and command wake-ups, without waiting on PUBACKs."""
        for out in outcome.publish:
            _publish_nowait(client, out.topic, out.payload, qos=out.qos, retain=out.retain)
        for key, update in outcome.live:
            self.services.live.publish(key, update)  # this process's own SSE clients
            if self.services.settings.shared_subscriptions:
                payload = self._signer.seal(key, update)
                _publish_nowait(client, LIVE_PREFIX + key, payload, qos=0)
        for settled in outcome.settled:
            self.services.waiters.wake(settled.command_id)
            if self.services.settings.shared_subscriptions:
                _publish_nowait(client, DONE_PREFIX + settled.command_id, b"", qos=0)

    def push_live(self, key: str, update: dict[str, Any]) -> None:
        """A live update made outside ingestion (scenes), for every worker's clients."""
        client = self._client
        if client is None:
            self.services.live.publish(key, update)
        else:
            self._send(client, Outcome(live=[(key, update)]))

    def _cloud_message(self, name: str, payload: bytes) -> None:
        if name.startswith(DONE_PREFIX):
            self.services.waiters.wake(name[len(DONE_PREFIX) :])
        elif name.startswith(LIVE_PREFIX):
            key = name[len(LIVE_PREFIX) :]
            if key in self._watched:
                update = self._signer.open(key, payload)
                if update is not None:
                    self.services.live.publish(key, update)

    # ----- live keys watched by this process's SSE clients ----------------------------

    def _watch_changed(self, key: str, watched: bool) -> None:
        """Called by the hub from any thread (sync routes run in a thread pool)."""
        if watched:
            self._watched.add(key)
        else:
            self._watched.discard(key)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._resubscribe, key, watched)

    def _resubscribe(self, key: str, watched: bool) -> None:
        client = self._client
        if client is None or not self.services.settings.shared_subscriptions:
            return  # subscribed on (re)connect; one process sees its own updates directly
        action = client.subscribe if watched else client.unsubscribe
        task = asyncio.ensure_future(action(LIVE_PREFIX + key))
        task.add_done_callback(_log_failure)

    async def _report(self) -> None:
        """A line a minute (every 10 s while busy) of what this worker did: an operator
        sees a stalled or flooded worker without a debugger.
        """
        last = dict(self.stats)
        quiet = 0
        while True:
            await asyncio.sleep(10.0)
            moved = self.stats["messages"] != last["messages"]
            quiet = 0 if moved else quiet + 1
            if moved or quiet % 6 == 0:
                client = self._client
                inbox = client._queue.qsize() if client is not None else 0
                log.info(
                    "worker %s: %d messages (+%d), %d events stored (+%d), %d dropped, "
                    "%d copies answered, inbox %d, %d locks to derive",
                    self.client_id,
                    self.stats["messages"],
                    self.stats["messages"] - last["messages"],
                    self.stats["events"],
                    self.stats["events"] - last["events"],
                    self.stats["dropped"],
                    self._repeats.answered,
                    inbox,
                    len(self._derive_wanted),
                )
            last = dict(self.stats)

    # ----- derived data -----------------------------------------------------------------

    async def _derive_loop(self) -> None:
        last_sweep = 0.0
        while True:
            waiter = asyncio.ensure_future(self._derive_wake.wait())
            try:
                await asyncio.wait({waiter}, timeout=SWEEP_S)
            finally:
                waiter.cancel()
            raise_if_cancelled()
            if 0 < len(self._derive_wanted) < DERIVE_CHUNK:
                # Let a few more batches' locks gather: a drain costs about ten queries
                # whether it serves 3 locks or 250 (a notification is ~0.2 s later).
                await asyncio.sleep(DERIVE_GATHER_S)
            self._derive_wake.clear()
            try:
                if time.monotonic() - last_sweep >= SWEEP_S:
                    last_sweep = time.monotonic()
                    self._derive_wanted |= set(
                        await asyncio.to_thread(derive.pending, self.services)
                    )
                while self._derive_wanted:
                    chunk = sorted(self._derive_wanted)[:DERIVE_CHUNK]
                    self._derive_wanted -= set(chunk)
                    outcome = await asyncio.to_thread(derive.drain, self.services, device_ids=chunk)
                    self._derive_wanted |= outcome.derive
                    client = self._client
                    if client is not None:
                        self._send(client, outcome)
                    else:
                        for key, update in outcome.live:
                            self.services.live.publish(key, update)
            except Exception:
                log.exception("deriving app data failed; will retry")
                await asyncio.sleep(1.0)


class RepeatedBatches:
    """Event batches this worker has stored, by their exact bytes, with the ack each
    lock was last sent. A lock resends a batch, byte for byte, until its ack arrives;
    in a storm the copies can outnumber the new batches, and each would cost a
    verification and a transaction to learn it is a duplicate. A copy of a stored
    batch is answered from here with the lock's latest ack instead (safe: the bytes
    passed verification before, and an ack only ever says what is committed).
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        # (topic, BLAKE2b of the payload) -> lock id: a few MB for the whole capacity.
        self._stored: collections.OrderedDict[tuple[str, bytes], str] = collections.OrderedDict()
        self._acks: dict[str, tuple[str, bytes]] = {}  # lock id -> its latest ack
        self.answered = 0

    def answer(self, name: str, payload: bytes, client: aiomqtt.Client) -> bool:
        key = (name, _digest(payload))
        lock_id = self._stored.get(key)
        ack = self._acks.get(lock_id) if lock_id is not None else None
        if ack is None:
            return False
        self._stored.move_to_end(key)
        _publish_nowait(client, ack[0], ack[1], qos=0)  # as the first answer (Outgoing)
        self.answered += 1
        return True

    def remember(self, messages: list[tuple[str, bytes]], outcome: Outcome) -> None:
        acks: dict[str, tuple[str, bytes]] = {}
        for out in outcome.publish:
            lock_id, channel = parse_topic(out.topic)
            if channel is Channel.ACK:
                acks[lock_id] = (out.topic, out.payload)
        if not acks:
            return
        if len(self._acks) > 4 * self.capacity:
            self._acks.clear()  # locks long gone; those still resending come back
        self._acks.update(acks)
        for name, payload in messages:
            lock_id, channel = parse_topic(name)
            if channel is Channel.EVENTS and lock_id in acks:
                self._stored[(name, _digest(payload))] = lock_id
        while len(self._stored) > self.capacity:
            self._stored.popitem(last=False)


async def retire_sessions(services: Services, names: list[str]) -> None:
    """End named worker sessions on the broker (scaling down): a clean start with
    session expiry 0 drops the session, its queue and its share of the group.
    """
    link = MqttLink(services, ingest=False)
    config, username, password = link.broker_config()
    for name in [n + suffix for n in names for suffix in ("", RESULT_LANE_SUFFIX)]:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 0
        client = aiomqtt.Client(
            config.host,
            config.port,
            username=username or None,
            password=password or None,
            identifier=name,
            protocol=aiomqtt.ProtocolVersion.V5,
            clean_start=True,
            properties=properties,
            timeout=10,
        )
        async with client:
            log.info("retired worker session %s", name)


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()


def _publish_nowait(
    client: aiomqtt.Client, topic: str, payload: bytes, *, qos: int, retain: bool = False
) -> None:
    """Queue a message in paho without awaiting its PUBACK (pipelined; QoS 1 still
    retransmits on a reconnect of the same session, and the locks resend what is not
    acknowledged anyway).
    """
    info = client._client.publish(topic, payload, qos, retain)
    if info.rc != paho.MQTT_ERR_SUCCESS:
        log.warning("could not queue a message to %s (rc %s)", topic, info.rc)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("live subscription change failed: %s", task.exception())


@contextlib.asynccontextmanager
async def run_link(
    services: Services, *, ready_timeout: float = 5.0, ingest: bool = True
) -> AsyncIterator[MqttLink]:
    """Run the worker for the duration of the block and make it the app's link."""
    link = MqttLink(services, ingest=ingest)
    task = asyncio.create_task(link.run(), name="smartlock-cloud-link")
    previous = services.link
    services.link = link
    try:
        if not await link.wait_ready(ready_timeout):
            log.warning(
                "broker %s not reachable yet; will keep trying",
                redacted(services.settings.broker_url),
            )
        yield link
    finally:
        services.link = previous
        services.live.on_change = None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
