"""A real `smartlock demo` on free ports in a temp folder, and a real Chromium.

The demo is started as a user starts it (the CLI, in a subprocess) and stopped with
Ctrl-C (SIGINT); its banner says where everything is. Without /usr/bin/chromium the
browser tests skip, unless the env var CI is set: then they fail.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = [pytest.mark.e2e]


@dataclass
class DemoRun:
    """What the demo's banner told us, and its process."""

    proc: subprocess.Popen[str]
    data_dir: Path
    base: str = ""
    panel_key: str = ""  # the per-run panel secret printed in the panel links
    broker: str = ""
    email: str = ""
    password: str = ""
    master_pin: str = ""
    serials: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


def _read_banner(run: DemoRun, timeout: float = 90.0) -> None:
    assert run.proc.stdout is not None
    done = threading.Event()

    def pump() -> None:
        assert run.proc.stdout is not None
        for line in run.proc.stdout:
            run.output.append(line.rstrip("\n"))
            if line.strip().startswith("data:"):
                done.set()
        done.set()

    threading.Thread(target=pump, daemon=True).start()
    if not done.wait(timeout) or run.proc.poll() is not None:
        raise AssertionError("the demo did not start:\n" + "\n".join(run.output))
    text = "\n".join(run.output)
    panel = re.search(r"panel:\s+(http://[\d.:]+)/panel/1\?key=([\w-]+)", text)
    assert panel, text
    run.base, run.panel_key = panel.group(1), panel.group(2)
    run.broker = re.search(r"broker:\s+(\S+)", text).group(1)  # type: ignore[union-attr]
    account = re.search(r"account:\s+(\S+)\s+password: (\S+)", text)
    assert account, text
    run.email, run.password = account.group(1), account.group(2)
    pin = re.search(r"master user 001 password: (\d+)", text)
    assert pin, text
    run.master_pin = pin.group(1)
    run.serials = re.findall(r"serial (SL\w+)", text)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    data = tmp_path_factory.mktemp("demo-data")
    cmd = [sys.executable, "-m", "smartlock.cli", "demo", "--data-dir", str(data)]
    cmd += ["--http-port", "0", "--mqtt-port", "0", "--locks", "2"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    run = DemoRun(proc, data)
    try:
        _read_banner(run)
        yield run
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    time.sleep(0.2)
    assert any("stopped" in line for line in run.output), "\n".join(run.output[-20:])


# Package scope: sync Playwright runs an event loop while it is open, which would
# break the asyncio tests of later packages.
@pytest.fixture(scope="package")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as tests/web: slow CI machines, not slow pages
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()
