"""A-REMOTE: a lock's answer to a command is recorded while the worker is busy with a
storm's journal.

Command results have their own lane (a second MQTT session per worker, its own shared
subscription): before, an answer queued on the broker behind the main session's
backlog, and remote unlocks during a 10,000-lock reconnect storm came back
`no_answer` (fleet bench, session 6). Here the main lane is held 8 s on a batch of
events; the answer that comes after it must be recorded at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import threading
import time
from collections.abc import Sequence
from typing import Any

import aiomqtt
import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.cloud import crud, ingest, link_worker
from smartlock.cloud.app import build_services
from smartlock.cloud.core.config import Settings
from smartlock.cloud.crud import accounts
from smartlock.cloud.models import CommandStatus
from smartlock.link.schemas import CommandResult, EventBatch
from smartlock.link.signing import sign_message
from smartlock.vocab import EventKind

from .helpers import add_lock

pytestmark = [pytest.mark.integration]
HELD_S = 8.0


async def test_an_answer_is_recorded_while_the_journal_lane_is_busy_A_REMOTE(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(
        update={
            "broker_url": "mqtt://127.0.0.1:1883",
            "worker_group": f"lane-{secrets.token_hex(4)}",  # alone on the shared broker
        }
    )
    services = build_services(settings)
    serial = f"SLLANE{secrets.token_hex(3).upper()}"
    with services.sessionmaker() as s:
        accounts.create_account(
            s, email="lane@example.org", password=secrets.token_urlsafe(16), settings=settings
        )
    device, key = add_lock(services, "lane@example.org", serial=serial)
    with services.sessionmaker() as s:
        command, _ = crud.create_command(
            s,
            device_id=device.id,
            account_id=None,
            request_id="req-lane-0001",
            action="unlock",
            ttl=dt.timedelta(seconds=60),
        )
        command_id = command.id

    real = ingest.handle_batch
    holding = threading.Event()

    def slow_journal(services_: Any, messages: Sequence[tuple[str, bytes]]) -> Any:
        if any(name.endswith("/events") for name, _ in messages):
            holding.set()
            time.sleep(HELD_S)  # a storm's backlog, in the worker's thread
        return real(services_, messages)

    monkeypatch.setattr(link_worker.ingest, "handle_batch", slow_journal)
    lock = FakeLock()
    lock.record(EventKind.DOORBELL)
    events = sign_message(key, serial, EventBatch(acked_through=0, events=list(lock.journal)))
    answer = sign_message(key, serial, CommandResult(request_id=command_id, ok=True))

    def status() -> CommandStatus:
        with services.sessionmaker() as s:
            row = crud.get_command(s, command_id=command_id)
            assert row is not None
            return row.status

    try:
        async with link_worker.run_link(services, ready_timeout=10) as link:
            assert link.connected
            await asyncio.sleep(0.5)  # the results lane subscribes beside the main one
            async with aiomqtt.Client("127.0.0.1", 1883, identifier=f"{serial}-test") as mqtt:
                await mqtt.publish(events[0], events[1], qos=1)
                assert await asyncio.to_thread(holding.wait, 5), "the journal never arrived"
                sent = time.monotonic()
                await mqtt.publish(answer[0], answer[1], qos=1)
                while status() is CommandStatus.PENDING and time.monotonic() - sent < HELD_S:
                    await asyncio.sleep(0.05)
                waited = time.monotonic() - sent
            assert status() is CommandStatus.DONE
            assert waited < HELD_S / 2, f"the answer waited {waited:.1f} s behind the journal"
    finally:
        services.engine.dispose()
