"""The app features' background loop: outbound notifications, scenes, retries.

Runs in every API process (``create_app`` lifespan), next to the MQTT worker. All its
state is in the database and every job is claimed with a compare-and-set, so several
processes can run it at once. Nothing here runs on a request path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from smartlock.cloud.notify import deliver
from smartlock.cloud.scenes import actions, engine
from smartlock.cloud.services import Services
from smartlock.cloud.visitor import service as visitor
from smartlock.link.connection import raise_if_cancelled

log = logging.getLogger(__name__)
TICK_S = 1.0


def _tick(services: Services) -> None:
    with services.sessionmaker() as session:
        engine.on_tick(session)


async def _tick_scenes(services: Services) -> int:
    await asyncio.to_thread(_tick, services)  # blocking database work off the event loop
    return await actions.execute_pending(services)


async def run_once(services: Services) -> None:
    """One pass of every job; a failing job is logged and the others still run."""
    steps: list[Callable[[Services], Awaitable[int]]] = [
        _tick_scenes,
        deliver.deliver_due,
        visitor.retry_revocations,
        visitor.fail_unconfirmed,
    ]
    for step in steps:
        try:
            await step(services)
        except Exception:
            log.exception("features worker step %s failed", step.__name__)


async def _loop(services: Services, interval: float) -> None:
    while True:
        raise_if_cancelled()  # a cancel swallowed inside a scene's command still stops us
        await run_once(services)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def run_features(services: Services, *, interval: float = TICK_S) -> AsyncIterator[None]:
    task = asyncio.create_task(_loop(services, interval), name="smartlock-features")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
