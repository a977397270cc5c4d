"""What a running cloud worker holds: settings, database, key box, live hub, link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from smartlock.cloud.core.config import Settings
from smartlock.cloud.core.crypto import KeyBox
from smartlock.cloud.live import LiveHub


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


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    key_box: KeyBox
    live: LiveHub = field(default_factory=LiveHub)
    link: LinkGateway = field(default_factory=NoLink)
