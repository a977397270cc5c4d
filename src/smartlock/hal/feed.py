"""A live feed of what the (virtual) hardware is doing, for a console or a web panel.

Subscribers get `Change` values through a callback, or through an asyncio queue
that is safe to fill from any thread (the runtime may drive parts from a worker).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

Observer = Callable[["Change"], None]


@dataclass(frozen=True, slots=True)
class Change:
    """One visible change: `part` names the part, `value` says what it now does."""

    part: str
    value: str


class ChangeFeed:
    """Fan-out of `Change`s to callbacks and asyncio queues."""

    def __init__(self) -> None:
        self._observers: list[Observer] = []
        self._lock = threading.Lock()

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer` on every change; returns a function that unsubscribes."""
        with self._lock:
            self._observers.append(observer)

        def unsubscribe() -> None:
            with self._lock:
                if observer in self._observers:
                    self._observers.remove(observer)

        return unsubscribe

    def queue(
        self, loop: asyncio.AbstractEventLoop | None = None
    ) -> tuple[asyncio.Queue[Change], Callable[[], None]]:
        """An asyncio queue fed from any thread, and its unsubscribe function."""
        target = loop or asyncio.get_running_loop()
        queue: asyncio.Queue[Change] = asyncio.Queue()

        def push(change: Change) -> None:
            target.call_soon_threadsafe(queue.put_nowait, change)

        return queue, self.subscribe(push)

    def publish(self, part: str, value: str) -> None:
        change = Change(part, value)
        with self._lock:
            observers = list(self._observers)
        for observer in observers:
            observer(change)
