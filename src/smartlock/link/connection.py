"""Broker address and the one way the link opens an MQTT connection.

The only module that imports aiomqtt (the cloud's link too): the others name its
client, error, message, will and protocol version through the aliases here, so a
change of MQTT library stays in one file.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass
from typing import TypeAlias

import aiomqtt

MqttClient: TypeAlias = aiomqtt.Client
MqttError: TypeAlias = aiomqtt.MqttError
MqttMessage: TypeAlias = aiomqtt.Message
Will: TypeAlias = aiomqtt.Will
ProtocolVersion: TypeAlias = aiomqtt.ProtocolVersion


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    """Where the broker is. Credentials come from pairing (or provisioning)."""

    host: str = "127.0.0.1"
    port: int = 1883
    keepalive_s: int = 30
    tls: ssl.SSLContext | None = None
    mqtt5: bool = True  # the embedded amqtt broker speaks MQTT 3.1.1 only
    shared_subscriptions: bool = True  # `$share/...` (Mosquitto); off for amqtt


def mqtt_client(
    broker: BrokerConfig, client_id: str, username: str, password: str, will: Will | None
) -> MqttClient:
    """An unconnected MQTT v5 client (use `async with`)."""
    return aiomqtt.Client(
        broker.host,
        broker.port,
        username=username,
        password=password,
        identifier=client_id,
        protocol=aiomqtt.ProtocolVersion.V5 if broker.mqtt5 else aiomqtt.ProtocolVersion.V311,
        will=will,
        keepalive=broker.keepalive_s,
        tls_context=broker.tls,
        timeout=10,
    )


def payload_of(message: MqttMessage) -> bytes:
    """A message's body as bytes (aiomqtt types it loosely; anything else reads empty)."""
    return message.payload if isinstance(message.payload, bytes) else b""


def no_delay(client: MqttClient) -> None:
    """Small packets out at once (TCP_NODELAY). Without it a lock's command result,
    sent right after its PUBACK of the command, waited for the broker's delayed ACK:
    ~40 ms of every remote unlock (traced, session 6). paho does not set it.
    """
    sock = client._client.socket()
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def raise_if_cancelled() -> None:
    """Re-raise a cancel that was swallowed on the way (Python 3.11's wait_for, used
    inside aiomqtt, can lose one that lands as a PUBACK does; the task still counts
    it). Long-running loops call this each round so they always end when cancelled.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def wait_first(tasks: set[asyncio.Task[None]], *, check_s: float = 0.5) -> None:
    """Wait until one of `tasks` ends and re-raise what ended it.

    A session's own task may have had its cancel swallowed inside aiomqtt while it
    connected or subscribed (see `raise_if_cancelled`); a plain `asyncio.wait` on
    tasks that run forever would then never return, and whoever cancelled the session
    would wait for ever (a CI hang, 2026-12-03). Looking every `check_s` ends it.
    """
    while True:
        done, _ = await asyncio.wait(tasks, timeout=check_s, return_when=asyncio.FIRST_COMPLETED)
        raise_if_cancelled()
        for task in done:
            task.result()
        if done:
            return


async def cancel_all(tasks: set[asyncio.Task[None]]) -> None:
    """Cancel `tasks` and give them a moment; never hang on one that will not stop."""
    for task in tasks:
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
    if tasks:
        await asyncio.wait(tasks, timeout=2)


async def sleep_or_wake(wake: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds` or until `wake` is set, whichever comes first.

    asyncio.wait never cancels or swallows anything; 3.11's wait_for and timeout can
    swallow a cancel that lands as the timer fires, so a loop would outlive its session.
    """
    waiter = asyncio.ensure_future(wake.wait())
    try:
        await asyncio.wait({waiter}, timeout=seconds)
    finally:
        waiter.cancel()
