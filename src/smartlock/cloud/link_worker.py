"""The cloud's MQTT worker: follows every lock over the broker (D-LOG, D-PAIR, A-STATUS).

Lock channels are read through an MQTT v5 shared subscription, so each message goes to
one of the cloud workers; ``ingest.handle`` is idempotent and keeps all state in the
database. Live updates go back through the broker on ``smartlock/cloud/live/<device>``
(a normal subscription), so every worker can feed its own SSE clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlsplit

import aiomqtt

from smartlock.cloud import ingest
from smartlock.cloud.services import Services
from smartlock.link.connection import BrokerConfig, mqtt_client, raise_if_cancelled
from smartlock.link.errors import LinkError
from smartlock.link.topics import Channel, all_locks, shared

log = logging.getLogger(__name__)

LIVE_PREFIX = "smartlock/cloud/live/"
LOCK_CHANNELS = (
    Channel.STATE,
    Channel.EVENTS,
    Channel.SHADOW_REPORTED,
    Channel.CMD_RESULT,
    Channel.SNAPSHOT,
    Channel.AVAILABILITY,
    Channel.PAIRING_HELLO,
)


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


class MqttLink:
    """A LinkGateway over one aiomqtt client, reconnecting until stopped."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._client: aiomqtt.Client | None = None
        self._ready = asyncio.Event()
        self.client_id = f"cloud-{uuid.uuid4().hex[:12]}"

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
            log.warning("broker not connected; dropped a message to %s", topic)
            return
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
        delay = 0.2
        while True:
            raise_if_cancelled()  # a cancel aiomqtt swallowed still ends the worker
            try:
                await self._session()
                delay = 0.2
            except (aiomqtt.MqttError, OSError) as exc:
                log.warning("broker connection lost (%s); retrying in %.1f s", exc, delay)
            finally:
                self._client = None
                self._ready.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _session(self) -> None:
        config, username, password = self.broker_config()
        # A fresh session each time: the database, not the broker, holds our state.
        client = mqtt_client(config, self.client_id, username, password, None)
        async with client:
            filters = [all_locks(channel) for channel in LOCK_CHANNELS]
            if config.shared_subscriptions:
                filters = [shared(f, self.services.settings.worker_group) for f in filters]
            await client.subscribe([(f, 1) for f in filters])
            await client.subscribe(LIVE_PREFIX + "+", qos=0)
            self._client = client
            self._ready.set()
            log.info("cloud worker %s following the locks", self.client_id)
            async for message in client.messages:
                payload = message.payload if isinstance(message.payload, bytes) else b""
                await self._dispatch(client, message.topic.value, payload)

    async def _dispatch(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        if topic.startswith(LIVE_PREFIX):
            try:
                update = json.loads(payload)
            except ValueError:
                return
            if isinstance(update, dict):
                self.services.live.publish(topic[len(LIVE_PREFIX) :], update)
            return
        try:
            outcome = await asyncio.to_thread(ingest.handle, self.services, topic, payload)
        except LinkError as exc:
            log.warning("dropped message on %s: %s", topic, exc)
            return
        except Exception:
            log.exception("failed to handle a message on %s", topic)
            return
        for out in outcome.publish:
            await client.publish(out.topic, out.payload, qos=1, retain=out.retain)
        for device_id, update in outcome.live:
            await client.publish(
                LIVE_PREFIX + device_id, json.dumps(update).encode(), qos=0, retain=False
            )


@contextlib.asynccontextmanager
async def run_link(services: Services, *, ready_timeout: float = 5.0) -> AsyncIterator[MqttLink]:
    """Run the worker for the duration of the block and make it the app's link."""
    link = MqttLink(services)
    task = asyncio.create_task(link.run(), name="smartlock-cloud-link")
    previous = services.link
    services.link = link
    try:
        if not await link.wait_ready(ready_timeout):
            log.warning(
                "broker %s not reachable yet; will keep trying", services.settings.broker_url
            )
        yield link
    finally:
        services.link = previous
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
