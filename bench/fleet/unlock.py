"""Remote unlocks through the HTTP API, timed from request to the lock's answer.

Every unlock needs a re-confirmation (A-REMOTE): a one-time token from
``POST /auth/confirm``, which runs argon2. The tokens are fetched BEFORE each timed
phase, so the figures are the unlock path (HTTP, database, broker, the lock's signed
answer pushed back to the waiting request), not password hashing.
"""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

API = "/api/v1"


@dataclass
class Result:
    latency_s: float
    status: str  # done | refused | offline | http_<code> | error
    reason: str | None = None


@dataclass
class Tally:
    results: list[Result] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.results)

    @property
    def answered(self) -> int:
        return sum(r.status == "done" for r in self.results)

    def latencies_ms(self) -> list[float]:
        return sorted(r.latency_s * 1000 for r in self.results if r.status == "done")

    def summary(self) -> dict[str, object]:
        lat = self.latencies_ms()
        others: dict[str, int] = {}
        for r in self.results:
            if r.status != "done":
                key = f"{r.status}:{r.reason}" if r.reason else r.status
                others[key] = others.get(key, 0) + 1
        return {
            "sent": self.sent,
            "answered": self.answered,
            "p50_ms": percentile(lat, 50),
            "p99_ms": percentile(lat, 99),
            "max_ms": lat[-1] if lat else None,
            "not_answered": others,
        }


# The locks to unlock: a list, or what the simulator has connected right now (a user
# unlocks a lock that is online; one that has not reconnected yet in a storm is
# refused at once as offline, which says nothing about the cloud's answers).
Pick = Sequence[str] | Callable[[], Sequence[str]]


def choose(device_ids: Pick) -> str:
    return random.choice(device_ids() if callable(device_ids) else device_ids)


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None if there are none)."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), math.ceil(p / 100 * len(sorted_values))))
    return round(sorted_values[rank - 1], 1)


class Unlocker:
    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base = base_url + API
        self.password = password
        self.http = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=32))
        r = self.http.post(f"{self.base}/auth/tokens", json={"email": email, "password": password})
        r.raise_for_status()
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def confirmations(self, count: int) -> list[str]:
        """``count`` one-time confirmation tokens (argon2 each; before the timing)."""

        def one(_: int) -> str:
            r = self.http.post(
                f"{self.base}/auth/confirm", json={"password": self.password}, headers=self.headers
            )
            r.raise_for_status()
            return str(r.json()["confirmation_token"])

        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(one, range(count)))

    def unlock(self, device_id: str, token: str) -> Result:
        body = {"request_id": uuid.uuid4().hex, "confirmation_token": token}
        started = time.perf_counter()
        try:
            r = self.http.post(
                f"{self.base}/devices/{device_id}/unlock", json=body, headers=self.headers
            )
        except httpx.HTTPError as exc:
            return Result(time.perf_counter() - started, "error", type(exc).__name__)
        took = time.perf_counter() - started
        if r.status_code != 200:
            return Result(took, f"http_{r.status_code}", r.text[:80])
        data = r.json()
        return Result(took, str(data["status"]), data.get("reason"))

    def sequential(self, device_ids: Pick, tokens: list[str], max_s: float) -> Tally:
        """One unlock at a time on random locks, until the tokens or ``max_s`` run out."""
        tally = Tally()
        deadline = time.monotonic() + max_s
        for token in tokens:
            if time.monotonic() >= deadline:
                break
            tally.results.append(self.unlock(choose(device_ids), token))
            time.sleep(0.02)
        return tally

    def paced(self, device_ids: Pick, tokens: list[str], every_s: float) -> Paced:
        return Paced(self, device_ids, tokens, every_s)

    def close(self) -> None:
        self.http.close()


class Paced:
    """Unlocks sent at a steady pace in the background (each may wait its 5 s)."""

    def __init__(
        self, unlocker: Unlocker, device_ids: Pick, tokens: list[str], every_s: float
    ) -> None:
        self.tally = Tally()
        self._u, self._ids, self._tokens, self._every = unlocker, device_ids, tokens, every_s
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(16)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _one(self, token: str) -> None:
        result = self._u.unlock(choose(self._ids), token)
        with self._lock:
            self.tally.results.append(result)

    def _run(self) -> None:
        for token in self._tokens:
            if self._stop.is_set():
                break
            self._pool.submit(self._one, token)
            self._stop.wait(self._every)

    def stop(self) -> Tally:
        """Stop sending; wait for the answers of those sent."""
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)
        return self.tally


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
