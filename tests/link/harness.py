"""Wiring for link integration tests: a cloud on a MemoryEventStore, helpers."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt

from smartlock.device import open_lock
from smartlock.device.durable import DurableLock
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock
from smartlock.link.cloud_side import MemoryEventStore, new_credentials
from smartlock.link.connection import BrokerConfig, mqtt_client
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import LockCredentials
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import (
    CommandResult,
    EventBatch,
    PairingHello,
    ShadowReported,
    StateReport,
)
from smartlock.link.topics import Channel, ha_discovery_topic, topic

from .cloud_stub import CloudClient, CloudHandlers


def new_lock_id() -> str:
    return "T" + secrets.token_hex(6).upper()


@dataclass
class FakeCloud:
    """The cloud's side of a test: what it stored and saw."""

    keys: dict[str, str] = field(default_factory=dict)
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    states: list[tuple[str, StateReport]] = field(default_factory=list)
    results: list[tuple[str, CommandResult]] = field(default_factory=list)
    reported: list[tuple[str, ShadowReported]] = field(default_factory=list)
    availability: list[tuple[str, bool]] = field(default_factory=list)
    hellos: list[PairingHello] = field(default_factory=list)

    def enrol(self, lock_id: str) -> LockCredentials:
        creds = new_credentials(lock_id)
        self.keys[lock_id] = creds.lock_key
        return creds

    def on_events(self, lock_id: str, batch: EventBatch) -> int:
        return self.store.store_batch(lock_id, batch).ack_seq

    def handlers(self) -> CloudHandlers:
        return CloudHandlers(
            key_for=self.keys.get,
            on_events=self.on_events,
            on_state=lambda i, s: self.states.append((i, s)),
            on_result=lambda i, r: self.results.append((i, r)),
            on_reported=lambda i, r: self.reported.append((i, r)),
            on_availability=lambda i, a: self.availability.append((i, a)),
            on_hello=self.hellos.append,
        )

    def seqs(self, lock_id: str) -> list[int]:
        return [e.seq for e in self.store.events.get(lock_id, [])]


async def wait_for(pred: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or pred}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(coro: object) -> AsyncIterator[asyncio.Task[None]]:
    task: asyncio.Task[None] = asyncio.create_task(coro)  # type: ignore[arg-type]
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def cloud_client(broker: BrokerConfig, cloud: FakeCloud) -> CloudClient:
    return CloudClient(
        broker, cloud.handlers(), username="cloud", password="x", group="g" + secrets.token_hex(4)
    )


@contextlib.asynccontextmanager
async def raw_client(broker: BrokerConfig, username: str = "test") -> AsyncIterator[aiomqtt.Client]:
    async with mqtt_client(broker, "raw-" + secrets.token_hex(4), username, "x", None) as c:
        yield c


async def clear_retained(broker: BrokerConfig, lock_id: str) -> None:
    """Leave the shared broker clean: drop the retained messages a test lock left."""
    names = [
        topic(lock_id, c)
        for c in (
            Channel.STATE,
            Channel.AVAILABILITY,
            Channel.SHADOW_DESIRED,
            Channel.SHADOW_REPORTED,
            Channel.HA_STATE,
            Channel.HA_CAMERA,
        )
    ]
    with contextlib.suppress(aiomqtt.MqttError):
        async with raw_client(broker) as c:
            for name in [*names, ha_discovery_topic(lock_id)]:
                await c.publish(name, b"", qos=1, retain=True)


@dataclass
class LinkedLock:
    """A real lock (core, store, runtime, virtual hardware) linked to a test cloud."""

    lock_id: str
    creds: LockCredentials
    durable: DurableLock
    hw: VirtualLock
    cloud: FakeCloud
    cloud_client: CloudClient


@contextlib.asynccontextmanager
async def linked_real_lock(
    tmp_path: Path, broker: BrokerConfig, serial: str, pin: str
) -> AsyncIterator[LinkedLock]:
    """A real lock with master 001 (`pin`), its journal in the cloud and acked."""
    durable = open_lock(tmp_path / "lock.db", serial=serial, verification_code="ABC123")
    hw = VirtualLock()
    runtime = LockRuntime(core=durable, hardware=hw.hardware, clock=FastForwardClock())
    runtime.boot()
    hw.keypad.type(f"1#{pin}#{pin}#")  # D-FIRST: master 001
    side = RuntimeLockSide(runtime, durable, tmp_path / "link.json")
    lock_id, cloud = new_lock_id(), FakeCloud()
    creds = cloud.enrol(lock_id)
    client = LockClient(broker, creds, side, LinkOptions(poll_s=0.2, ack_timeout_s=1))
    remove = side.watch(client.notify, asyncio.get_running_loop())
    cc = cloud_client(broker, cloud)
    try:
        async with running(cc.run()), running(client.run()):
            await asyncio.wait_for(cc.connected.wait(), 15)
            journal = [e.seq for e in durable.store.events(0, 1000)]  # the lock is linked
            await wait_for(lambda: cloud.seqs(lock_id) == journal, what="journal in cloud")
            await wait_for(lambda: durable.store.acked_seq() == journal[-1], what="acked")
            yield LinkedLock(lock_id, creds, durable, hw, cloud, cc)
    finally:
        remove()
        await clear_retained(broker, lock_id)
