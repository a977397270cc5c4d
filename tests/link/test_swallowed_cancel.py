"""D-LOG: a link session always ends when it is cancelled, even after aiomqtt lost the
cancel (Python 3.11's `wait_for` can swallow one that lands as a reply does).

A session that kept running after its cancel hung the fault test in CI (2026-12-03):
the lock "rebooted" in the test and the old session never let go.
"""

from __future__ import annotations

import asyncio

import pytest

from smartlock.link.connection import wait_first


async def _session_that_swallows_its_cancel(started: asyncio.Event) -> None:
    forever = {asyncio.create_task(asyncio.sleep(3600))}
    try:
        started.set()
        await asyncio.sleep(3600)  # stands for aiomqtt's subscribe
    except asyncio.CancelledError:
        pass  # lost on the way, as inside aiomqtt; the task still counts the cancel
    try:
        await wait_first(forever, check_s=0.05)  # the session's receive and send tasks
    finally:
        for task in forever:
            task.cancel()


async def test_a_session_whose_cancel_was_swallowed_still_ends_D_LOG() -> None:
    started = asyncio.Event()
    session = asyncio.create_task(_session_that_swallows_its_cancel(started))
    await started.wait()
    session.cancel()
    done, _ = await asyncio.wait({session}, timeout=5)
    assert session in done, "the cancelled session kept running"
    assert session.cancelled()


async def test_wait_first_hands_on_what_ended_a_task_D_LOG() -> None:
    async def broken() -> None:
        raise OSError("connection reset")

    sleeper = asyncio.create_task(asyncio.sleep(9))
    with pytest.raises(OSError, match="connection reset"):
        await wait_first({asyncio.create_task(broken()), sleeper})
    sleeper.cancel()
