"""A few hundred locks through a real Mosquitto and PostgreSQL with real `cloud worker`
processes (fleet, D-LOG, faults 1): a worker SIGKILLed mid-batch and the broker
restarted lose no event and store none twice, and every event's derived app data (the
doorbell notification) is written exactly once; an online storm loses no status.

The locks are the real `LockClient` over in-memory lock sides (tests/fakelock.py: the real core).
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.cloud.core.config import Settings
from smartlock.cloud.core.crypto import KeyBox
from smartlock.cloud.crud import accounts
from smartlock.cloud.crud.devices import bind_device
from smartlock.cloud.db import make_engine, make_sessionmaker
from smartlock.cloud.models import Device, Event
from smartlock.cloud.models_features import Notification
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import LockCredentials
from smartlock.link.signing import new_lock_key
from smartlock.vocab import EventKind

from .conftest import PG_SERVER, _admin_engine

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """Our own Mosquitto (so the test can kill and restart it), on a free port."""

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.conf = tmp / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            "max_queued_messages 100000\nmax_inflight_messages 100\nset_tcp_nodelay true\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    if not os.path.exists(MOSQUITTO):
        if os.environ.get("CI"):
            pytest.fail("mosquitto not installed in CI")
        pytest.skip("mosquitto not installed")
    b = Broker(tmp_path)
    b.start()
    yield b
    b.kill()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    name = f"{pg_template}_fleet_{secrets.token_hex(3)}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield str(make_url(PG_SERVER).set(database=name))
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Fleet:
    def __init__(self, tmp: Path, db_url: str, broker: Broker, n: int) -> None:
        self.master = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        self.env = {
            **os.environ,
            "SMARTLOCK_DATABASE_URL": db_url,
            "SMARTLOCK_BROKER_URL": f"mqtt://127.0.0.1:{broker.port}",
            "SMARTLOCK_MASTER_KEY": self.master,
            "SMARTLOCK_DATA_DIR": str(tmp / "cloud"),
        }
        self.engine = make_engine(db_url)
        self.sessions = make_sessionmaker(self.engine)
        self.broker = broker
        self.workers: list[subprocess.Popen[bytes]] = []
        self.log = (tmp / "workers.log").open("ab")  # shown when a test fails
        box = KeyBox(base64.urlsafe_b64decode(self.master))
        settings = Settings(data_dir=tmp / "cloud", database_url=db_url)
        self.locks: dict[str, FakeLock] = {}
        self.creds: dict[str, LockCredentials] = {}
        with self.sessions() as session:
            owner = accounts.create_account(
                session,
                email="fleet@example.org",
                password=secrets.token_urlsafe(16),
                settings=settings,
            )
            for i in range(n):
                serial = f"SLF{i:05d}"
                key = new_lock_key()
                bind_device(
                    session,
                    owner=owner,
                    serial=serial,
                    name=serial,
                    key_encrypted=box.seal(key.encode(), context=f"lock-key:{serial}"),
                    broker_username=serial,
                    broker_password_hash="-",
                )
                self.creds[serial] = LockCredentials(
                    lock_id=serial,
                    broker_username=serial,
                    broker_password="unused-" + "x" * 8,
                    lock_key=key,
                )
                self.locks[serial] = FakeLock()
        self.clients: list[LockClient] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start_worker(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "smartlock.cli", "cloud", "worker"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self.workers.append(proc)
        return proc

    def worker_ready(self) -> bool:
        """A worker has subscribed (it logs so once it follows the locks)."""
        self.log.flush()
        return b"following the locks" in Path(self.log.name).read_bytes()

    def known(self) -> int:
        """Locks the cloud knows online with their state stored."""
        with self.sessions() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Device)
                    .where(Device.online.is_(True), Device.state_at.is_not(None))
                )
                or 0
            )

    def start_locks(self) -> None:
        broker = BrokerConfig("127.0.0.1", self.broker.port)
        options = LinkOptions(
            ha_discovery=False,
            ack_timeout_s=1.0,
            ack_timeout_max_s=4.0,
            reconnect_max_s=2.0,
            poll_s=0.5,
        )
        for serial, lock in self.locks.items():
            client = LockClient(broker, self.creds[serial], lock, options)
            self.clients.append(client)
            self.tasks.append(asyncio.create_task(client.run()))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.wait(self.tasks, timeout=10) if self.tasks else None
        for proc in self.workers:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self.engine.dispose()
        self.log.close()

    def count(self, *where: object) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Event).where(*where)) or 0)

    async def until(self, check: object, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():  # type: ignore[operator]
                return True
            await asyncio.sleep(0.25)
        return bool(check())  # type: ignore[operator]


@pytest.fixture
async def fleet(tmp_path: Path, pg_url: str, broker: Broker) -> AsyncIterator[Fleet]:
    f = Fleet(tmp_path, pg_url, broker, n=200)
    yield f
    await f.stop()


async def test_worker_killed_mid_batch_and_broker_restarted_lose_nothing_D_LOG(
    fleet: Fleet,
) -> None:
    for lock in fleet.locks.values():
        for _ in range(5):
            lock.record(EventKind.DOORBELL)
    fleet.start_worker()
    fleet.start_locks()
    await fleet.until(lambda: fleet.count() > 100, 30)
    # Kill the worker while batches are in flight, record more, restart the broker too.
    os.kill(fleet.workers[0].pid, signal.SIGKILL)
    for lock in fleet.locks.values():
        for _ in range(5):
            lock.record(EventKind.DOORBELL)
    fleet.broker.kill()
    await asyncio.sleep(0.5)
    fleet.broker.start()
    fleet.start_worker()
    fleet.start_worker()  # and now two workers share the subscription
    total = 10 * len(fleet.locks)  # doorbells; each lock's journal also has its boot
    assert await fleet.until(lambda: fleet.count() >= total + len(fleet.locks), 240), fleet.count()
    with fleet.sessions() as session:
        per_lock = session.execute(
            select(
                Event.device_id, func.count(), func.min(Event.seq), func.max(Event.seq)
            ).group_by(Event.device_id)
        ).all()
        assert len(per_lock) == len(fleet.locks)
        assert all(n == 11 and lo == 1 and hi == 11 for _, n, lo, hi in per_lock)

    def notified() -> int:
        with fleet.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Notification)) or 0)

    # faults 1: each stored doorbell rings the owner's app exactly once.
    assert await fleet.until(lambda: notified() >= total, 180), notified()
    await asyncio.sleep(1.0)
    assert notified() == total
    assert all(lock.acked == 11 for lock in fleet.locks.values())


async def test_online_storm_loses_no_status_A_STATUS(fleet: Fleet) -> None:
    fleet.start_worker()
    assert await fleet.until(fleet.worker_ready, 60)
    started = time.monotonic()
    fleet.start_locks()  # 200 locks connect together

    def known() -> int:
        with fleet.sessions() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Device)
                    .where(Device.online.is_(True), Device.state_at.is_not(None))
                )
                or 0
            )

    ok = await fleet.until(lambda: known() == len(fleet.locks), 60)
    with fleet.sessions() as session:
        rows = session.execute(select(Device.online, Device.state_at).limit(3)).all()
    assert ok, (known(), rows, [c.sessions for c in fleet.clients[:3]])
    assert time.monotonic() - started < 60  # the bench measures the real figure


async def test_a_worker_started_after_the_locks_learns_them_from_retained_state_A_STATUS(
    fleet: Fleet,
) -> None:
    """The cloud was down while the fleet came online: the first worker reconciles
    from the broker's retained availability and state."""
    fleet.start_locks()
    assert await fleet.until(lambda: all(c.connected.is_set() for c in fleet.clients), 60)
    await asyncio.sleep(1.0)  # every lock has published its state (retained)
    fleet.start_worker()
    assert await fleet.until(lambda: fleet.known() == len(fleet.locks), 60), fleet.known()
