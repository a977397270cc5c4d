"""MACs on the cloud's live channel (``link_worker``): only the cloud's own workers
can put something in a user's live stream, even on a shared broker (security 9).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from smartlock.cloud.services import Services


class LiveSigner:
    """MACs on the cloud's live channel, keyed from the master key (all workers share it)."""

    def __init__(self, services: Services, origin: str) -> None:
        self._key = services.key_box.derive(b"smartlock live channel v1")
        self.origin = origin

    def _mac(self, key: str, body: str) -> str:
        return hmac.new(self._key, f"{key}\n{body}".encode(), hashlib.sha256).hexdigest()

    def seal(self, key: str, update: dict[str, Any]) -> bytes:
        body = json.dumps({"o": self.origin, "u": update}, separators=(",", ":"))
        return json.dumps({"b": body, "m": self._mac(key, body)}).encode()

    def open(self, key: str, payload: bytes) -> dict[str, Any] | None:
        """The update if a cloud worker other than this one sealed it for ``key``."""
        try:
            outer = json.loads(payload)
            body, mac = outer["b"], outer["m"]
            if not isinstance(mac, str) or not hmac.compare_digest(mac, self._mac(key, body)):
                return None
            inner = json.loads(body)
            origin, update = inner["o"], inner["u"]
        except (ValueError, KeyError, TypeError):
            return None
        if origin == self.origin or not isinstance(update, dict):
            return None  # our own: this process's clients had it already
        return update
