"""The bench's phases, in the order they run; each returns its figures as a dict."""

from __future__ import annotations

import asyncio
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

from . import checks, rawrate
from .cloud import Cloud
from .infra import Database, Mosquitto, SysWatch
from .mux import Mux
from .procs import cpu_seconds, rss_bytes, self_cpu, tree
from .provision import SIM_USER, Fleet
from .storm import LockFleet
from .unlock import Tally, Unlocker, percentile

MB = 1024 * 1024
PENDING_PER_LOCK = 5


@dataclass
class Plan:
    locks: int
    workers: list[int]
    seconds: float  # each throughput window
    warmup_s: float
    settle_s: float  # online storm: how long a lock may take to be known online
    recover_s: float  # reconnect storm: the most we wait for every event
    idle_unlocks: int
    storm_unlocks: int  # spread over the reconnect storm's longest wait
    load_unlocks: int
    max_s: float
    storms_only: bool = False

    @property
    def storm_workers(self) -> int:
        return max(self.workers)


@dataclass
class Run:
    plan: Plan
    db: Database
    broker: Mosquitto
    cloud: Cloud
    fleet: Fleet
    sys: SysWatch
    unlocker: Unlocker
    payload_bytes: int
    started: float = field(default_factory=time.monotonic)
    results: dict[str, Any] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)

    def left(self) -> float:
        return self.plan.max_s - (time.monotonic() - self.started)

    def cap(self, want: float, reserve: float) -> float:
        """``want`` seconds, less if the run's time budget needs the rest for later
        (never under 40 s: a worker takes 5-15 s to start on a busy 2-core machine).
        """
        return max(min(want, 40.0), min(want, self.left() - reserve))

    def later_s(self, storms: bool) -> float:
        """A guess of what the phases after a storm need (throughput, loaded unlocks)."""
        plan = self.plan
        each = plan.seconds + plan.warmup_s + 10.0  # + a worker restart, presign, drain
        return (len(plan.workers) + 1) * each + (plan.recover_s if storms else 0.0)

    def take_tokens(self, count: int) -> list[str]:
        """Confirmation tokens fetched at the start (argon2 stays out of the timing)."""
        taken, self.tokens = self.tokens[:count], self.tokens[count:]
        return taken

    def unlock_time_s(self) -> float:
        """The most one unlock series may take (bounded run)."""
        return max(10.0, 2 * self.plan.seconds)

    def device_ids(self) -> list[str]:
        return [lock.device_id for lock in self.fleet.locks]


def raw_broker(run: Run) -> dict[str, Any]:
    seconds = max(3.0, min(8.0, run.plan.seconds))
    got = rawrate.measure(
        run.broker.services_port, SIM_USER, run.fleet.sim_password, run.payload_bytes, seconds
    )
    return {"msgs_per_s": round(got["msgs_per_s"]), "payload_bytes": run.payload_bytes, **got}


async def _poll(run: Run, query: Any, target: int, until: float) -> tuple[int, float | None]:
    """Poll PostgreSQL until ``query`` reaches ``target`` or the deadline passes."""
    value = 0
    while True:
        value = await asyncio.to_thread(query, run.db)
        if value >= target:
            return value, time.monotonic()
        if time.monotonic() >= until:
            return value, None
        await asyncio.sleep(0.25)


async def online_storm(run: Run, fleet: LockFleet) -> dict[str, Any]:
    """Every lock connects at once with its own login and will; until all are known."""
    n = run.plan.locks
    dropped0, cpu0 = run.sys.dropped(), self_cpu()
    t0 = time.monotonic()
    fleet.start()
    settle = run.cap(run.plan.settle_s, reserve=run.later_s(storms=True))
    known, at = await _poll(run, checks.known_online, n, t0 + settle)
    last = fleet.last_connected()
    connected = len(fleet.connected_at)
    return {
        "locks": n,
        "settle_s": round(settle, 1),
        "lost": n - known,
        "connected": connected,
        "all_known_s": None if at is None else round(at - t0, 2),
        "all_known_after_last_connect_s": (
            None if at is None or last is None else round(max(0.0, at - last), 2)
        ),
        "last_connect_s": None if last is None else round(last - t0, 2),
        "simulator_cpu_s": round(self_cpu() - cpu0, 1),
        "simulator_rss_mb": round(rss_bytes([os.getpid()]) / MB, 1),
        "broker_dropped": run.sys.dropped() - dropped0,
    }


