"""Lock client ⇄ broker ⇄ cloud client on real brokers (amqtt embedded, Mosquitto)."""

from __future__ import annotations

import asyncio

import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.device.core.inputs import RemoteAction
from smartlock.link import cloud_side
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.signing import new_lock_key
from smartlock.link.topics import Channel, topic
from smartlock.vocab import DoorState, EventKind, Method

from .harness import (
    FakeCloud,
    clear_retained,
    cloud_client,
    new_lock_id,
    raw_client,
    running,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]
FAST = LinkOptions(poll_s=0.2, ack_timeout_s=1.0, reconnect_min_s=0.05, reconnect_max_s=0.5)


async def test_state_events_commands_and_settings_flow_end_to_end_D_LOG_A_STATUS_A_REMOTE(
    any_broker: BrokerConfig,
) -> None:
    lock_id, cloud = new_lock_id(), FakeCloud()
    lock = FakeLock(settings={"remote_unlock": True})  # journals its boot: seq 1
    creds = cloud.enrol(lock_id)
    key = creds.lock_key
    for _ in range(2):  # the door stays locked, so the remote unlock below can open it
        lock.ring()
    cc = cloud_client(any_broker, cloud)
    client = LockClient(any_broker, creds, lock, FAST)
    try:
        async with running(cc.run()), running(client.run()):
            await asyncio.wait_for(cc.connected.wait(), 15)
            # A-STATUS: the app sees the state; D-LOG: the journal arrives and is acked.
            await wait_for(lambda: cloud.seqs(lock_id) == [1, 2, 3] and lock.acked == 3)
            await wait_for(lambda: any(s.door is DoorState.LOCKED for _, s in cloud.states))

            # A-REMOTE: a remote unlock runs once and answers with a signed result.
            command = await cc.send_command(key, lock_id, RemoteAction.UNLOCK)
            result = await cc.wait_result(command.request_id, 10)
            assert result is not None and result.ok
            assert lock.door is DoorState.UNLOCKED
            # The unlock (4), then the command's own entry (5).
            await wait_for(lambda: cloud.seqs(lock_id) == [1, 2, 3, 4, 5], what="unlock event")
            assert cloud.store.events[lock_id][3].kind is EventKind.UNLOCK
            assert cloud.store.events[lock_id][3].method is Method.REMOTE
            await wait_for(lambda: cloud.states[-1][1].door is DoorState.UNLOCKED)

            # D-MODE-ANTI: the lock's own rules still apply to an authentic command.
            lock.set_anti_lock(True)  # at the lock: the inside button held
            command = await cc.send_command(key, lock_id, RemoteAction.UNLOCK)
            result = await cc.wait_result(command.request_id, 10)
            assert result is not None and not result.ok and result.reason == "anti_lock_mode"

            # A-SETTINGS: desired settings are applied and reported, refusals named.
            await cc.send_desired(key, lock_id, 1, {"face_unlock": False, "bogus": 1})
            await wait_for(lambda: any(r.version == 1 for _, r in cloud.reported))
            reported = [r for _, r in cloud.reported if r.version == 1][-1]
            assert reported.settings["face_unlock"] is False and "bogus" in reported.rejected
            assert lock.settings["face_unlock"] is False
    finally:
        await clear_retained(any_broker, lock_id)


async def test_replayed_forged_and_garbage_commands_do_nothing_A_REMOTE(
    mosquitto_broker: BrokerConfig,
) -> None:
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), FakeLock()
    creds = cloud.enrol(lock_id)
    cc = cloud_client(mosquitto_broker, cloud)
    client = LockClient(mosquitto_broker, creds, lock, FAST)
    try:
        async with running(cc.run()), running(client.run()), raw_client(mosquitto_broker) as raw:
            await asyncio.wait_for(cc.connected.wait(), 15)
            await client.connected.wait()
            cmd_topic = topic(lock_id, Channel.CMD)
            command, name, payload = cloud_side.build_command(
                creds.lock_key, lock_id, RemoteAction.UNLOCK
            )
            await raw.publish(name, payload, qos=1)
            await wait_for(lambda: len(cloud.results) == 1, what="first result")
            # The same bytes again (a broker replay): no second unlock, no second answer.
            await raw.publish(name, payload, qos=1)
            # Forged with another key, and plain garbage: dropped, the lock carries on.
            _, forged_name, forged = cloud_side.build_command(new_lock_key(), lock_id, "unlock")
            await raw.publish(forged_name, forged, qos=1)
            await raw.publish(cmd_topic, b'{"v":1,"body":{', qos=1)
            await raw.publish(cmd_topic, b"\x00" * 20000, qos=1)
            # A late command is refused with a reason.
            late, _, late_payload = cloud_side.build_command(
                creds.lock_key, lock_id, "lock", now=1_000_000.0
            )
            await raw.publish(cmd_topic, late_payload, qos=1)
            await wait_for(lambda: len(cloud.results) == 2, what="late result")
            assert cloud.results[1][1].request_id == late.request_id
            assert cloud.results[1][1].reason == "expired_request"
            # And it still serves a good command afterwards.
            good = await cc.send_command(creds.lock_key, lock_id, RemoteAction.LOCK)
            assert (await cc.wait_result(good.request_id, 10)) is not None
            await asyncio.sleep(0.3)
            assert [c.request_id for c in lock.commands] == [command.request_id, good.request_id]
            assert len(cloud.results) == 3
    finally:
        await clear_retained(mosquitto_broker, lock_id)


async def test_cloud_drops_lock_messages_forged_by_another_lock_D_LOG(
    mosquitto_broker: BrokerConfig,
) -> None:
    """Lock B (or a misconfigured broker) publishing under lock A's topics is ignored."""
    lock_a, cloud = new_lock_id(), FakeCloud()
    cloud.enrol(lock_a)
    other = new_lock_key()
    cc = cloud_client(mosquitto_broker, cloud)
    from smartlock.link.schemas import Event, EventBatch
    from smartlock.link.signing import sign_message

    batch = EventBatch(acked_through=0, events=[Event(seq=1, at=1.0, kind=EventKind.TAMPER)])
    name, payload = sign_message(other, lock_a, batch)
    async with running(cc.run()), raw_client(mosquitto_broker) as raw:
        await cc.connected.wait()
        await raw.publish(name, payload, qos=1)
        await raw.publish(name, b"not json", qos=1)
        await asyncio.sleep(0.5)
    assert cloud.seqs(lock_a) == []
