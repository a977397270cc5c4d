"""The companion cloud: JSON API, accounts, pairing, MQTT worker (spec §9, docs/cloud.md).

``create_app`` and ``Settings`` are imported lazily so ``smartlock --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smartlock.cloud.app import create_app
    from smartlock.cloud.core.config import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from smartlock.cloud.app import create_app

        return create_app
    if name == "Settings":
        from smartlock.cloud.core.config import Settings

        return Settings
    raise AttributeError(name)
