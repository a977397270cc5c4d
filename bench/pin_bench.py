"""Virtual-password check speed (D-KEY-VIRTUAL): a 20-digit entry against 50 users.

Prints median and p99 in milliseconds for (a) the hash-and-lookup alone and (b) the
whole core step for the final `#` (lookup, journal event, effects). Target: median
<= 1 ms. Run: .venv/bin/python bench/pin_bench.py
"""

from __future__ import annotations

import statistics
import time

from smartlock.device.core import LockCore
from smartlock.device.core.inputs import Boot, KeyPress, Tick
from smartlock.device.core.records import DurableState, Identity, User
from smartlock.device.core.users import PinIndex, add_pin
from smartlock.vocab import UserType

RUNS = 2000


def fifty_users() -> DurableState:
    state = DurableState(identity=Identity("SL-BENCH", "VC"), secret=b"b" * 32)
    users = {n: User(n, UserType.MASTER if n == 1 else UserType.NORMAL) for n in range(1, 51)}
    state = state.replace(users=users)
    for n in range(1, 51):
        state, _ = add_pin(state, n, f"{n:02d}{(n * 7919) % 10**6:06d}"[: 6 + n % 5])
    return state


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.99)] * 1000


def bench_lookup(state: DurableState) -> None:
    index = PinIndex(state)
    miss = "98765432109876543210"  # no match: every one of the 65 runs is hashed
    hit = "9876543210" + f"{50:02d}{(50 * 7919) % 10**6:06d}"[: 6 + 50 % 5]
    hit = hit[-20:]
    for label, entry in (("lookup, no match", miss), ("lookup, match at end", hit)):
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            index.find_virtual(entry)
            times.append(time.perf_counter() - t)
        med, p99 = percentiles(times)
        print(f"{label:<28} median {med:.4f} ms   p99 {p99:.4f} ms")


def bench_core(state: DurableState) -> None:
    core = LockCore.restore(state)
    now = 1_700_000_000.0
    core.handle(Boot(now))
    times = []
    for _ in range(RUNS // 4):
        now += 400  # stay clear of the lockout window
        core.handle(Tick(now))
        for key in "98765432109876543210":
            core.handle(KeyPress(key))
        t = time.perf_counter()
        core.handle(KeyPress("#"))
        times.append(time.perf_counter() - t)
    med, p99 = percentiles(times)
    print(f"{'core step for # (failure)':<28} median {med:.4f} ms   p99 {p99:.4f} ms")


if __name__ == "__main__":
    state = fifty_users()
    print(f"20-digit virtual entry against {len(state.users)} users, {RUNS} runs")
    bench_lookup(state)
    bench_core(state)
