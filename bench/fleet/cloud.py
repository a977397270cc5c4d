"""The cloud started as a user would: ``smartlock cloud serve --http-only`` and
``smartlock cloud worker --processes W``, configured by SMARTLOCK_* environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .infra import free_port
from .procs import Meter, Proc

READY_LINE = "following the locks"  # link_worker logs it once per connected process


def smartlock_argv() -> list[str]:
    exe = Path(sys.executable).with_name("smartlock")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("smartlock")
    return [found] if found else [sys.executable, "-m", "smartlock.cli"]


class Cloud:
    """One HTTP process and one worker command (W processes); restartable workers."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.http_port = free_port()
        self.http: Proc | None = None
        self.workers: Proc | None = None
        self.processes = 0
        self._starts = 0
        self.meter = Meter(self.procs)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def procs(self) -> list[Proc]:
        return [p for p in (self.http, self.workers) if p is not None]

    def worker_procs(self) -> list[Proc]:
        return [self.workers] if self.workers is not None else []

    def start_http(self, *, wait: bool = True) -> None:
        argv = [*smartlock_argv(), "cloud", "serve", "--http-only", "--port", str(self.http_port)]
        self.http = Proc("http", argv, self.tmp / "cloud-http.log", self.env)
        if wait:
            self.wait_http()

    def wait_http(self, timeout_s: float = 60.0) -> None:
        assert self.http is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.http.alive():
                raise SystemExit(f"cloud serve exited:\n{self.http.log_text()[-3000:]}")
            try:
                if httpx.get(self.base_url + "/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit("cloud serve did not answer in time")

    def start_workers(self, processes: int, *, wait: bool = True, timeout_s: float = 60.0) -> None:
        self._starts += 1
        self.processes = processes
        log = self.tmp / f"cloud-worker-{self._starts}.log"
        # A named session per worker, as a deployment would run them (docs/fleet.md).
        argv = [*smartlock_argv(), "cloud", "worker", "--processes", str(processes)]
        argv += ["--session", "fleet-bench"]  # a restart keeps the workers' sessions
        self.workers = Proc("worker", argv, log, self.env)
        if wait:
            self.wait_workers(timeout_s)

    def wait_workers(self, timeout_s: float = 60.0) -> float:
        """Seconds until every worker process is subscribed to the locks."""
        assert self.workers is not None
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if not self.workers.alive():
                raise SystemExit(f"cloud worker exited:\n{self.workers.log_text()[-3000:]}")
            if self.workers.log_text().count(READY_LINE) >= self.processes:
                return time.monotonic() - started
            time.sleep(0.1)
        raise SystemExit(f"cloud workers not ready in {timeout_s:.0f} s")

    def stop_workers(self, *, retire: bool = False) -> None:
        """Stop the workers; ``retire`` also ends their broker sessions (scaling to a
        different count next), as an operator scaling down would."""
        if self.workers is not None:
            self.workers.stop()
            self.workers = None
        if retire and self.processes:
            argv = [*smartlock_argv(), "cloud", "worker", "--retire", "--session", "fleet-bench"]
            argv += ["--processes", str(self.processes)]
            subprocess.run(argv, env=self.env, check=True, capture_output=True, timeout=60)

    def worker_logs(self) -> str:
        return "".join(
            p.read_text("utf-8", errors="replace") for p in sorted(self.tmp.glob("cloud-*.log"))
        )

    def stop(self) -> None:
        self.stop_workers()
        if self.http is not None:
            self.http.stop()
            self.http = None
        self.meter.close()


def cloud_env(
    *, database_url: str, broker_url: str, master_key: str, data_dir: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTLOCK_")}
    env.update(
        SMARTLOCK_DATABASE_URL=database_url,
        SMARTLOCK_BROKER_URL=broker_url,
        SMARTLOCK_MASTER_KEY=master_key,
        SMARTLOCK_DATA_DIR=str(data_dir),
        # Confirmation tokens are fetched before the timed phases (argon2 stays out of
        # the latency); a reconnect storm may use one up to ~2 minutes later.
        SMARTLOCK_CONFIRM_SECONDS="600",
        PYTHONUNBUFFERED="1",
    )
    return env
