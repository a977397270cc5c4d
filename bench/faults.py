"""Kill-9 campaign (issue 12): SIGKILL at random points across the locks, the cloud and
the broker in one bounded run; prints corrupt / lost / duplicated / wrongly-unlocked.

What runs (all real code, loopback only, every process stopped at the end):
- a private Mosquitto configured like deploy/mosquitto (two listeners, logins, ACL),
  started with ``mosquitto -c`` and restarted after each kill;
- a fresh PostgreSQL database and the cloud's ingestion worker (``cloud worker``'s own
  ``_run_worker``: link, derived app data, notifications), named session;
- K locks, each the whole lock ``smartlock lock run`` runs (``demo.lockproc.LockProcess``:
  core, SQLite store, runtime, virtual parts, link) bound like a paired lock, with a
  driver that rings the doorbell, types the right and wrong codes;
- an "app" that sends the locks signed remote unlocks: fresh ones, exact replays of
  earlier ones, and expired ones (the last two must never unlock).

Every process is a child of this one. Locks, workers and the app are forked from this
process after the imports (a process per kill point from ``exec`` would spend ~1.5 s
per point importing; forked, a kill point costs milliseconds): each is its own
process, killed with a real SIGKILL, its SQLite store and sockets left as the kill
left them. Mosquitto is exec'd (it starts in milliseconds).

Checks (all must be 0): corrupt (a store that fails ``PRAGMA quick_check`` or has a
gap in its journal after a kill, a lock that cannot boot, an event the cloud flags
as a chain break), lost (an event a lock reported committed missing after its
restart, a journal event the cloud does not hold after the drain, a doorbell without
its notification), duplicated (an event or notification stored twice), wrongly
unlocked (a wrong code that unlocked, an expired or replayed remote unlock that ran).

Run: .venv/bin/python bench/faults.py [--points 1000] [--locks 6] [--json]
  or: smartlock bench faults [same options]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import random
import secrets
import select
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS threads to fork under us
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import infra
from fleet.cloud import cloud_env
from fleet.provision import SIM_USER, FleetLock, provision
from pydantic import SecretStr

from smartlock.cloud.app import build_services
from smartlock.cloud.core.config import Settings

PIN, WRONG_PIN = "246810", "135799"
WORKER_SESSION = "faults"
WEIGHTS = {"lock": 0.75, "cloud": 0.15, "broker": 0.10}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="smartlock bench faults", description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=1000, help="SIGKILLs in the run (default 1000)")
    p.add_argument("--locks", type=int, default=6, help="lock processes (default 6)")
    p.add_argument("--seconds", type=float, default=240.0, help="the killing phase (default 240 s)")
    p.add_argument("--drain", type=float, default=120.0, help="max wait for delivery after it")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--keep", action="store_true", help="keep the run's folder (logs, stores)")
    return p.parse_args(argv)


def say(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------- forked children


def fork_child(log: Path, body: Callable[[], object]) -> int:
    """Fork; the child writes its output to ``log`` and runs ``body``; its pid.

    The child keeps the descriptors it inherits (closing them under live Python
    objects could later close a reused number); it never uses them.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        code = int(body() or 0)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def lock_main(data_dir: Path, port: int, report_fd: int, seed: int) -> int:
    """One lock process: boot (say its journal head), run, drive its keypad and bell."""
    import asyncio

    from smartlock.demo.lockproc import LockProcess
    from smartlock.device.core import effects as fx
    from smartlock.device.core.inputs import DoorbellKey, KeyPress
    from smartlock.errors import StoreError
    from smartlock.link.connection import BrokerConfig
    from smartlock.link.lock_client import LinkOptions

    def report(line: str) -> None:
        os.write(report_fd, (line + "\n").encode())

    broker = BrokerConfig("127.0.0.1", port, mqtt5=True, shared_subscriptions=False)
    options = LinkOptions(
        poll_s=0.5,
        ack_timeout_s=1.0,
        ack_timeout_max_s=4.0,
        reconnect_min_s=0.1,
        reconnect_max_s=1.0,
        ha_discovery=False,
    )
    try:
        lock = LockProcess(data_dir, broker, name=data_dir.name, link_options=options)
    except StoreError as exc:
        report(f"E {exc}")
        return 2
    report(f"B {lock.durable.core.state.next_seq - 1}")
    rnd = random.Random(seed)
    quiet = data_dir / "quiet"

    def head() -> int:
        with lock.durable._lock:  # between two commits: what the store holds
            return lock.durable.core.state.next_seq - 1

    async def drive() -> None:
        stop = asyncio.Event()
        run = asyncio.create_task(lock.run(stop))
        await asyncio.sleep(0.2)
        while not quiet.exists():
            await asyncio.sleep(rnd.uniform(0.02, 0.12))
            roll = rnd.random()
            if roll < 0.5:
                typed, wrong = "", False
                effects = await lock.runtime.asubmit(DoorbellKey())
            else:  # a wrong code now and then (more would keep the lock locked out)
                wrong = roll < 0.55
                typed = WRONG_PIN if wrong else PIN
                effects = []
                for key in typed + "#":
                    effects += await lock.runtime.asubmit(KeyPress(key))
            report(f"C {await asyncio.to_thread(head)}")
            if wrong and any(
                isinstance(e, fx.MoveBolt) and e.action is fx.BoltAction.RETRACT for e in effects
            ):
                report("W wrong code unlocked")
        report("Q")
        await stop.wait()
        await run

    asyncio.run(drive())
    return 0


