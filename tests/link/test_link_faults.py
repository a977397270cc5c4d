"""Issue 12 (3): one bad message, or a bug in one handler, never ends a lock's link.

`{"v":1,"body":{"v":1e400},"mac":"…"}` parses to an infinite float that no canonical
JSON can carry; before the fix `canonical()` raised a plain ValueError out of
`_receive`, `LockClient.run` let it end the link task, and the process stayed up
deaf for good (retained on `shadow/desired`, across restarts too). Rules: A-REMOTE,
A-SETTINGS, D-LOG.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from pathlib import Path

import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.device.core.inputs import RemoteAction
from smartlock.link.codec import canonical, parse
from smartlock.link.connection import BrokerConfig
from smartlock.link.errors import MalformedMessage
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.schemas import Command, CommandResult, Scalar, ShadowReported, StateReport
from smartlock.link.topics import Channel, topic
from smartlock.vocab import EventKind

from . import cloud_stub
from .cloud_stub import CloudClient
from .harness import (
    FakeCloud,
    clear_retained,
    cloud_client,
    new_lock_id,
    raw_client,
    running,
    wait_for,
)

FAST = LinkOptions(poll_s=0.2, ack_timeout_s=1.0, reconnect_min_s=0.05, reconnect_max_s=0.5)
POISON = b'{"v":1,"body":{"v":1e400},"mac":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'


@pytest.mark.parametrize(
    "payload",
    [
        POISON,
        b'{"v":1,"body":{"up_to_seq":1e400,"v":1},"mac":"AAAAAAAAAAAAAAAAAAAAAA"}',
        b'{"v":1,"body":{"v":1,"version":1,"settings":{"x":-1e999}},"mac":"AAAAAAAAAAAAAAAAAAAAAA"}',
    ],
)
def test_a_number_that_overflows_to_infinity_is_a_malformed_message(payload: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse(topic("SL7K3MQ9TX2A", Channel.ACK), payload)


def test_canonical_raises_the_links_own_error_for_what_json_cannot_carry() -> None:
    for bad in ({"v": float("inf")}, {"v": float("nan")}, {1: object()}):
        with pytest.raises(MalformedMessage):
            canonical(bad)


class BuggyLock(FakeLock):
    """A lock side whose handlers raise what no one expected (a bug, not a LinkError)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_submit = 0
        self.fail_settings = 0
        self.fail_status = 0

    async def submit(self, command: Command) -> CommandResult:
        if self.fail_submit:
            self.fail_submit -= 1
            raise RuntimeError("bug in submit")
        return await super().submit(command)

    def apply_settings(self, version: int, settings: dict[str, Scalar]) -> ShadowReported:  # type: ignore[override]
        if self.fail_settings:
            self.fail_settings -= 1
            raise KeyError("bug in apply_settings")
        return super().apply_settings(version, settings)

    def status(self):  # type: ignore[no-untyped-def]
        if self.fail_status:
            self.fail_status -= 1
            raise ZeroDivisionError("bug in status")
        return super().status()


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_out_of_range_numbers_on_cmd_ack_and_retained_desired_never_kill_the_link(
    mosquitto_broker: BrokerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """A-REMOTE, A-SETTINGS, D-LOG: the poison is logged with its topic and dropped;
    commands, settings and events keep flowing, also after the client restarts with
    the poison still retained on `shadow/desired`."""
    broker = mosquitto_broker
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), FakeLock()
    creds = cloud.enrol(lock_id)
    cc = cloud_client(broker, cloud)
    caplog.set_level(logging.WARNING, logger="smartlock.link.lock_client")
    try:
        async with running(cc.run()), raw_client(broker) as raw:
            await asyncio.wait_for(cc.connected.wait(), 15)
            desired = topic(lock_id, Channel.SHADOW_DESIRED)
            await raw.publish(desired, POISON, qos=1, retain=True)
            for attempt in range(2):  # the second run meets the retained poison at start
                client = LockClient(broker, creds, lock, FAST)
                async with running(client.run()):
                    await asyncio.wait_for(client.connected.wait(), 15)
                    for channel in (Channel.CMD, Channel.ACK):
                        await raw.publish(topic(lock_id, channel), POISON, qos=1)
                    seq = lock.record(EventKind.DOORBELL).seq
                    await wait_for(lambda s=seq: lock.acked == s, what=f"event acked ({attempt})")  # type: ignore[misc]
                    command = await cc.send_command(creds.lock_key, lock_id, RemoteAction.LOCK)
                    result = await cc.wait_result(command.request_id, 10)
                    assert result is not None and result.ok
                    assert client.sessions == 1  # one session: nothing was torn down
            logged = [r.getMessage() for r in caplog.records]
            for channel in (Channel.CMD, Channel.ACK, Channel.SHADOW_DESIRED):
                name = topic(lock_id, channel)
                assert any("dropped message on " + name in m for m in logged), name
    finally:
        await clear_retained(broker, lock_id)


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_a_bug_in_a_handler_is_logged_with_the_topic_and_the_link_carries_on(
    mosquitto_broker: BrokerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler raising an unexpected exception drops that message only; a session
    task that dies of a bug is restarted by `run()` with backoff (the supervisor)."""
    broker = mosquitto_broker
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), BuggyLock()
    creds = cloud.enrol(lock_id)
    cc = cloud_client(broker, cloud)
    client = LockClient(broker, creds, lock, FAST)
    caplog.set_level(logging.WARNING, logger="smartlock.link.lock_client")
    try:
        async with running(cc.run()), running(client.run()):
            await asyncio.wait_for(cc.connected.wait(), 15)
            await asyncio.wait_for(client.connected.wait(), 15)
            key = creds.lock_key
            lock.fail_settings = 1
            await cc.send_desired(key, lock_id, 1, {"face_unlock": False})
            lock.fail_submit = 1
            first = await cc.send_command(key, lock_id, RemoteAction.LOCK)
            assert await cc.wait_result(first.request_id, 2) is None  # that one was lost
            second = await cc.send_command(key, lock_id, RemoteAction.LOCK)
            result = await cc.wait_result(second.request_id, 10)
            assert result is not None and result.ok
            # The send loop hits a bug: the session ends, run() starts a new one.
            lock.fail_status = 1
            seq = lock.record(EventKind.DOORBELL).seq
            client.notify()
            await wait_for(lambda: client.sessions >= 2, what="a new session")
            # (>=: the new session applies the retained desired settings, journaled too)
            await wait_for(lambda: lock.acked >= seq, what="event acked after the restart")
            await cc.send_desired(key, lock_id, 2, {"face_unlock": False})
            await wait_for(lambda: lock.settings_version == 2, what="settings after the bug")
        text = "\n".join(r.getMessage() for r in caplog.records)
        assert "handling a message on " + topic(lock_id, Channel.CMD) in text
        assert "dropped message on " + topic(lock_id, Channel.SHADOW_DESIRED) in text
        assert "session failed" in text
    finally:
        await clear_retained(broker, lock_id)


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_a_bug_in_a_cloud_handler_drops_that_message_only_and_logs_its_topic(
    mosquitto_broker: BrokerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """The cloud side of the link too (issue 12, Deliver): before, an exception other
    than a LinkError from a handler left `CloudClient._handle` and ended `run()`, so the
    cloud link stopped for good (no ack, no state, nothing logged with a topic)."""
    broker = mosquitto_broker
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), FakeLock()
    creds = cloud.enrol(lock_id)
    failures = [1]

    def on_state(i: str, s: StateReport) -> None:
        if failures[0]:
            failures[0] -= 1
            raise RuntimeError("bug in on_state")
        cloud.states.append((i, s))

    handlers = dataclasses.replace(cloud.handlers(), on_state=on_state)
    cc = CloudClient(
        broker, handlers, username="cloud", password="x", group="g" + secrets.token_hex(4)
    )
    client = LockClient(broker, creds, lock, FAST)
    caplog.set_level(logging.WARNING, logger=cloud_stub.log.name)
    try:
        async with running(cc.run()) as cloud_task, running(client.run()):
            await asyncio.wait_for(cc.connected.wait(), 15)
            await asyncio.wait_for(client.connected.wait(), 15)
            await wait_for(lambda: not failures[0], what="the first state hit the bug")
            seq = lock.record(EventKind.DOORBELL).seq  # an event, and a new state after it
            client.notify()
            await wait_for(lambda: lock.acked == seq, what="event acked after the bug")
            await wait_for(lambda: cloud.states, what="a later state handled")
            assert not cloud_task.done()
        text = "\n".join(r.getMessage() for r in caplog.records)
        assert "dropped message on " + topic(lock_id, Channel.STATE) + " after an error" in text
    finally:
        await clear_retained(broker, lock_id)


async def test_the_lock_process_restarts_a_dead_link_task_with_backoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12, Deliver: should `LockClient.run()` ever raise or return (a bug), the
    lock process says so and starts it again, waiting twice as long each time."""
    from smartlock.demo import lockproc

    calls: list[str] = []
    waits: list[float] = []
    forever = asyncio.Event()

    async def run(self: LockClient) -> None:
        calls.append("run")
        if len(calls) == 1:
            raise RuntimeError("bug in the link")
        if len(calls) == 2:
            return
        await forever.wait()

    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(LockClient, "run", run)
    monkeypatch.setattr(lockproc.asyncio, "sleep", sleep)
    caplog.set_level(logging.INFO, logger="smartlock.demo.lockproc")
    lock = lockproc.LockProcess(tmp_path / "lock", BrokerConfig("127.0.0.1", 1))
    try:
        client = LockClient(lock.broker, FakeCloud().enrol(new_lock_id()), FakeLock(), FAST)
        task = asyncio.create_task(lock._supervise(client))
        async with asyncio.timeout(10):
            while len(calls) < 3:
                await real_sleep(0.01)
        assert not task.done()  # the third run is alive
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        lock.durable.store.close()
    assert waits == [lockproc.SUPERVISOR_MIN_S, 2 * lockproc.SUPERVISOR_MIN_S]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "link task died" in text and "link task ended on its own" in text
