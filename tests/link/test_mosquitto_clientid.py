"""Issue 13, finding 3 (broker half): with the shipped mosquitto.conf a lock's login
cannot take another lock's client id and knock it off the broker.

The shipped file is run as is, with only its ports and paths replaced.
"""

from __future__ import annotations

import asyncio
import getpass
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest

from smartlock.link.broker import free_port
from smartlock.link.broker_accounts import add_user
from smartlock.link.connection import BrokerConfig, mqtt_client
from smartlock.link.topics import Channel, topic

pytestmark = pytest.mark.integration
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
LOCK_A, LOCK_B = "SLAAAAAAAAAA", "SLBBBBBBBBBB"


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("mosquitto did not start: " + proc.communicate()[0].decode())


@pytest.fixture
def shipped(mosquitto_binary: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    passwd, services = tmp_path / "passwd", tmp_path / "passwd-services"
    for user in (LOCK_A, LOCK_B):
        add_user(passwd, user, f"pw-{user}")
    add_user(services, "cloud", "pw-cloud")
    shutil.copy(DEPLOY / "acl", tmp_path / "acl")
    locks, service = free_port(), free_port()
    conf = (DEPLOY / "mosquitto.conf").read_text()
    conf = conf.replace("listener 1883 ", f"listener {locks} ").replace(
        "listener 1884 ", f"listener {service} "
    )
    conf = conf.replace("/etc/mosquitto/smartlock/", f"{tmp_path}/")
    conf = conf.replace("persistence true", "persistence false")
    conf = f"user {getpass.getuser()}\n" + conf
    (tmp_path / "mosquitto.conf").write_text(conf)
    proc = subprocess.Popen(
        [mosquitto_binary, "-c", str(tmp_path / "mosquitto.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_port(locks, proc)
        _wait_port(service, proc)
        yield locks, service
    finally:
        proc.terminate()
        proc.wait(5)


async def test_a_lock_login_cannot_take_another_locks_client_id_issue13_finding3(
    shipped: tuple[int, int],
) -> None:
    locks, service = shipped
    on_locks, on_services = BrokerConfig("127.0.0.1", locks), BrokerConfig("127.0.0.1", service)
    got: list[str] = []
    async with mqtt_client(on_services, "cloud-test", "cloud", "pw-cloud", None) as cloud:
        await cloud.subscribe("smartlock/#", qos=1)

        async def collect() -> None:
            async for m in cloud.messages:
                got.append(m.payload.decode() if isinstance(m.payload, bytes) else "")

        reader = asyncio.create_task(collect())
        async with mqtt_client(on_locks, LOCK_B, LOCK_B, f"pw-{LOCK_B}", None) as b:
            # Lock A's login asks for lock B's client id: the broker makes it LOCK_A.
            async with mqtt_client(on_locks, LOCK_B, LOCK_A, f"pw-{LOCK_A}", None) as a:
                await a.publish(topic(LOCK_A, Channel.EVENTS), b"from-a", qos=1)
                await asyncio.sleep(0.3)
                # B is still connected: its publish after A's connect arrives.
                await b.publish(topic(LOCK_B, Channel.EVENTS), b"from-b", qos=1)
            async with asyncio.timeout(5):
                while "from-b" not in got:
                    await asyncio.sleep(0.05)
        reader.cancel()
    assert {"from-a", "from-b"} <= set(got)


async def test_the_locks_listener_refuses_cloud_and_provision_logins_issue13_finding3(
    shipped: tuple[int, int],
) -> None:
    """The services' logins exist only on their own listener."""
    locks, _ = shipped
    with pytest.raises(aiomqtt.MqttError):
        async with mqtt_client(BrokerConfig("127.0.0.1", locks), "c", "cloud", "pw-cloud", None):
            pass
