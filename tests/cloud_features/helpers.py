"""Shared set-up of the app-feature tests: accounts, a paired lock, a real lock core."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cloud.helpers import API, add_lock, user
from smartlock.cloud.services import Services

from .loopback import LoopbackLink, lock_for

__all__ = ["API", "Paired", "pair", "rid", "user", "when"]


def rid() -> str:
    return secrets.token_hex(8)


def when(**delta: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat()


class Paired:
    """An owner account with a lock bound in the cloud and a real lock core behind it."""

    def __init__(
        self, client: TestClient, services: Services, tmp: Path, email: str = "ann@example.org"
    ) -> None:
        self.client, self.services = client, services
        self.owner = user(client, email)
        device, key = add_lock(services, email)
        self.device_id, self.key, self.serial = device.id, key, device.serial
        self.sim = lock_for(device.serial, key)
        self.link = LoopbackLink(services, device.serial, key, self.sim)
        services.link = self.link
        self.link.sync()

    def url(self, path: str = "") -> str:
        return f"{API}/devices/{self.device_id}{path}"

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(self.url(path), headers=headers or self.owner, **kw)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(self.url(path), json=body, headers=headers or self.owner)


def pair(client: TestClient, services: Services, tmp: Path) -> Paired:
    return Paired(client, services, tmp)