async def idle_unlocks(run: Run, fleet: LockFleet) -> dict[str, Any]:
    tokens = run.take_tokens(run.plan.idle_unlocks)
    tally = await asyncio.to_thread(
        run.unlocker.sequential, fleet.connected_device_ids, tokens, run.unlock_time_s()
    )
    return tally.summary()


async def reconnect_storm(run: Run, fleet: LockFleet) -> dict[str, Any]:
    """Workers restarted while every lock reconnects holding 5 unacknowledged events."""
    plan, n = run.plan, run.plan.locks
    every = max(0.5, plan.recover_s / plan.storm_unlocks)
    tokens = run.take_tokens(plan.storm_unlocks)
    await fleet.stop()
    await asyncio.to_thread(run.cloud.stop_workers)
    for lock in run.fleet.locks:
        lock.side.record(PENDING_PER_LOCK)
    base = await asyncio.to_thread(checks.stored_events, run.db)
    target = base + PENDING_PER_LOCK * n
    dropped0 = run.sys.dropped()
    run.cloud.meter.reset_peak()
    t0 = time.monotonic()
    run.cloud.start_workers(plan.storm_workers, wait=False)
    fleet.start()
    ready = asyncio.create_task(asyncio.to_thread(run.cloud.wait_workers, plan.recover_s + 60))
    paced = run.unlocker.paced(fleet.connected_device_ids, tokens, every)
    recover = run.cap(plan.recover_s, reserve=run.later_s(storms=False))
    stored, at = await _poll(run, checks.stored_events, target, t0 + recover)
    tally: Tally = await asyncio.to_thread(paced.stop)
    ready_s = await ready
    acked = await fleet.wait_acked(30.0)
    return {
        "locks": n,
        "pending_events": PENDING_PER_LOCK * n,
        "stored": stored - base,
        "recovered_s": None if at is None else round(at - t0, 2),
        "waited_s": round(recover, 1),
        "peak_cloud_rss_mb": round(run.cloud.meter.peak_rss / MB, 1),
        "peak_cloud_pss_mb": round(run.cloud.meter.peak_pss / MB, 1),
        "cloud_pss_mb_after": round(run.cloud.meter.pss() / MB, 1),
        "workers": plan.storm_workers,
        "workers_ready_s": round(ready_s, 2),
        "last_lock_connect_s": _since(fleet.last_connected(), t0),
        "every_lock_acked": acked,
        "broker_dropped": run.sys.dropped() - dropped0,
        "unlock_every_s": round(every, 2),
        "unlocks": tally.summary(),
    }


def _since(at: float | None, t0: float) -> float | None:
    return None if at is None else round(at - t0, 2)


def _presign(run: Run, mux: Mux, rate: float) -> float:
    per_lock = math.ceil(rate * (run.plan.seconds + run.plan.warmup_s + 2) / run.plan.locks) + 1
    return mux.presign(per_lock)


def _marks(run: Run) -> dict[str, float]:
    pg = run.db.backend_pids()
    broker = [run.broker.proc.pid] if run.broker.proc else []
    return {
        "t": time.monotonic(),
        "events": checks.stored_events(run.db),
        "cloud_cpu": run.cloud.meter.cpu(),
        "worker_cpu": cpu_seconds([p for w in run.cloud.worker_procs() for p in tree(w.pid)]),
        "pg_cpu": cpu_seconds(pg),
        "broker_cpu": cpu_seconds(broker),
        "sim_cpu": self_cpu(),
    }


