"""Child processes the bench starts, and their CPU time and memory (Linux /proc).

Every process is started in a session of its own, so it and its children (a
``cloud worker --processes 2`` spawns two) are stopped together by that group's id;
nothing else on the machine is touched.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Proc:
    """One started command (its own process group), its output in a log file."""

    def __init__(self, name: str, argv: Sequence[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen(
            list(argv),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def stop(self, grace_s: float = 8.0) -> None:
        """SIGTERM to the group, SIGKILL to what is left after ``grace_s``."""
        pids = tree(self.pid)
        for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.popen.poll()
                if not any(_exists(p) for p in pids):
                    break
                time.sleep(0.05)
            else:
                continue
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=2)
        self._out.close()


def _exists(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def tree(root: int) -> list[int]:
    """``root`` and all its descendants now alive."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of these processes (their reaped children included)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:  # fields[11..14]: utime stime cutime cstime
            total += sum(int(f) for f in fields[11:15])
    return total / TICK


def rss_bytes(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total


def pss_bytes(pids: Sequence[int]) -> int:
    """Proportional set size: shared pages split between the processes sharing them."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
    return total


def describe(pids: Sequence[int]) -> list[dict[str, object]]:
    """Each process: pid, what it runs (short), RSS in MB."""
    out: list[dict[str, object]] = []
    for pid in pids:
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            words = [Path(a.decode(errors="replace")).name for a in argv[:6] if a]
            mb = rss_bytes([pid]) / 1024 / 1024
            out.append({"pid": pid, "cmd": " ".join(words)[:60], "rss_mb": round(mb, 1)})
    return out


def self_cpu() -> float:
    """This process's own CPU seconds (the simulator's cost)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Meter:
    """CPU and memory of the current process trees of ``roots()``; peaks sampled.

    RSS summed over processes counts each shared library page once per process (three
    cloud processes: ~3 x 100 MB of the same code); PSS splits shared pages between
    the processes sharing them, so its sum is the memory the cloud really holds.
    Both are printed; PSS is sampled once a second (smaps_rollup is dearer).
    """

    def __init__(self, roots: Callable[[], Sequence[Proc]], every_s: float = 0.25) -> None:
        self.roots = roots
        self.peak_rss = 0
        self.peak_pss = 0
        self._every = every_s
        self._roots: tuple[int, ...] = ()
        self._pids: list[int] = []
        self._looked_at = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def pids(self) -> list[int]:
        """The trees' pids, looked up again every 2 s or when a root changes: a scan
        of all of /proc four times a second took a third of the simulator's process
        (its GIL) during the storms (py-spy, session 6).
        """
        roots = tuple(root.pid for root in self.roots())
        now = time.monotonic()
        if roots != self._roots or now - self._looked_at > 2.0:
            self._pids = [p for root in roots for p in tree(root)]
            self._roots, self._looked_at = roots, now
        return self._pids

    def cpu(self) -> float:
        return cpu_seconds(self.pids())

    def rss(self) -> int:
        return rss_bytes(self.pids())

    def pss(self) -> int:
        return pss_bytes(self.pids())

    def describe(self) -> list[dict[str, object]]:
        return describe(self.pids())

    def reset_peak(self) -> None:
        self.peak_rss = self.rss()
        self.peak_pss = self.pss()

    def _sample(self) -> None:
        n = 0
        while not self._stop.wait(self._every):
            n += 1
            with contextlib.suppress(Exception):
                self.peak_rss = max(self.peak_rss, self.rss())
                if n % max(1, round(1 / self._every)) == 0:
                    self.peak_pss = max(self.peak_pss, self.pss())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)


def raise_nofile(need: int) -> int:
    """Raise this process's open-file limit (children inherit it); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, need)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        raise SystemExit(
            f"need {need} open files for this many locks, the limit is {soft} (ulimit -Hn)"
        )
    return soft
