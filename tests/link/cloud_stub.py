"""The cloud's side of the link tests: a thin MQTT client that receives from every lock
and sends to one, over `cloud_side`'s pure helpers, with no database.

The product's cloud worker is `smartlock.cloud.link_worker` (tests/cloud run the
lock against it); this stand-in lets the lock's tests assert on what a cloud saw.

Several workers may run at once: lock→cloud topics are read through MQTT v5 shared
subscriptions (`$share/cloud/smartlock/v1/+/...`), so each message goes to one
worker. Every message is verified with the lock's key (`cloud_side`) before a
handler sees it; malformed or forged ones are logged and dropped. Events are acked
only after `on_events` returns, i.e. after the cloud stored them (D-LOG).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from smartlock.device.core.inputs import RemoteAction
from smartlock.link import cloud_side
from smartlock.link.codec import Inbound
from smartlock.link.connection import (
    BrokerConfig,
    MqttClient,
    MqttError,
    mqtt_client,
    payload_of,
    raise_if_cancelled,
    wait_first,
)
from smartlock.link.errors import LinkError
from smartlock.link.pairing import LockCredentials
from smartlock.link.schemas import (
    Command,
    CommandResult,
    EventBatch,
    PairingHello,
    ShadowReported,
    StateReport,
)
from smartlock.link.topics import Channel, all_locks, shared, topic

log = logging.getLogger(__name__)

MaybeAwaitable = Any  # a handler may be a plain function or a coroutine function


async def _call(fn: Callable[..., MaybeAwaitable] | None, *args: Any) -> Any:
    if fn is None:
        return None
    out = fn(*args)
    return await out if inspect.isawaitable(out) else out


@dataclass
class CloudHandlers:
    """What the cloud does with verified lock messages. Sync or async callables.

    `key_for(lock_id)` returns the lock's key (None for an unknown lock).
    `on_events(lock_id, batch)` must store the batch durably and return the seq to
    ack, normally `cloud_side.accept_batch(...).ack_seq` (see MemoryEventStore).
    """

    key_for: Callable[[str], MaybeAwaitable]
    on_events: Callable[[str, EventBatch], MaybeAwaitable]
    on_state: Callable[[str, StateReport], MaybeAwaitable] | None = None
    on_result: Callable[[str, CommandResult], MaybeAwaitable] | None = None
    on_reported: Callable[[str, ShadowReported], MaybeAwaitable] | None = None
    on_availability: Callable[[str, bool], MaybeAwaitable] | None = None
    on_hello: Callable[[PairingHello], MaybeAwaitable] | None = None


RECEIVED = (
    Channel.STATE,
    Channel.EVENTS,
    Channel.CMD_RESULT,
    Channel.SHADOW_REPORTED,
    Channel.AVAILABILITY,
    Channel.PAIRING_HELLO,
)


class CloudClient:
    """`await run()` in the worker; `send_command` etc. while connected."""

    def __init__(
        self,
        broker: BrokerConfig,
        handlers: CloudHandlers,
        *,
        username: str,
        password: str,
        client_id: str | None = None,
        group: str = "cloud",
        reconnect_max_s: float = 30.0,
    ) -> None:
        self.broker = broker
        self.handlers = handlers
        self.username = username
        self.password = password
        self.client_id = client_id or f"cloud-{random.getrandbits(48):012x}"
        self.group = group
        self.reconnect_max_s = reconnect_max_s
        self.connected = asyncio.Event()
        self._client: MqttClient | None = None
        self._results: dict[str, asyncio.Future[CommandResult]] = {}

    async def run(self) -> None:
        """Stay connected (until cancelled), reconnecting with backoff; a session that
        ends of a bug is logged and started again (only a cancel ends this loop).
        """
        delay = 0.2
        while True:
            raise_if_cancelled()
            try:
                await self._session()
                delay = 0.2
            except (MqttError, OSError) as exc:
                log.warning("cloud link: connection lost: %s", exc)
            except Exception:  # a bug must cost a reconnect, never the link (issue 12)
                log.exception("cloud link: session failed; reconnecting")
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(self.reconnect_max_s, delay * 2)

    async def _session(self) -> None:
        client = mqtt_client(self.broker, self.client_id, self.username, self.password, None)
        async with client:
            filters = [all_locks(c) for c in RECEIVED]
            if self.broker.shared_subscriptions:
                filters = [shared(f, self.group) for f in filters]
            await client.subscribe([(f, 1) for f in filters])
            self._client = client
            self.connected.set()
            receiving = asyncio.create_task(self._receive(client))
            try:
                await wait_first({receiving})  # ends on a cancel aiomqtt swallowed, too
            finally:
                receiving.cancel()  # bounded: its cancel too may be swallowed mid-publish
                await asyncio.wait({receiving}, timeout=2)
                self._client = None
                self.connected.clear()

    async def _receive(self, client: MqttClient) -> None:
        async for message in client.messages:
            raise_if_cancelled()
            await self._handle(client, message.topic.value, payload_of(message))

    async def _handle(self, client: MqttClient, name: str, payload: bytes) -> None:
        try:
            lock_id = cloud_side.lock_id_of(name)
            key = await _call(self.handlers.key_for, lock_id)
            inbound = cloud_side.decode_lock_message(key, name, payload)
            await self._dispatch(client, key, inbound)
        except LinkError as exc:
            log.warning("cloud link: dropped message on %s: %s", name, exc)
        except MqttError:
            raise  # the session itself is over: run() reconnects
        except Exception:  # one message (or a handler's bug) never ends the receive loop
            log.exception("cloud link: dropped message on %s after an error", name)

    async def _dispatch(self, client: MqttClient, key: str | None, inbound: Inbound) -> None:
        h, lock_id, msg = self.handlers, inbound.lock_id, inbound.message
        if inbound.channel is Channel.EVENTS and key is not None:
            ack_seq = int(await _call(h.on_events, lock_id, msg))
            name, payload = cloud_side.build_ack(key, lock_id, ack_seq)
            await client.publish(name, payload, qos=1)
        elif inbound.channel is Channel.STATE:
            await _call(h.on_state, lock_id, msg)
        elif inbound.channel is Channel.CMD_RESULT:
            future = self._results.pop(msg.request_id, None)
            if future is not None and not future.done():
                future.set_result(msg)
            await _call(h.on_result, lock_id, msg)
        elif inbound.channel is Channel.SHADOW_REPORTED:
            await _call(h.on_reported, lock_id, msg)
        elif inbound.channel is Channel.AVAILABILITY:
            await _call(h.on_availability, lock_id, msg == "online")
        elif inbound.channel is Channel.PAIRING_HELLO:
            if msg.serial != lock_id:
                raise LinkError(f"hello for {msg.serial} on {inbound.topic}")
            await _call(h.on_hello, msg)

    def _require(self) -> MqttClient:
        if self._client is None:
            raise LinkError("cloud link is not connected")
        return self._client

    async def send_command(
        self,
        lock_key: str,
        lock_id: str,
        action: RemoteAction | str,
        params: Mapping[str, Any] | None = None,
        *,
        secret_params: Mapping[str, str] | None = None,
        ttl_s: float = cloud_side.DEFAULT_COMMAND_TTL_S,
    ) -> Command:
        """Sign and publish a command; `wait_result(command.request_id)` awaits its answer."""
        client = self._require()
        command, name, payload = cloud_side.build_command(
            lock_key, lock_id, action, params, secret_params=secret_params, ttl_s=ttl_s
        )
        self._results[command.request_id] = asyncio.get_running_loop().create_future()
        await client.publish(name, payload, qos=1)
        return command

    async def wait_result(self, request_id: str, timeout_s: float) -> CommandResult | None:
        """The lock's result for a command sent here, or None if none came in time."""
        future = self._results.get(request_id)
        if future is None:
            raise LinkError(f"no command {request_id} sent from this client")
        try:
            async with asyncio.timeout(timeout_s):
                return await asyncio.shield(future)
        except TimeoutError:
            return None
        finally:
            if future.done():
                self._results.pop(request_id, None)

    async def send_desired(
        self, lock_key: str, lock_id: str, version: int, settings: Mapping[str, Any]
    ) -> None:
        """Publish desired settings, retained, so an offline lock gets them later."""
        name, payload = cloud_side.build_desired(lock_key, lock_id, version, settings)
        await self._require().publish(name, payload, qos=1, retain=True)

    async def send_pairing_reply(
        self, hello: PairingHello, code: str, credentials: LockCredentials
    ) -> None:
        """Send sealed credentials to a lock whose hello was verified (D-PAIR)."""
        name, payload = cloud_side.pairing_reply(hello, code, credentials, now=time.time())
        await self._require().publish(name, payload, qos=1)

    async def forget_lock(self, lock_id: str) -> None:
        """Clear a deleted lock's retained desired settings (A-SETTINGS, unbind)."""
        with contextlib.suppress(LinkError):
            await self._require().publish(
                topic(lock_id, Channel.SHADOW_DESIRED), b"", qos=1, retain=True
            )
