"""A power cut at any point of an update never leaves a lock without a bootable slot
(D-OTA-POWER): the real lock (core, SQLite store, slots, runtime) in a child process,
killed with SIGKILL while it boots, writes the inactive slot, verifies it, runs the
trial, confirms or rolls back; then booted again, many times over, in one data dir.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from smartlock.device.core import boot
from smartlock.device.core.records import FIRMWARE_VERSION
from smartlock.device.slots import SlotStore
from smartlock.link import firmware as fw

CHILD = Path(__file__).with_name("ota_power_child.py")
ROOT = str(Path(__file__).resolve().parents[2])
SRC = str(Path(ROOT) / "src")
# Where each kill is aimed: just after boot, or just after the lock says it is at a step.
# "start": at a random moment of start-up and boot, before the lock says it booted.
TARGETS = ["writing", "start", "verifying", "trial", "installed", "rolled_back"]
ROUNDS = 2


class Child:
    def __init__(self, data_dir: Path, seed: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(data_dir), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([SRC, ROOT])},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.split())

    def until(self, target: str, timeout_s: float, seen: list[list[str]]) -> bool:
        """Read lines until one says `target` (True) or the time is up (False)."""
        end = time.monotonic() + timeout_s
        while (left := end - time.monotonic()) > 0:
            try:
                words = self.lines.get(timeout=left)
            except queue.Empty:
                return False
            seen.append(words)
            if words[0] == target or words[:2] == ["stage", target]:
                return True
        return False

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def test_power_cut_at_random_points_of_an_update_always_leaves_a_bootable_slot_D_OTA_POWER(
    tmp_path: Path,
) -> None:
    fw.write_private_key(fw.new_private_key(), tmp_path / "vendor.key")
    rnd = random.Random(17)
    confirmed, attempted = FIRMWARE_VERSION, FIRMWARE_VERSION
    landed: dict[str, int] = {}
    boots, span = 0, 0.0
    targets = [TARGETS[n % len(TARGETS)] for n in range(ROUNDS * len(TARGETS))]
    n = 0
    while n < len(targets):
        target = targets[n]
        child = Child(tmp_path, n)
        seen: list[list[str]] = []
        if target == "start":
            hit = not child.until("booted", rnd.uniform(0.3, 1.0) * span, seen)
        else:
            started = time.monotonic()
            assert child.until("booted", 30, seen), f"the lock did not boot after cut {n}: {seen}"
            span = max(span, time.monotonic() - started)
            boots += 1
            booted = seen[-1][1]
            # It runs what was confirmed before the cut, or the update the cut interrupted
            # (when the cut fell after the record confirmed it), never anything else.
            assert booted in (confirmed, attempted), (n, booted, confirmed, attempted)
            confirmed = attempted = booted
            hit = child.until(target, 8, seen)
            time.sleep(rnd.uniform(0, 0.03))
        child.kill()
        while not child.lines.empty():
            seen.append(child.lines.get())
        landed[target] = landed.get(target, 0) + hit
        for words in seen:
            if words[:2] == ["stage", "writing"]:
                attempted = words[2]
            elif words[:2] == ["stage", "installed"]:
                confirmed = attempted = words[2]
        # Straight after the cut, as a bootloader would see the flash: a slot boots.
        store = SlotStore(tmp_path / "slots")
        control = store.read()
        assert control is not None
        decision = boot.decide(control, store.bootable(control))
        assert decision.slot is not None, (n, target, control)
        assert decision.slot in store.bootable(control)
        # A child that starts faster than the slowest boot so far escapes a "start" cut
        # (seen in CI: 0 of 2 landed); cut more starts, up to 6, until one lands.
        extra = len(targets) - ROUNDS * len(TARGETS)
        if n == len(targets) - 1 and landed.get("start", 0) == 0 and extra < 6:
            targets.append("start")
        n += 1
    assert boots == ROUNDS * (len(TARGETS) - 1)  # every start after a cut booted
    for step in ("writing", "verifying", "trial"):  # the cuts fell where they were aimed
        assert landed.get(step, 0) == ROUNDS, landed
    assert landed.get("installed", 0) + landed.get("rolled_back", 0) >= 2, landed
    assert landed.get("start", 0) >= 1, landed  # at least one cut before the boot finished