def worker_main(env: dict[str, str]) -> int:
    """The cloud's ingestion worker, as ``smartlock cloud worker --session faults``."""
    from smartlock.cloud.cli import _run_worker

    os.environ.update(env)
    settings = Settings()
    settings.worker_session = f"{WORKER_SESSION}-0"
    return _run_worker(settings)


def app_main(locks: list[FleetLock], port: int, password: str, log: Path, seed: int) -> int:
    """Signed remote unlocks as the cloud sends them: fresh, replayed, expired."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    from smartlock.device.core.inputs import RemoteAction
    from smartlock.link.cloud_side import build_command

    rnd = random.Random(seed)
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="faults-app", protocol=paho.MQTTv5)
    client.username_pw_set(SIM_USER, password)
    client.reconnect_delay_set(0.1, 1.0)
    client.connect_async("127.0.0.1", port, keepalive=10)
    client.loop_start()
    sent: list[tuple[FleetLock, str, str, bytes]] = []
    with log.open("a", encoding="utf-8") as out:
        while True:
            time.sleep(rnd.uniform(0.05, 0.2))
            lock = rnd.choice(locks)
            roll = rnd.random()
            if roll < 0.5 or not sent:
                command, name, payload = build_command(lock.key, lock.lock_id, RemoteAction.UNLOCK)
                sent = [*sent, (lock, command.request_id, name, payload)][-200:]
                kind, rid = "V", command.request_id
            elif roll < 0.8:
                lock, rid, name, payload = rnd.choice(sent)
                kind = "R"
            else:
                then = time.time() - rnd.uniform(31, 300)
                command, name, payload = build_command(
                    lock.key, lock.lock_id, RemoteAction.UNLOCK, now=then
                )
                kind, rid = "X", command.request_id
            client.publish(name, payload, qos=1)
            out.write(f"{kind} {lock.lock_id} {rid}\n")
            out.flush()


# ------------------------------------------------------------------------- the parent


@dataclass
class LockSlot:
    fleet: FleetLock
    data_dir: Path
    pid: int = 0
    read_fd: int = -1
    committed: int = 0  # the highest seq the lock said it committed
    buffer: bytes = b""
    boots: int = 0
    broken: str = ""


@dataclass
class Campaign:
    args: argparse.Namespace
    tmp: Path
    db: infra.Database
    broker: infra.Mosquitto
    env: dict[str, str]
    locks: list[LockSlot]
    sim_password: str
    rnd: random.Random
    worker_pid: int = 0
    app_pid: int = 0
    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WEIGHTS, 0))
    found: dict[str, int] = field(
        default_factory=lambda: {"corrupt": 0, "lost": 0, "duplicated": 0, "wrongly_unlocked": 0}
    )
    notes: list[str] = field(default_factory=list)
    starts = 0

    # -- processes

    def start_lock(self, slot: LockSlot) -> None:
        read_fd, write_fd = os.pipe()
        self.starts += 1
        seed = self.rnd.randrange(1 << 30)
        slot.pid = fork_child(
            self.tmp / f"{slot.data_dir.name}.log",
            lambda: lock_main(slot.data_dir, self.broker.port, write_fd, seed),
        )
        os.close(write_fd)
        slot.read_fd, slot.buffer = read_fd, b""
        slot.boots += 1

    def start_worker(self) -> None:
        self.worker_pid = fork_child(self.tmp / "worker.log", lambda: worker_main(self.env))

    def start_app(self) -> None:
        locks = [s.fleet for s in self.locks]
        port, log, seed = (
            self.broker.services_port,
            self.tmp / "app.txt",
            self.rnd.randrange(1 << 30),
        )
        self.app_pid = fork_child(
            self.tmp / "app.log", lambda: app_main(locks, port, self.sim_password, log, seed)
        )

    def kill_lock(self, slot: LockSlot) -> None:
        _kill(slot.pid)
        self.read_lines(slot, final=True)
        self.check_store(slot)

    def kill_worker(self) -> None:
        _kill(self.worker_pid)

    def kill_broker(self) -> None:
        proc = self.broker.proc
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.popen.wait()
            self.broker.proc = None

    # -- what the locks say

    def read_lines(self, slot: LockSlot, *, final: bool = False) -> None:
        while slot.read_fd >= 0:
            ready, _, _ = select.select([slot.read_fd], [], [], 5.0 if final else 0)
            if not ready:
                return
            chunk = os.read(slot.read_fd, 65536)
            if not chunk:  # the child is gone and so is the pipe's write end
                os.close(slot.read_fd)
                slot.read_fd = -1
            slot.buffer += chunk
            *lines, slot.buffer = slot.buffer.split(b"\n")
            for raw in lines:
                self.on_line(slot, raw.decode("utf-8", "replace"))
            if not final:
                return

    def on_line(self, slot: LockSlot, line: str) -> None:
        kind, _, rest = line.partition(" ")
        if kind == "C":
            slot.committed = max(slot.committed, int(rest))
        elif kind == "B":
            head = int(rest)
            if head < slot.committed:
                self.found["lost"] += slot.committed - head
                self.notes.append(f"{slot.fleet.lock_id}: booted at {head} < {slot.committed}")
        elif kind == "W":
            self.found["wrongly_unlocked"] += 1
            self.notes.append(f"{slot.fleet.lock_id}: {rest}")
        elif kind == "E":
            self.found["corrupt"] += 1
            slot.broken = rest
            self.notes.append(f"{slot.fleet.lock_id}: does not boot: {rest}")

    def check_store(self, slot: LockSlot) -> None:
        """After a kill: the store is whole and holds everything the lock said it
        committed (the next boot would recover the WAL the same way)."""
        try:
            seqs, ok = _journal_seqs(slot.data_dir / "lock.db")
        except sqlite3.Error as exc:
            self.found["corrupt"] += 1
            self.notes.append(f"{slot.fleet.lock_id}: store unreadable: {exc}")
            return
        if not ok or (seqs and seqs != list(range(1, len(seqs) + 1))):
            self.found["corrupt"] += 1
            self.notes.append(f"{slot.fleet.lock_id}: quick_check {ok}, journal gap")
        if (seqs[-1] if seqs else 0) < slot.committed:
            self.found["lost"] += slot.committed - (seqs[-1] if seqs else 0)
            self.notes.append(f"{slot.fleet.lock_id}: committed {slot.committed} not in store")

    # -- the run

    def kill_at_random(self) -> str:
        target = self.rnd.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        if target == "lock":
            slot = self.rnd.choice([s for s in self.locks if not s.broken])
            self.kill_lock(slot)
            if not slot.broken:
                self.start_lock(slot)
        elif target == "cloud":
            self.kill_worker()
            self.start_worker()
        else:
            self.kill_broker()
            self.broker.start()
        self.kills[target] += 1
        return target

    def pump(self) -> None:
        for slot in self.locks:
            self.read_lines(slot)


def _kill(pid: int) -> None:
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _stop(pid: int, grace_s: float = 10.0) -> None:
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        time.sleep(0.05)
    _kill(pid)


def _journal_seqs(path: Path) -> tuple[list[int], bool]:
    conn = sqlite3.connect(path, timeout=10)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        seqs = [int(r[0]) for r in conn.execute("SELECT seq FROM journal ORDER BY seq")]
    finally:
        conn.close()
    return seqs, ok


def _journal(path: Path) -> list[tuple[int, str, dict[str, Any]]]:
    conn = sqlite3.connect(path, timeout=10)
    try:
        rows = conn.execute("SELECT seq, kind, details FROM journal ORDER BY seq").fetchall()
    finally:
        conn.close()
    return [(int(s), str(k), json.loads(d) if d else {}) for s, k, d in rows]


def prepare_lock(data_dir: Path, fleet: FleetLock) -> None:
    """A lock as pairing leaves it: label, master user (PIN), binding, remote unlock on."""
    from smartlock.demo.lockproc import virtual_hardware_key
    from smartlock.device import open_lock
    from smartlock.device.core.inputs import (
        Bind,
        Boot,
        KeyPress,
        RemoteAction,
        RemoteCommand,
        SettingsKey,
    )

    data_dir.mkdir(parents=True)
    code = "FA17-TEST"
    (data_dir / "label.json").write_text(json.dumps({"serial": fleet.lock_id, "code": code}))
    creds = fleet.credentials
    lock = open_lock(
        data_dir / "lock.db",
        serial=fleet.lock_id,
        verification_code=code,
        hardware_key=virtual_hardware_key(data_dir),
    )
    lock.handle(Boot(time.time()))
    for key in f"*#{PIN}#{PIN}#":
        lock.handle(KeyPress(key))
    lock.handle(SettingsKey(3.0))
    lock.handle(
        Bind(
            request_id="bind",
            serial=fleet.lock_id,
            verification_code=code,
            owner="faults",
            broker_username=creds.broker_username,
            broker_password=creds.broker_password,
            lock_key=creds.lock_key,
        )
    )
    lock.handle(
        RemoteCommand(
            "setup", RemoteAction.CHANGE_SETTING, {"name": "remote_unlock", "value": True}
        )
    )
    assert lock.core.state.binding is not None and lock.core.state.settings.remote_unlock
    lock.store.close()


def final_checks(c: Campaign) -> dict[str, Any]:
    """After the drain: the cloud holds every journal event once, each doorbell rang
    once, no chain break; no expired or replayed remote unlock ran."""
    found = c.found
    by_device = {
        str(r[0]): (int(str(r[1])), int(str(r[2])))
        for r in c.db.rows("select device_id, count(*), count(distinct seq) from events group by 1")
    }
    events = doorbells = 0
    for slot in c.locks:
        journal = _journal(slot.data_dir / "lock.db")
        events += len(journal)
        count, distinct = by_device.get(slot.fleet.device_id, (0, 0))
        found["duplicated"] += count - distinct
        if distinct < len(journal):
            found["lost"] += len(journal) - distinct
            c.notes.append(f"{slot.fleet.lock_id}: cloud has {distinct} of {len(journal)}")
        doorbells += sum(1 for _, kind, _ in journal if kind == "doorbell")
    rang = int(str(c.db.scalar("select count(*) from notifications where kind = 'doorbell'")))
    stored_rings = int(str(c.db.scalar("select count(*) from events where kind = 'doorbell'")))
    found["lost"] += max(0, stored_rings - rang)
    found["duplicated"] += max(0, rang - stored_rings)
    breaks = int(str(c.db.scalar("select count(*) from events where chain_break")))
    found["corrupt"] += breaks
    # Remote unlocks the lock ran (its journal), against what the app sent.
    sent: dict[str, set[str]] = {"V": set(), "R": set(), "X": set()}
    app_log = c.tmp / "app.txt"
    for line in app_log.read_text().splitlines() if app_log.exists() else []:
        kind, _, rid = line.split(" ")
        sent[kind].add(rid)
    ran: dict[str, int] = {}
    for slot in c.locks:
        for _, kind, details in _journal(slot.data_dir / "lock.db"):
            if kind == "remote_command" and details.get("action") == "unlock" and details.get("ok"):
                rid = str(details.get("request_id"))
                ran[rid] = ran.get(rid, 0) + 1
    wrong_remote = sum(n - 1 for n in ran.values() if n > 1) + len(set(ran) & sent["X"])
    found["wrongly_unlocked"] += wrong_remote
    return {
        "journal_events": events,
        "doorbells": doorbells,
        "notifications": rang,
        "chain_breaks": breaks,
        "remote_unlocks": {
            "sent": len(sent["V"]),
            "replays_sent": sum(1 for ln in app_log.read_text().splitlines() if ln[0] == "R")
            if app_log.exists()
            else 0,
            "expired_sent": len(sent["X"]),
            "ran": len(ran),
        },
    }


def delivered(c: Campaign) -> bool:
    """Every lock's journal is stored, and every stored doorbell has its notification."""
    have = {
        str(r[0]): int(str(r[1]))
        for r in c.db.rows("select device_id, max(seq) from events group by 1")
    }
    for slot in c.locks:
        seqs, _ = _journal_seqs(slot.data_dir / "lock.db")
        if have.get(slot.fleet.device_id, 0) < (seqs[-1] if seqs else 0):
            return False
    rang = int(str(c.db.scalar("select count(*) from notifications where kind = 'doorbell'")))
    rings = int(str(c.db.scalar("select count(*) from events where kind = 'doorbell'")))
    return rang >= rings


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    quiet = args.json
    started = time.monotonic()
    seed = args.seed if args.seed is not None else secrets.randbits(31)
    rnd = random.Random(seed)
    pg = infra.ensure_postgres()
    if pg:
        stack.callback(infra.stop_postgres, pg)
    tmp = Path(tempfile.mkdtemp(prefix="smartlock-faults-"))
    if args.keep:
        stack.callback(print, f"kept {tmp}", file=sys.stderr)
    else:
        stack.callback(shutil.rmtree, tmp, True)
    db = infra.Database()
    stack.callback(db.drop)
    master_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(
        database_url=db.url, master_key=SecretStr(master_key), data_dir=tmp / "data"
    )
    services = build_services(settings)
    try:
        fleet = provision(services, args.locks, tmp, infra.fleet_acl(SIM_USER))
    finally:
        services.engine.dispose()
    slots = []
    for lock in fleet.locks:
        data_dir = tmp / "locks" / lock.lock_id
        prepare_lock(data_dir, lock)
        slots.append(LockSlot(lock, data_dir))
    # Imported once here, not in every forked child: a restart costs no import.
    import smartlock.cloud.cli
    import smartlock.cloud.features_worker
    import smartlock.cloud.link_worker
    import smartlock.demo.lockproc

    smartlock.demo.lockproc.face_parts()  # the face engine's imports, if installed
    broker = infra.Mosquitto(tmp, dict(os.environ))
    broker.start()
    stack.callback(broker.stop)
    broker_url = f"mqtt://cloud:{fleet.cloud_password}@127.0.0.1:{broker.services_port}"
    env = cloud_env(
        database_url=db.url, broker_url=broker_url, master_key=master_key, data_dir=tmp / "data"
    )
    c = Campaign(args, tmp, db, broker, env, slots, fleet.sim_password, rnd)

    def stop_all() -> None:
        for slot in c.locks:
            _kill(slot.pid)
        _kill(c.app_pid)
        _kill(c.worker_pid)

    stack.callback(stop_all)
    say(quiet, f"seed {seed}: {args.locks} locks, a worker, the app; {tmp}")
    c.start_worker()
    for slot in slots:
        c.start_lock(slot)
    c.start_app()
    time.sleep(2.0)
    setup_s = time.monotonic() - started
    say(quiet, f"{args.points} SIGKILLs over {args.seconds:.0f} s")
    t0 = time.monotonic()
    for n in range(args.points):
        due = t0 + args.seconds * (n + rnd.random()) / args.points
        while time.monotonic() < due:
            c.pump()
            time.sleep(min(0.02, max(0.0, due - time.monotonic())))
        c.kill_at_random()
        if (n + 1) % 100 == 0:
            say(quiet, f"{n + 1} kills {c.kills} found {c.found}")
    kill_s = time.monotonic() - t0
    say(quiet, "drain: no more kills or inputs; waiting for delivery")
    for slot in slots:
        (slot.data_dir / "quiet").touch()
    _kill(c.app_pid)
    t1 = time.monotonic()
    while time.monotonic() - t1 < args.drain:
        c.pump()
        if delivered(c):
            break
        time.sleep(0.5)
    drain_s = time.monotonic() - t1
    c.pump()
    for slot in slots:
        _stop(slot.pid)
        c.read_lines(slot, final=True)
        c.check_store(slot)
    _stop(c.worker_pid)
    totals = final_checks(c)
    worker_log = (tmp / "worker.log").read_text("utf-8", "replace")
    return {
        "ok": not any(c.found.values()),
        "found": dict(c.found),
        "kills": {"total": sum(c.kills.values()), **c.kills},
        "lock_boots": sum(s.boots for s in slots),
        **totals,
        "seconds": {
            "setup": round(setup_s, 1),
            "killing": round(kill_s, 1),
            "drain": round(drain_s, 1),
            "total": round(time.monotonic() - started, 1),
        },
        "config": {
            "locks": args.locks,
            "points": args.points,
            "seed": seed,
            "cores": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "worker_tracebacks": worker_log.count("Traceback (most recent call last)"),
        "notes": c.notes[:20],
    }


def table(r: dict[str, Any]) -> str:
    f, k, s = r["found"], r["kills"], r["seconds"]
    lines = [
        f"kill -9 campaign: {k['total']} kills (locks {k['lock']}, cloud {k['cloud']}, "
        f"broker {k['broker']}) in {s['killing']} s, drain {s['drain']} s, total {s['total']} s",
        f"  journal events {r['journal_events']} (doorbells {r['doorbells']}, "
        f"notifications {r['notifications']}), lock boots {r['lock_boots']}",
        "  remote unlocks sent {sent}, replays {replays_sent}, expired {expired_sent}, "
        "ran {ran}".format(**r["remote_unlocks"]),
        f"  corrupt {f['corrupt']}  lost {f['lost']}  duplicated {f['duplicated']}  "
        f"wrongly unlocked {f['wrongly_unlocked']}  -> {'OK' if r['ok'] else 'FAILED'}",
    ]
    lines += [f"  note: {n}" for n in r["notes"]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def terminate(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    parent = os.getpid()
    with contextlib.ExitStack() as stack:
        try:
            results = run(args, stack)
        except KeyboardInterrupt:
            if os.getpid() == parent:
                print("interrupted; stopping what the campaign started", file=sys.stderr)
            return 130
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
