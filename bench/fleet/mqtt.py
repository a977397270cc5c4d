"""Plain paho clients for the simulator and the raw-rate probe (no asyncio)."""

from __future__ import annotations

import socket
import threading

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion


def client(client_id: str, user: str, password: str) -> paho.Client:
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    c.username_pw_set(user, password)
    c.max_queued_messages_set(0)
    return c


def connect(c: paho.Client, port: int, timeout_s: float = 20.0) -> None:
    """Connect, start paho's network thread, wait for CONNACK; TCP_NODELAY like the cloud."""
    ready = threading.Event()
    failure: list[object] = []

    def on_connect(_c: paho.Client, _u: object, _f: object, reason: object, _p: object) -> None:
        if getattr(reason, "is_failure", False):
            failure.append(reason)
        ready.set()

    c.on_connect = on_connect
    c.connect("127.0.0.1", port, keepalive=60)
    sock = c.socket()
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.loop_start()
    if not ready.wait(timeout_s) or failure:
        c.loop_stop()
        raise RuntimeError(f"MQTT connect as {c._username!r} failed: {failure or 'timeout'}")


def close(c: paho.Client) -> None:
    c.disconnect()
    c.loop_stop()
