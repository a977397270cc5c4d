"""In-process fan-out of live device updates to this worker's SSE clients (A-STATUS).

Each worker keeps only its own subscribers; updates reach every worker through the
broker (see ``link_worker``: only for keys someone here watches), so no worker
needs another's memory.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any


class LiveHub:
    """Subscribers per device id, each with a bounded queue (a slow client loses old
    updates, never blocks the others).
    """

    def __init__(self, queue_size: int = 100) -> None:
        self._queues: defaultdict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._size = queue_size
        # Told (key, True) when a key gets its first subscriber and (key, False) when it
        # loses its last: the link subscribes on the broker only to what is watched here.
        self.on_change: Callable[[str, bool], None] | None = None

    def subscribe(self, device_id: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._size)
        first = device_id not in self._queues
        self._queues[device_id].add(queue)
        if first and self.on_change is not None:
            self.on_change(device_id, True)
        return queue

    def unsubscribe(self, device_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        queues = self._queues.get(device_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[device_id]
                if self.on_change is not None:
                    self.on_change(device_id, False)

    def keys(self) -> list[str]:
        return sorted(self._queues)

    def publish(self, device_id: str, update: dict[str, Any]) -> None:
        for queue in list(self._queues.get(device_id, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(update)

    def subscribers(self, device_id: str) -> int:
        return len(self._queues.get(device_id, ()))
