"""The cloud's MQTT clients: the broker URL, the client every session is built from,
non-blocking publishes, and the retirement of named worker sessions (scaling down).

Apart from ``link_worker`` so the session logic there reads as logic, not as client
plumbing, and so ``retire_sessions`` needs no ``MqttLink`` to find the broker.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from smartlock.cloud.core.config import Settings
from smartlock.link.connection import BrokerConfig, MqttClient, ProtocolVersion
from smartlock.link.topics import FROM_LOCK, Channel, all_locks, shared

log = logging.getLogger(__name__)

# What the locks send the cloud: every lock channel but those for Home Assistant.
LOCK_CHANNELS = tuple(c for c in Channel if c in FROM_LOCK and not c.startswith("ha/"))
# Command results have a lane of their own: a second session per worker with its own
# shared subscription, so an answer someone waits for at the app (A-REMOTE) is never
# queued behind a storm's backlog on the broker (at a reconnect storm the main
# session's queue holds minutes of journal). Persistent like the main session: a
# result the broker took while the lane was down is still delivered (faults 4).
RESULT_CHANNELS = (Channel.CMD_RESULT,)
MAIN_CHANNELS = tuple(c for c in LOCK_CHANNELS if c not in RESULT_CHANNELS)
RESULT_LANE_SUFFIX = "-r"


def broker_params(url: str) -> dict[str, Any]:
    """MqttClient arguments from ``mqtt://user:password@host:port``."""
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


def broker_config(settings: Settings) -> tuple[BrokerConfig, str, str]:
    """Where the broker is and the cloud's credentials (settings over the URL's)."""
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


def new_client(
    config: BrokerConfig,
    username: str,
    password: str,
    identifier: str,
    properties: Properties | None,
    **options: Any,
) -> MqttClient:
    """An unconnected client to the cloud's broker; ``options`` go to aiomqtt as they are."""
    return MqttClient(
        config.host,
        config.port,
        username=username or None,
        password=password or None,
        identifier=identifier,
        properties=properties,
        timeout=10,
        **options,
    )


async def subscribe_locks(
    client: MqttClient,
    config: BrokerConfig,
    channels: tuple[Channel, ...],
    *,
    group: str,
    persistent: bool,
) -> None:
    """Subscribe a session to ``channels`` of every lock (shared in ``group``)."""
    # A fresh session takes the retained state and reconciles from it; a resumed
    # named session already has everything it missed queued, so it asks for the
    # retained set only where its subscription is new (MQTT 5 retain handling 1):
    # a worker restart at 10,000 locks is not 30,000 retained messages per worker.
    options = None
    if config.mqtt5:
        options = SubscribeOptions(qos=1, retainHandling=1 if persistent else 0)
    for channel in LOCK_CHANNELS:
        name = all_locks(channel)
        if config.shared_subscriptions:
            name = shared(name, group)
        if channel not in channels:
            if persistent and channel in RESULT_CHANNELS:
                await client.unsubscribe(name)  # resumed from before the lanes split
        elif options is None:
            await client.subscribe(name, qos=1)
        else:
            await client.subscribe(name, options=options)


def publish_nowait(
    client: MqttClient, topic: str, payload: bytes, *, qos: int, retain: bool = False
) -> None:
    """Queue a message in paho without awaiting its PUBACK (pipelined; QoS 1 still
    retransmits on a reconnect of the same session, and the locks resend what is not
    acknowledged anyway).
    """
    info = client._client.publish(topic, payload, qos, retain)
    if info.rc != paho.MQTT_ERR_SUCCESS:
        log.warning("could not queue a message to %s (rc %s)", topic, info.rc)


async def retire_sessions(settings: Settings, names: list[str]) -> None:
    """End named worker sessions on the broker (scaling down): a clean start with
    session expiry 0 drops the session, its queue and its share of the group.
    """
    config, username, password = broker_config(settings)
    for name in [n + suffix for n in names for suffix in ("", RESULT_LANE_SUFFIX)]:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 0
        client = new_client(
            config,
            username,
            password,
            name,
            properties,
            protocol=ProtocolVersion.V5,
            clean_start=True,
        )
        async with client:
            log.info("retired worker session %s", name)
