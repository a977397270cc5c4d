"""What a running cloud worker holds: settings, database, key box, live hub, link."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from smartlock.cloud.core.config import Settings
from smartlock.cloud.core.crypto import KeyBox
from smartlock.cloud.live import LiveHub
from smartlock.cloud.lock_keys import LockKeys


class LinkGateway(Protocol):
    """The cloud's way to the locks (implemented over MQTT in ``link_worker``)."""

    @property
    def connected(self) -> bool: ...

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None: ...


class NoLink:
    """No broker configured: nothing reaches a lock, commands end as "offline"."""

    connected = False

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        return None


class CommandWaiters:
    """Futures of the requests waiting for a command's outcome in this process; the
    worker that records the outcome (here, or another one that says so over the
    broker) wakes them, so nobody polls the database.
    """

    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Future[None]]] = {}

    def wait(self, command_id: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(command_id, set()).add(future)
        return future

    def done(self, command_id: str, future: asyncio.Future[None]) -> None:
        futures = self._waiting.get(command_id)
        if futures is not None:
            futures.discard(future)
            if not futures:
                del self._waiting[command_id]

    def wake(self, command_id: str) -> None:
        """Called on the event loop that made the futures."""
        for future in self._waiting.get(command_id, ()):
            if not future.done():
                future.set_result(None)

    def __contains__(self, command_id: object) -> bool:
        return command_id in self._waiting


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    key_box: KeyBox
    live: LiveHub = field(default_factory=LiveHub)
    link: LinkGateway = field(default_factory=NoLink)
    lock_keys: LockKeys = field(init=False)
    # Requests waiting for a command's result in this process (lockops.wait_for_command).
    waiters: CommandWaiters = field(default_factory=lambda: CommandWaiters())

    def __post_init__(self) -> None:
        self.lock_keys = LockKeys(self.key_box)

    def push_live(self, key: str, update: dict[str, Any]) -> None:
        """A live update for every worker's SSE clients (through the link when it has
        a broker, else straight to this process's hub).
        """
        push = getattr(self.link, "push_live", None)
        if push is None:
            self.live.publish(key, update)
        else:
            push(key, update)
