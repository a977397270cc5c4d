"""Brokers for the link's integration tests: embedded amqtt, local Mosquitto."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import AsyncIterator

import pytest

from smartlock.link.broker import EmbeddedBroker
from smartlock.link.connection import BrokerConfig

MOSQUITTO = ("127.0.0.1", 1883)


def missing(reason: str) -> None:
    """Skip locally, fail in CI (env CI set): CI must provide every broker."""
    if os.environ.get("CI"):
        pytest.fail(f"CI requires it: {reason}")
    pytest.skip(reason)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


async def _embedded() -> AsyncIterator[BrokerConfig]:
    broker = EmbeddedBroker(port=0)
    await broker.start()
    try:
        yield broker.broker_config()
    finally:
        await broker.stop()


@pytest.fixture
async def amqtt_broker() -> AsyncIterator[BrokerConfig]:
    async for config in _embedded():
        yield config


@pytest.fixture
def mosquitto_broker() -> BrokerConfig:
    if not _reachable(*MOSQUITTO):
        missing("no Mosquitto at 127.0.0.1:1883")
    return BrokerConfig(*MOSQUITTO)


@pytest.fixture(params=["amqtt", "mosquitto"])
async def any_broker(request: pytest.FixtureRequest) -> AsyncIterator[BrokerConfig]:
    if request.param == "mosquitto":
        yield request.getfixturevalue("mosquitto_broker")
        return
    async for config in _embedded():
        yield config


@pytest.fixture
def mosquitto_binary() -> str:
    path = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None
    )
    if path is None:
        missing("mosquitto binary not installed")
    assert path is not None
    return path
