"""Fleet benchmark (issue 11): one cloud, N simulated locks, PostgreSQL + Mosquitto.

One bounded run (5 minutes by default, loopback only) that starts its own Mosquitto
(configured like deploy/mosquitto), a fresh PostgreSQL database, the cloud as a user
runs it (``cloud serve --http-only`` + ``cloud worker --processes W``), binds N locks
and measures: the raw broker rate, events stored per second (rows counted) with 1 and
2 workers, the cloud's CPU per event and memory, an online storm, a reconnect storm,
remote-unlock latency idle and under load, and exactly-once order per lock. Every
process it starts is stopped at the end, also on Ctrl-C. See docs/fleet-bench.md.

Run: .venv/bin/python bench/fleet_bench.py [--quick] [--locks N] [--json]
  or: smartlock bench fleet [same options]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import checks, infra, phases, report
from fleet.cloud import Cloud, cloud_env
from fleet.mux import Mux
from fleet.procs import raise_nofile
from fleet.provision import OWNER_EMAIL, SIM_USER, event_for, provision
from fleet.storm import LockFleet
from fleet.unlock import Unlocker
from pydantic import SecretStr

from smartlock.cloud.app import build_services
from smartlock.cloud.core.config import Settings
from smartlock.link.schemas import EventBatch
from smartlock.link.signing import sign_message

log = logging.getLogger("fleet_bench")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="smartlock bench fleet", description=__doc__.splitlines()[0])
    p.add_argument("--locks", type=int, help="simulated locks (default 10000; --quick 200)")
    p.add_argument("--seconds", type=float, help="each throughput window (default 15; quick 4)")
    p.add_argument("--workers", default="1,2", help="worker process counts to compare")
    p.add_argument("--json", action="store_true", help="print one JSON object of all figures")
    p.add_argument("--quick", action="store_true", help="a small run of about a minute")
    p.add_argument("--max-minutes", type=float, help="time budget (default 5; quick 2)")
    p.add_argument(
        "--storms-only", action="store_true", help="skip the throughput windows (diagnosis)"
    )
    args = p.parse_args(argv)
    args.worker_counts = [int(w) for w in str(args.workers).split(",") if w.strip()]
    if not args.worker_counts or min(args.worker_counts) < 1:
        p.error("--workers: a comma-separated list of counts >= 1")
    return args


def make_plan(args: argparse.Namespace) -> phases.Plan:
    quick = args.quick
    locks = args.locks or (200 if quick else 10_000)
    return phases.Plan(
        locks=locks,
        workers=args.worker_counts,
        seconds=args.seconds or (4.0 if quick else 15.0),
        warmup_s=1.5 if quick else 3.0,
        settle_s=15.0 if quick else 45.0,
        recover_s=45.0 if quick else 120.0,
        idle_unlocks=15 if quick else 100,
        storm_unlocks=12 if quick else 30,
        load_unlocks=15 if quick else 100,
        max_s=60 * (args.max_minutes or (2.0 if quick else 5.0)),
        storms_only=args.storms_only,
    )


def payload_size() -> int:
    """Bytes of a signed one-event EventBatch, as the simulator sends them."""
    batch = EventBatch(acked_through=99, events=[event_for(100)])
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return len(sign_message(key, "FLEET-00000", batch)[1])


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = make_plan(args)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")

    def terminate(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    results: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        try:
            setup_and_run(plan, stack, results, quiet=args.json)
        except KeyboardInterrupt:
            print("interrupted; stopping what the bench started", file=sys.stderr)
            return 130
        except Exception as exc:
            # A phase that fails must not hide the figures of those before it.
            logging.exception("the bench failed")
            results["failed"] = f"{type(exc).__name__}: {exc}"
            print(json.dumps(results, indent=2, default=str), file=sys.stderr)
            return 2
    print(json.dumps(results, indent=2) if args.json else report.table(results))
    return 0 if results.get("exactly_once", {}).get("ok") else 1


def say(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def setup_and_run(
    plan: phases.Plan, stack: contextlib.ExitStack, results: dict[str, Any], *, quiet: bool
) -> None:
    """Everything the bench measures, into ``results`` as each phase ends."""
    started = time.monotonic()
    raise_nofile(plan.locks + 1000)
    pg_started = infra.ensure_postgres()
    if pg_started:
        stack.callback(infra.stop_postgres, pg_started)
    tmp = Path(tempfile.mkdtemp(prefix="smartlock-fleet-"))
    if os.environ.get("FLEET_BENCH_KEEP"):  # logs and configs, for a post-mortem
        stack.callback(print, f"kept {tmp}", file=sys.stderr)
    else:
        stack.callback(shutil.rmtree, tmp, True)
    db = infra.Database()
    stack.callback(db.drop)
    master_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    say(quiet, f"provisioning {plan.locks} locks in {db.name}")
    t = time.monotonic()
    settings = Settings(
        database_url=db.url, master_key=SecretStr(master_key), data_dir=tmp / "data"
    )
    services = build_services(settings)
    try:
        fleet = provision(services, plan.locks, tmp, infra.fleet_acl(SIM_USER))
    finally:
        services.engine.dispose()
    provision_s = time.monotonic() - t
    broker = infra.Mosquitto(tmp, dict(os.environ))
    broker.start()
    stack.callback(broker.stop)
    broker_url = f"mqtt://cloud:{fleet.cloud_password}@127.0.0.1:{broker.services_port}"
    env = cloud_env(
        database_url=db.url, broker_url=broker_url, master_key=master_key, data_dir=tmp / "data"
    )
    cloud = Cloud(tmp, env)
    stack.callback(cloud.stop)
    say(quiet, f"starting the cloud (HTTP on {cloud.http_port}, {plan.storm_workers} workers)")
    cloud.start_http(wait=False)
    cloud.start_workers(plan.storm_workers, wait=False)
    cloud.wait_http()
    cloud.wait_workers()
    sys_watch = infra.SysWatch(broker.services_port, SIM_USER, fleet.sim_password)
    stack.callback(sys_watch.close)
    unlocker = Unlocker(cloud.base_url, OWNER_EMAIL, fleet.owner_password)
    stack.callback(unlocker.close)
    run = phases.Run(plan, db, broker, cloud, fleet, sys_watch, unlocker, payload_size())
    run.results = results
    run.started = started
    run.results["config"] = {
        "locks": plan.locks,
        "workers": plan.workers,
        "window_s": plan.seconds,
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "provision_s": round(provision_s, 1),
        "mosquitto_limits": limits(broker.conf),
    }
    try:
        asyncio.run(run_phases(run, quiet))
    finally:
        run.results["duration_s"] = round(time.monotonic() - started, 1)


def limits(conf: Path) -> dict[str, str]:
    keys = ("message_size_limit", "max_inflight_messages", "max_queued_messages")
    pairs = (line.split(" ", 1) for line in conf.read_text().splitlines() if " " in line)
    return {k: v for k, v in pairs if k in keys}


async def run_phases(run: phases.Run, quiet: bool) -> None:
    r = run.results
    timings: dict[str, float] = r.setdefault("phase_s", {})

    def mark(name: str, since: float) -> float:
        now = time.monotonic()
        timings[name] = round(now - since, 1)
        return now

    plan = run.plan
    count = plan.idle_unlocks + plan.storm_unlocks + plan.load_unlocks
    say(quiet, f"{count} confirmation tokens for the remote unlocks (argon2, untimed)")
    run.tokens = await asyncio.to_thread(run.unlocker.confirmations, count)
    t = time.monotonic()
    timings["setup"] = round(t - run.started, 1)
    say(quiet, "raw broker rate")
    r["raw_broker"] = await asyncio.to_thread(phases.raw_broker, run)
    t = mark("raw_broker", t)
    mux = Mux(run.fleet.locks, run.broker.services_port, SIM_USER, run.fleet.sim_password)
    mux.open()  # its sockets before the storms' 10,000 (Mux.open)
    fleet = LockFleet(run.fleet.locks, run.broker.port)
    try:
        say(quiet, f"online storm: {run.plan.locks} connections")
        r["online_storm"] = await phases.online_storm(run, fleet)
        t = mark("online_storm", t)
        say(quiet, "remote unlock, idle")
        r["unlock_idle"] = await phases.idle_unlocks(run, fleet)
        t = mark("unlock_idle", t)
        say(quiet, f"reconnect storm: workers restarted, {phases.PENDING_PER_LOCK} events each")
        r["reconnect_storm"] = await phases.reconnect_storm(run, fleet)
        t = mark("reconnect_storm", t)
    except BaseException:
        mux.close()
        raise
    finally:
        await fleet.stop()
    if run.plan.storms_only:
        mux.close()
    else:
        await asyncio.to_thread(multiplexed, run, mux, quiet)
    t = mark("multiplexed", t)
    r["exactly_once"] = await asyncio.to_thread(checks.exactly_once, run.db, run.fleet.locks)
    logs = run.cloud.worker_logs()
    r["cloud_logs"] = {  # what went wrong inside the cloud, from its own logs
        "batches_not_stored": logs.count("messages was not stored"),
        "deadlocks": logs.count("DeadlockDetected"),
        "pool_timeouts": logs.count("QueuePool limit"),
        "tracebacks": logs.count("Traceback (most recent call last)"),
    }


def multiplexed(run: phases.Run, mux: Mux, quiet: bool) -> None:
    r = run.results
    try:
        mux.connect()
        estimate = 0.4 * r["raw_broker"]["msgs_per_s"]
        r["throughput"] = []
        # The running worker count first: one restart fewer.
        for workers in sorted(run.plan.workers, key=lambda w: w != run.cloud.processes):
            say(quiet, f"throughput with {workers} worker process(es)")
            got = phases.throughput(run, mux, workers, estimate)
            r["throughput"].append(got)
            estimate = 1.3 * max(t["events_per_s"] for t in r["throughput"])
        best = max(r["throughput"], key=lambda t: t["events_per_s"])
        say(quiet, f"remote unlock at half of {best['events_per_s']:.0f} events/s")
        r["unlock_loaded"] = phases.loaded_unlocks(run, mux, best)
        r["throughput"].sort(key=lambda t: t["workers"])
        r["simulator"] = {
            "connections": len(mux.conns),
            "commands_answered": mux.stats.commands,
            "commands_refused": mux.stats.commands_refused,
        }
    finally:
        mux.close()


if __name__ == "__main__":
    sys.exit(main())
