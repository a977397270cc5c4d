"""Broker address and the one way both link clients open an MQTT connection."""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass

import aiomqtt


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
    broker: BrokerConfig, client_id: str, username: str, password: str, will: aiomqtt.Will | None
) -> aiomqtt.Client:
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


def no_delay(client: aiomqtt.Client) -> None:
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
