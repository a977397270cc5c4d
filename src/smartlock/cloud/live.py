"""In-process fan-out of live device updates to this worker's SSE clients (A-STATUS).

Each worker keeps only its own subscribers; updates reach every worker through the
broker (see ``link_worker``), so no worker needs another's memory.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any


class LiveHub:
    """Subscribers per device id, each with a bounded queue (a slow client loses old
    updates, never blocks the others).
    """

    def __init__(self, queue_size: int = 100) -> None:
        self._queues: defaultdict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._size = queue_size

    def subscribe(self, device_id: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._size)
        self._queues[device_id].add(queue)
        return queue

    def unsubscribe(self, device_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        queues = self._queues.get(device_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[device_id]

    def publish(self, device_id: str, update: dict[str, Any]) -> None:
        for queue in list(self._queues.get(device_id, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(update)

    def subscribers(self, device_id: str) -> int:
        return len(self._queues.get(device_id, ()))
