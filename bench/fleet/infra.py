"""PostgreSQL (the machine's, started like ``.ci/run`` if it is down) and a private
Mosquitto configured like ``deploy/mosquitto/mosquitto.conf``, on loopback only.
"""

from __future__ import annotations

import contextlib
import getpass
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .procs import Proc

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
REPO = Path(__file__).resolve().parents[2]
DEPLOY_CONF = REPO / "deploy" / "mosquitto" / "mosquitto.conf"
DEPLOY_ACL = REPO / "deploy" / "mosquitto" / "acl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _pg_ready() -> bool:
    done = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False, timeout=10
    )
    return done.returncode == 0


def ensure_postgres() -> str | None:
    """Start the local cluster if it is down; its version if we started it (to stop)."""
    if shutil.which("pg_isready") is None:
        raise SystemExit("PostgreSQL is not installed (run .ci/run once, as root)")
    if _pg_ready():
        return None
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
        check=False,
        timeout=60,
    )
    for _ in range(30):
        if _pg_ready():
            return version
        time.sleep(1)
    raise SystemExit("PostgreSQL did not start on 127.0.0.1:5432")


def stop_postgres(version: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"],
        check=False,
        timeout=60,
    )


class Database:
    """A fresh ``smartlock_fleet_<random>`` database, dropped on ``drop()``."""

    def __init__(self) -> None:
        self.name = f"smartlock_fleet_{secrets.token_hex(4)}"
        self._admin = create_engine(
            make_url(PG_SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(PG_SERVER).set(database=self.name).render_as_string(False)
        self.engine = create_engine(self.url, pool_size=4)

    def scalar(self, sql: str, **params: object) -> object:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def backend_pids(self) -> list[int]:
        """PostgreSQL backends serving this database (their CPU is the database's cost)."""
        found = self.rows("select pid from pg_stat_activity where datname = :d", d=self.name)
        return [int(str(r[0])) for r in found]

    def drop(self) -> None:
        self.engine.dispose()
        with contextlib.suppress(Exception), self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


def mosquitto_conf(port: int, services_port: int, tmp: Path) -> str:
    """The deployment's config with this run's ports and files (same limits): its
    first listener (locks: login = client id) on ``port``, its second (the cloud and
    other services) on ``services_port``."""
    paths = {
        "password_file": tmp / "passwd",
        "acl_file": tmp / "acl",
        "persistence_location": tmp / "mosquitto-data",
    }
    (tmp / "mosquitto-data").mkdir(exist_ok=True)
    out = []
    ports = iter([port, services_port])
    for line in DEPLOY_CONF.read_text().splitlines():
        word = line.split(" ", 1)[0]
        if word == "password_file" and "passwd-services" in line:
            line = f"password_file {tmp / 'passwd-services'}"
        elif word in paths:
            slash = "/" if word == "persistence_location" else ""
            line = f"{word} {paths[word]}{slash}"
        elif word == "listener":
            line = f"listener {next(ports)} 127.0.0.1"
        out.append(line)
    if not any(ln.startswith("listener ") for ln in out):
        raise SystemExit(f"{DEPLOY_CONF} has no listener line")
    # Run as us, so it can read the 0600 password file (as tests/link/test_mosquitto_acl).
    out.insert(0, f"user {getpass.getuser()}")
    # Observation only: $SYS counters (dropped messages) every second.
    out += [
        "sys_interval 1",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "log_type notice",
    ]
    return "\n".join(out) + "\n"


def fleet_acl(sim_user: str) -> str:
    """The deployment's ACL plus the simulator's login: every lock's topics (one
    connection speaks for many locks) and the broker's $SYS counters.
    """
    extra = (
        f"\n# fleet bench: one login multiplexes many simulated locks\n"
        f"user {sim_user}\ntopic readwrite smartlock/v1/#\n"
        f"topic readwrite fleet-bench/#\ntopic read $SYS/#\n"
    )
    acl = DEPLOY_ACL.read_text()
    head, sep, patterns = acl.partition("# Patterns apply")
    return head + extra + "\n" + sep + patterns


class Mosquitto:
    """Our own broker process on a free port; ``restart()`` keeps port and files."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        if shutil.which("mosquitto") is None:
            raise SystemExit("mosquitto is not installed (run .ci/run once, as root)")
        self.tmp = tmp
        self.port = free_port()  # the locks' listener
        self.services_port = free_port()  # the cloud's and the simulator's
        self.conf = tmp / "mosquitto.conf"
        self.conf.write_text(mosquitto_conf(self.port, self.services_port, tmp))
        self._env = env
        self.proc: Proc | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        argv = [shutil.which("mosquitto") or "mosquitto", "-c", str(self.conf)]
        self.proc = Proc("mosquitto", argv, self.tmp / "mosquitto.log", self._env)
        for _ in range(100):
            if reachable(self.port):
                return
            if not self.proc.alive():
                break
            time.sleep(0.1)
        raise SystemExit(f"mosquitto did not start: {self.proc.log_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


class SysWatch:
    """The broker's $SYS counters as they arrive (dropped messages, clients)."""

    TOPICS = ("$SYS/broker/publish/messages/dropped", "$SYS/broker/clients/connected")

    def __init__(self, port: int, user: str, password: str) -> None:
        from . import mqtt

        self.values: dict[str, int] = {}
        self._client = mqtt.client("fleet-bench-sys", user, password)
        self._client.on_message = self._on_message
        mqtt.connect(self._client, port)
        self._client.subscribe([(t, 0) for t in self.TOPICS])

    def _on_message(self, _c: object, _u: object, message: Any) -> None:
        with contextlib.suppress(ValueError):
            self.values[message.topic.rsplit("/", 1)[-1]] = int(message.payload)

    def dropped(self) -> int:
        return self.values.get("dropped", 0)

    def close(self) -> None:
        from . import mqtt

        mqtt.close(self._client)
