"""A live feed of what the (virtual) hardware is doing, for a console or a web panel.

Subscribers get `Change` values through a callback, or through an asyncio queue
that is safe to fill from any thread (the runtime may drive parts from a worker).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Observer = Callable[["Change"], None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One visible change: `part` names the part, `value` says what it now does."""

    part: str
    value: str


class Subscribers(Generic[T]):
    """Callbacks that may come and go from any thread, and asyncio queues fed the same way.

    The one home of "subscribe, get a remover back" for the hardware feed and for the
    runtime's effect listeners.
    """

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], None]] = []
        self._lock = threading.Lock()

    def add(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Call `callback` on every item; returns a function that removes it."""
        with self._lock:
            self._callbacks.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove

    def queue(
        self, loop: asyncio.AbstractEventLoop | None = None
    ) -> tuple[asyncio.Queue[T], Callable[[], None]]:
        """An asyncio queue of every item (filled from any thread), and its remover."""
        target = loop or asyncio.get_running_loop()
        queue: asyncio.Queue[T] = asyncio.Queue()

        def push(item: T) -> None:
            target.call_soon_threadsafe(queue.put_nowait, item)

        return queue, self.add(push)

    def current(self) -> list[Callable[[T], None]]:
        """The callbacks now (a copy: one may leave while the others are called)."""
        with self._lock:
            return list(self._callbacks)


class ChangeFeed:
    """Fan-out of `Change`s to callbacks and asyncio queues."""

    def __init__(self) -> None:
        self._subscribers = Subscribers[Change]()

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer` on every change; returns a function that unsubscribes."""
        return self._subscribers.add(observer)

    def queue(
        self, loop: asyncio.AbstractEventLoop | None = None
    ) -> tuple[asyncio.Queue[Change], Callable[[], None]]:
        """An asyncio queue fed from any thread, and its unsubscribe function."""
        return self._subscribers.queue(loop)

    def publish(self, part: str, value: str) -> None:
        change = Change(part, value)
        for observer in self._subscribers.current():
            observer(change)
