"""An embedded MQTT broker (amqtt) for a single machine: the tests, and the demo's
fallback when Mosquitto is not installed (`link/mosquitto.py` runs that one).

Mosquitto is the production broker (deploy/mosquitto/). This one binds to
127.0.0.1, takes port 1883 when it is free and any free port otherwise, and speaks
MQTT 3.1.1 only (amqtt 0.12.1, the newest release, answers a v5 CONNECT with
"unsupported protocol version": clients connect with `broker_config()`, which turns
MQTT v5 and shared subscriptions off). With `password_file` it takes only the logins
in that Mosquitto-format file (`broker_accounts`, read again at each connect, so a
newly paired lock needs no reload); without one it is anonymous (the tests). Link
security does not rest on the broker: every message is signed end to end (signing.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from pathlib import Path
from types import TracebackType
from typing import Any

from smartlock.link.connection import BrokerConfig

log = logging.getLogger(__name__)

DEFAULT_PORT = 1883


def port_is_free(host: str, port: int) -> bool:
    """True if nothing listens on host:port (we could bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def pick_port(host: str, preferred: int | None) -> int:
    """`preferred` (default 1883) if free, else any free port."""
    want = DEFAULT_PORT if preferred is None else preferred
    if want and port_is_free(host, want):
        return want
    return free_port(host)


class EmbeddedBroker:
    """amqtt in this process: `async with EmbeddedBroker() as b: ... b.url`."""

    def __init__(
        self, host: str = "127.0.0.1", port: int | None = None, password_file: Path | None = None
    ) -> None:
        self.host = host
        self.port = pick_port(host, port)
        self.password_file = password_file
        self._broker: Any = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def broker_config(self) -> BrokerConfig:
        """How link clients reach this broker."""
        return BrokerConfig(self.host, self.port, mqtt5=False, shared_subscriptions=False)

    async def start(self) -> str:
        """Start listening; returns the URL."""
        from amqtt.broker import Broker

        plugins: dict[str, Any] = {
            "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
        }
        if self.password_file is not None:
            plugins = {
                "smartlock.link.broker_auth.PasswordFileAuth": {
                    "password_file": str(self.password_file)
                }
            }
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": plugins,
        }
        self._broker = Broker(config)
        await self._broker.start()
        log.info("embedded MQTT broker listening on %s", self.url)
        return self.url

    async def stop(self) -> None:
        """Stop the broker and drop every connection."""
        if self._broker is not None:
            with contextlib.suppress(Exception):
                await self._broker.shutdown()
            self._broker = None

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def serve_forever(host: str, port: int | None) -> None:
    """Run the broker until cancelled (Ctrl-C), printing its URL."""
    async with EmbeddedBroker(host, port) as broker:
        print(f"smartlock broker: {broker.url}", flush=True)
        await asyncio.Event().wait()
