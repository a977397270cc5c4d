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
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from smartlock.cloud import ingest
from smartlock.cloud.derive_loop import DeriveLoop
from smartlock.cloud.live_signer import LiveSigner
from smartlock.cloud.mqtt_client import (
    MAIN_CHANNELS,
    RESULT_CHANNELS,
    RESULT_LANE_SUFFIX,
    broker_config,
    new_client,
    publish_nowait,
    redacted,
    subscribe_locks,
)
from smartlock.cloud.outcome import Outcome
from smartlock.cloud.repeats import RepeatedBatches
from smartlock.cloud.services import Services
from smartlock.link.connection import (
    BrokerConfig,
    MqttClient,
    MqttError,
    MqttMessage,
    ProtocolVersion,
    no_delay,
    raise_if_cancelled,
)
from smartlock.link.topics import Channel

log = logging.getLogger(__name__)

CLOUD_PREFIX = "smartlock/cloud/"
LIVE_PREFIX = CLOUD_PREFIX + "live/"
DONE_PREFIX = CLOUD_PREFIX + "done/"
# Messages per transaction: big enough to amortise a commit, small enough that a
# command's answer arriving behind a batch waits at most ~0.1 s for it (A-REMOTE).
MAX_BATCH = 300
_CMD_RESULT_SUFFIX = "/" + Channel.CMD_RESULT.value
RECEIVE_MAXIMUM = 1000  # unacknowledged messages the broker may send a worker


class MqttLink:
    """A LinkGateway over one aiomqtt client, reconnecting until stopped."""

    def __init__(self, services: Services, *, ingest: bool = True) -> None:
        self.services = services
        self.ingest = ingest
        self._client: MqttClient | None = None
        self._ready = asyncio.Event()
        session = services.settings.worker_session if ingest else ""
        self.persistent = bool(session)
        self.client_id = session or f"cloud-{uuid.uuid4().hex[:12]}"
        self._signer = LiveSigner(services, self.client_id)
        self._derive = DeriveLoop(services, self._send_derived)
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
            raise MqttError(f"broker not connected; not sent to {topic}")
        await client.publish(topic, payload, qos=qos, retain=retain)

    def broker_config(self) -> tuple[BrokerConfig, str, str]:
        return broker_config(self.services.settings)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        tasks = []
        if self.ingest:
            tasks = [
                asyncio.create_task(self._derive.run()),
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
            except (MqttError, OSError) as exc:
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
        client = new_client(
            config,
            username,
            password,
            self.client_id + (RESULT_LANE_SUFFIX if lane else ""),
            properties,
            protocol=ProtocolVersion.V5 if config.mqtt5 else ProtocolVersion.V311,
            keepalive=config.keepalive_s,
            tls_context=config.tls,
            # No more unacknowledged QoS 1 publishes than the broker takes (its Receive
            # Maximum: Mosquitto max_inflight_messages, 20 by default, 1,000 in deploy/);
            # paho does not read it, and a client over it is disconnected (seen at 2,000
            # locks). 20 is enough: acks are pipelined, not awaited.
            max_inflight_messages=20,
            # MQTT 3.1.1 (the embedded amqtt) has no clean start: a fresh session there.
            clean_start=not self.persistent if config.mqtt5 else paho.MQTT_CLEAN_START_FIRST_ONLY,
        )
        if self.ingest:
            # PUBACK only once a batch is written (``_handle``): the broker holds at most
            # its max_inflight_messages unacknowledged per worker, so that is the bound
            # on what a worker has in memory (back-pressure: the rest waits, queued on
            # the broker), and a worker killed mid-batch gets its batch again when its
            # named session resumes.
            client._client.manual_ack_set(True)
        group = self.services.settings.worker_group
        async with client:
            no_delay(client)  # acks are small: no Nagle delay (6-28 ms each)
            if lane:
                await subscribe_locks(
                    client, config, RESULT_CHANNELS, group=group, persistent=self.persistent
                )
                log.info("cloud worker %s following command results", self.client_id)
                await self._consume(client)
                return
            if self.ingest:
                await subscribe_locks(
                    client, config, MAIN_CHANNELS, group=group, persistent=self.persistent
                )
            await client.subscribe(DONE_PREFIX + "+", qos=0)
            for key in sorted(self._watched):
                await client.subscribe(LIVE_PREFIX + key, qos=0)
            self._client = client
            self._ready.set()
            log.info("cloud worker %s following the locks", self.client_id)
            await self._consume(client)

    async def _consume(self, client: MqttClient) -> None:
        """Take what has arrived as one batch; while it is written, the next gathers."""
        inbox: asyncio.Queue[MqttMessage] = client._queue
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

    async def _handle(self, client: MqttClient, batch: list[MqttMessage]) -> None:
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

    async def _ingest(self, client: MqttClient, from_locks: list[tuple[str, bytes]]) -> None:
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
            self._derive.want(outcome.derive)

    def _send(self, client: MqttClient, outcome: Outcome) -> None:
        """Acks, settings, live updates and command wake-ups, without waiting on PUBACKs."""
        for out in outcome.publish:
            publish_nowait(client, out.topic, out.payload, qos=out.qos, retain=out.retain)
        for key, update in outcome.live:
            self.services.live.publish(key, update)  # this process's own SSE clients
            if self.services.settings.shared_subscriptions:
                payload = self._signer.seal(key, update)
                publish_nowait(client, LIVE_PREFIX + key, payload, qos=0)
        for settled in outcome.settled:
            self.services.waiters.wake(settled.command_id)
            if self.services.settings.shared_subscriptions:
                publish_nowait(client, DONE_PREFIX + settled.command_id, b"", qos=0)

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
                    len(self._derive.wanted),
                )
            last = dict(self.stats)

    def _send_derived(self, outcome: Outcome) -> None:
        client = self._client
        if client is not None:
            self._send(client, outcome)
        else:
            for key, update in outcome.live:
                self.services.live.publish(key, update)


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
