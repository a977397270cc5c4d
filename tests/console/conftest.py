"""A console on the virtual lock with a fake clock, and a way to script it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from smartlock.console_cli import open_console
from smartlock.device.console import Console
from smartlock.device.runtime import FastForwardClock

T0 = 1_800_000_000.0  # a fixed wall-clock start: tests never sleep


class Session:
    """One run of the console: feed lines, read back what it printed."""

    def __init__(self, data_dir: Path, start: float, lang: str) -> None:
        self.clock = FastForwardClock(lambda: start)
        self.out: list[str] = []
        self.console: Console = open_console(
            data_dir, lang=lang, clock=self.clock, write=self.out.append
        )
        self.console.runtime.boot()

    def type(self, *lines: str) -> str:
        """Run the lines; return only what they printed."""
        mark = len(self.out)
        self.console.run(lines)
        return "\n".join(self.out[mark:])

    def close(self) -> float:
        """Quit; return the lock's clock so a restart continues from there."""
        now = self.clock()
        self.console.close()
        return now


@pytest.fixture
def start_console(tmp_path: Path) -> Callable[..., Session]:
    sessions: list[Session] = []

    def start(*, at: float = T0, lang: str = "en", data_dir: Path | None = None) -> Session:
        session = Session(data_dir or tmp_path / "lock", at, lang)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.console.runtime.stop()
