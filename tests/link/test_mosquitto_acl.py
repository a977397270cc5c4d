"""A private Mosquitto with the shipped ACL: lock A cannot reach lock B's topics.

Rules proved here (named in the tests' names): D-PAIR.
"""

from __future__ import annotations

import asyncio
import getpass
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.link.broker import free_port
from smartlock.link.broker_accounts import add_user, password_line, verify_line
from smartlock.link.connection import BrokerConfig, mqtt_client
from smartlock.link.errors import PairingError
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import Label, verify_hello
from smartlock.link.pairing_client import pair
from smartlock.link.schemas import PairingHello
from smartlock.link.topics import Channel, topic

from .cloud_stub import CloudClient
from .harness import FakeCloud, running, wait_for

pytestmark = pytest.mark.integration
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
LOCK_A, LOCK_B = "SLAAAAAAAAAA", "SLBBBBBBBBBB"
PASSWORDS = {LOCK_A: "pw-a", LOCK_B: "pw-b", "cloud": "pw-cloud", "provision": "pw-prov"}


@dataclass
class PrivateMosquitto:
    broker: BrokerConfig
    passwd: Path
    proc: subprocess.Popen[bytes]


def _start_mosquitto(
    binary: str, folder: Path, passwd: Path
) -> tuple[subprocess.Popen[bytes], int]:
    """A private broker on a free port, listening before this returns.

    A port that was free a moment ago can be taken (by any socket's local port) before
    mosquitto binds it; then mosquitto exits and we try another port.
    """
    output = b""
    for _ in range(5):
        port = free_port()
        conf = folder / "mosquitto.conf"
        conf.write_text(
            f"user {getpass.getuser()}\n"  # run as us, so it can read the 0600 files
            f"per_listener_settings false\nallow_anonymous false\n"
            f"password_file {passwd}\nacl_file {folder / 'acl'}\n"
            f"listener {port} 127.0.0.1\npersistence false\nmessage_size_limit 16384\n"
        )
        proc = subprocess.Popen(
            [binary, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return proc, port
            except OSError:
                time.sleep(0.05)
        proc.kill()
        output = proc.communicate()[0]
    raise AssertionError(f"private mosquitto did not start: {output.decode(errors='replace')}")


@pytest.fixture
def private(mosquitto_binary: str, tmp_path: Path) -> Iterator[PrivateMosquitto]:
    passwd = tmp_path / "passwd"
    if shutil.which("mosquitto_passwd"):  # the official tool for one user ...
        passwd.touch(mode=0o600)
        subprocess.run(
            ["mosquitto_passwd", "-b", str(passwd), LOCK_A, PASSWORDS[LOCK_A]],
            check=True,
            capture_output=True,
        )
    else:
        add_user(passwd, LOCK_A, PASSWORDS[LOCK_A])
    add_user(passwd, LOCK_B, PASSWORDS[LOCK_B])  # ... and our own writer for the others
    add_user(passwd, "cloud", PASSWORDS["cloud"])
    add_user(passwd, "provision", PASSWORDS["provision"])
    shutil.copy(DEPLOY / "acl", tmp_path / "acl")
    proc, port = _start_mosquitto(mosquitto_binary, tmp_path, passwd)
    try:
        yield PrivateMosquitto(BrokerConfig("127.0.0.1", port), passwd, proc)
    finally:
        proc.terminate()
        proc.wait(5)


async def _client(broker: BrokerConfig, user: str, password: str | None = None) -> aiomqtt.Client:
    return mqtt_client(broker, user, user, password or PASSWORDS[user], None)


async def _collect(client: aiomqtt.Client, into: list[str]) -> None:
    async for m in client.messages:
        into.append(m.topic.value)


def test_password_lines_match_mosquitto_format() -> None:
    line = password_line("SL1", "secret")
    assert line.startswith("SL1:$7$101$") and "secret" not in line
    assert verify_line(line, "secret") and not verify_line(line, "Secret")


async def test_lock_cannot_read_or_write_another_locks_topics_D_PAIR(
    private: PrivateMosquitto,
) -> None:
    broker = private.broker
    seen_by_cloud: list[str] = []
    seen_by_a: list[str] = []
    async with await _client(broker, "cloud") as cloud, await _client(broker, LOCK_A) as a:
        await cloud.subscribe("smartlock/#", qos=1)
        cloud_reader = asyncio.create_task(_collect(cloud, seen_by_cloud))
        # Mosquitto 2.0 grants the SUBACK but checks "read" on every delivery, so lock
        # A subscribed to lock B's commands (and to everything) must receive none.
        await a.subscribe(topic(LOCK_B, Channel.CMD), qos=1)
        await a.subscribe("smartlock/#", qos=1)
        own = await a.subscribe(topic(LOCK_A, Channel.CMD), qos=1)
        assert all(getattr(c, "value", c) < 0x80 for c in own)
        a_reader = asyncio.create_task(_collect(a, seen_by_a))
        # Publishing as lock B is silently dropped; publishing as itself goes through.
        await a.publish(topic(LOCK_B, Channel.EVENTS), b"forged", qos=1)
        await a.publish(topic(LOCK_A, Channel.EVENTS), b"mine", qos=1)
        # The cloud may write any lock's topics.
        await cloud.publish(topic(LOCK_A, Channel.CMD), b"cmd-a", qos=1)
        await cloud.publish(topic(LOCK_B, Channel.CMD), b"cmd-b", qos=1)
        await asyncio.sleep(0.5)
        cloud_reader.cancel()
        a_reader.cancel()
    assert topic(LOCK_A, Channel.EVENTS) in seen_by_cloud
    assert topic(LOCK_B, Channel.EVENTS) not in seen_by_cloud
    assert topic(LOCK_A, Channel.CMD) in seen_by_a  # its own commands arrive ...
    assert not [t for t in seen_by_a if LOCK_B in t]  # ... lock B's never do


async def test_wrong_broker_password_is_refused(private: PrivateMosquitto) -> None:
    with pytest.raises(aiomqtt.MqttError):
        async with await _client(private.broker, LOCK_A, "wrong"):
            pass


async def test_pairing_over_the_broker_binds_the_lock_and_it_reconnects_as_itself_D_PAIR(
    private: PrivateMosquitto,
) -> None:
    """Lock in pairing mode (provisioning identity) ⇄ cloud: hello, code check,
    sealed credentials, new broker user, and the lock's first signed state."""
    label = Label(serial="SLCCCCCCCCCC", code="7K3M-Q9TX")
    cloud = FakeCloud()
    seen: set[str] = set()

    async def on_hello(hello: PairingHello) -> None:
        # The app user typed serial + code: the cloud checks the hello ...
        verify_hello(hello, "SLCCCCCCCCCC", "7k3m-q9tx", time.time(), seen_nonces=seen)
        creds = cloud.enrol(hello.serial)
        add_user(private.passwd, creds.broker_username, creds.broker_password)
        private.proc.send_signal(signal.SIGHUP)  # mosquitto reloads the password file
        await asyncio.sleep(0.3)
        await cc.send_pairing_reply(hello, "7K3MQ9TX", creds)

    handlers = cloud.handlers()
    handlers.on_hello = on_hello
    cc = CloudClient(private.broker, handlers, username="cloud", password=PASSWORDS["cloud"])
    async with running(cc.run()):
        await asyncio.wait_for(cc.connected.wait(), 20)  # a broken broker fails fast
        creds = await pair(
            private.broker,
            label,
            username="provision",
            password=PASSWORDS["provision"],
            window_s=20,
            hello_every_s=2,
        )
        assert creds.lock_key == cloud.keys[label.serial]
        assert PASSWORDS["provision"] not in private.passwd.read_text()
        lock = FakeLock()
        async with running(LockClient(private.broker, creds, lock, LinkOptions(poll_s=0.2)).run()):
            await wait_for(lambda: any(i == label.serial for i, _ in cloud.states))


async def _can_connect(broker: BrokerConfig, username: str, password: str) -> bool:
    try:
        async with await _client(broker, username, password):
            return True
    except aiomqtt.MqttError:
        return False


async def _until(broker: BrokerConfig, username: str, password: str, *, accepted: bool) -> None:
    deadline = time.monotonic() + 10
    while await _can_connect(broker, username, password) is not accepted:
        assert time.monotonic() < deadline, f"broker never {'accepted' if accepted else 'refused'}"
        await asyncio.sleep(0.1)


async def test_cloud_registers_and_removes_a_lock_login_the_broker_then_honours_D_PAIR(
    private: PrivateMosquitto,
) -> None:
    """The cloud writes the password file and runs the deployment's reload command: a
    paired lock can log in at once; an unbound lock's login stops working."""
    from types import SimpleNamespace

    from smartlock.cloud.core.config import Settings
    from smartlock.cloud.lockops import set_broker_user

    lock = "SLEEEEEEEEEE"
    settings = Settings(
        broker_password_file=private.passwd,
        broker_reload_command=f"kill -HUP {private.proc.pid}",
    )
    services: Any = SimpleNamespace(settings=settings)
    assert not await _can_connect(private.broker, lock, "pw-e")
    set_broker_user(services, lock, "pw-e")
    await _until(private.broker, lock, "pw-e", accepted=True)
    set_broker_user(services, lock, None)
    await _until(private.broker, lock, "pw-e", accepted=False)


def test_a_failing_reload_command_is_a_clear_error() -> None:
    from smartlock.link.broker_accounts import BrokerReloadError, reload_broker

    with pytest.raises(BrokerReloadError, match="exited"):
        reload_broker("false")
    with pytest.raises(BrokerReloadError, match="failed"):
        reload_broker("/nonexistent/reload-broker")


async def test_pairing_with_the_wrong_code_gets_nothing_D_PAIR(private: PrivateMosquitto) -> None:
    label = Label(serial="SLDDDDDDDDDD", code="7K3M-Q9TX")
    cloud = FakeCloud()
    refusals: list[str] = []

    async def on_hello(hello: PairingHello) -> None:
        try:
            verify_hello(hello, hello.serial, "0000-0000", time.time())
        except PairingError as exc:
            refusals.append(str(exc))

    handlers = cloud.handlers()
    handlers.on_hello = on_hello
    cc = CloudClient(private.broker, handlers, username="cloud", password=PASSWORDS["cloud"])
    async with running(cc.run()):
        await asyncio.wait_for(cc.connected.wait(), 20)  # a broken broker fails fast
        with pytest.raises(PairingError):
            await pair(
                private.broker,
                label,
                username="provision",
                password=PASSWORDS["provision"],
                window_s=1.5,
                hello_every_s=0.5,
            )
    assert refusals