def use_workers(run: Run, workers: int) -> None:
    if run.cloud.processes != workers or run.cloud.workers is None:
        # A different count: retire the old sessions, or they keep their shares.
        run.cloud.stop_workers(retire=run.cloud.processes != workers)
        run.cloud.start_workers(workers)


def throughput(run: Run, mux: Mux, workers: int, estimate: float) -> dict[str, Any]:
    """Locks send as fast as the cloud acks, one batch in flight each; rows counted."""
    plan = run.plan
    use_workers(run, workers)
    presign_s = _presign(run, mux, estimate)
    before = mux.stats.resends, mux.stats.signed_late, len(mux.stats.ack_ms)
    dropped0 = run.sys.dropped()
    mux.start()
    time.sleep(plan.warmup_s)
    a = _marks(run)
    run.cloud.meter.reset_peak()
    time.sleep(plan.seconds)
    b = _marks(run)
    mux.stop_sending()
    left = mux.drain(30.0)
    return _rates(run, a, b) | {
        "workers": workers,
        "cloud_rss_mb": round(run.cloud.meter.rss() / MB, 1),
        "cloud_pss_mb": round(run.cloud.meter.pss() / MB, 1),
        "peak_cloud_rss_mb": round(run.cloud.meter.peak_rss / MB, 1),
        "peak_cloud_pss_mb": round(run.cloud.meter.peak_pss / MB, 1),
        "cloud_processes": run.cloud.meter.describe(),
        "resends": mux.stats.resends - before[0],
        "signed_in_window": mux.stats.signed_late - before[1],
        "ack_p50_ms": percentile(sorted(mux.stats.ack_ms[before[2] :]), 50),
        "ack_p99_ms": percentile(sorted(mux.stats.ack_ms[before[2] :]), 99),
        "unacked_after_drain": left,
        "broker_dropped": run.sys.dropped() - dropped0,
        "presign_s": round(presign_s, 1),
    }


def _rates(run: Run, a: dict[str, float], b: dict[str, float]) -> dict[str, Any]:
    span = b["t"] - a["t"]
    events = b["events"] - a["events"]
    raw = run.results.get("raw_broker", {}).get("msgs_per_s") or 0

    def per_event(key: str) -> float | None:
        return round((b[key] - a[key]) * 1000 / events, 3) if events else None

    rate = events / span if span > 0 else 0.0
    return {
        "events_per_s": round(rate, 1),
        "events": int(events),
        "window_s": round(span, 2),
        "ratio_to_raw": round(rate / raw, 4) if raw else None,
        "cloud_cpu_ms_per_event": per_event("cloud_cpu"),
        "worker_cpu_ms_per_event": per_event("worker_cpu"),
        "cloud_cores_busy": round((b["cloud_cpu"] - a["cloud_cpu"]) / span, 2),
        "postgres_cpu_ms_per_event": per_event("pg_cpu"),
        "broker_cpu_ms_per_event": per_event("broker_cpu"),
        "simulator_cpu_ms_per_event": per_event("sim_cpu"),
    }


def loaded_unlocks(run: Run, mux: Mux, best: dict[str, Any]) -> dict[str, Any]:
    """Remote unlocks while events arrive at half the best measured rate."""
    plan = run.plan
    rate = max(1.0, best["events_per_s"] / 2)
    use_workers(run, best["workers"])
    tokens = run.take_tokens(plan.load_unlocks)
    _presign(run, mux, rate * 1.5)
    mux.start(rate=rate)
    time.sleep(plan.warmup_s)
    a = _marks(run)
    tally = run.unlocker.sequential(run.device_ids(), tokens, run.unlock_time_s())
    b = _marks(run)
    mux.stop_sending()
    left = mux.drain(30.0)
    rates = _rates(run, a, b)
    return {
        "workers": best["workers"],
        "target_events_per_s": round(rate, 1),
        "events_per_s": rates["events_per_s"],
        "unacked_after_drain": left,
        **tally.summary(),
    }
