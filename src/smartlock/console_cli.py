"""`smartlock console`: drive the virtual lock from a terminal.

The lock's data (users, hashed passwords, face templates, the journal, a running
lockout) lives in `<data dir>/lock.db`, by default `$XDG_DATA_HOME/smartlock` or
`~/.local/share/smartlock`, so quitting and starting again is a reboot, not a reset.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from smartlock.device.console import Command, Console
from smartlock.device.core.ports import FaceMatcher
from smartlock.device.core.prompts import LANGUAGES
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock

log = logging.getLogger(__name__)

# Other parts add console commands here: (module, attribute holding a tuple of Command).
COMMAND_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("smartlock.face.console_commands", "FACE_COMMANDS"),
)


# `wait N` skips lock time; remembering the total keeps a lockout's end where the
# lock expects it after a restart (the lock itself only stores wall-clock times).
SKIPPED_FILE = "console-clock.json"
FINGER_FLASH = "fingerprint-module.json"  # the simulated module's library (D-FINGER-HW)


def _read_offset(path: Path) -> float:
    try:
        value = json.loads(path.read_text())["skipped_s"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0
    return float(value) if isinstance(value, int | float) and value >= 0 else 0.0


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "smartlock"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "console",
        help="drive the virtual lock in a terminal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="prompt language")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the lock keeps its data")
    parser.set_defaults(handler=run_console)


def _face_matcher(fallback: Callable[[], FaceMatcher]) -> FaceMatcher:
    """The calibrated gallery matcher of `smartlock.face`, or the reference one without it."""
    try:
        from smartlock.face.matching import GalleryMatcher
    except ImportError:  # a lock build without the face engine still unlocks by password
        return fallback()
    return GalleryMatcher()


def open_console(
    data_dir: Path,
    *,
    lang: str = "en",
    clock: FastForwardClock | None = None,
    write: Callable[[str], None] = print,
) -> Console:
    """A console on the virtual lock whose data is in `data_dir` (created if needed)."""
    from smartlock.device import EuclideanMatcher, open_lock

    data_dir.mkdir(parents=True, exist_ok=True)
    offset_file = data_dir / SKIPPED_FILE
    if clock is None:
        clock = FastForwardClock(offset=_read_offset(offset_file))
    lock_clock = clock  # bound for `close`, which mypy cannot narrow through
    durable = open_lock(
        data_dir / "lock.db",
        serial=f"SL-{secrets.token_hex(4).upper()}",
        verification_code=secrets.token_hex(3).upper(),
        matcher=_face_matcher(EuclideanMatcher),
    )
    hardware = VirtualLock(finger_flash=data_dir / FINGER_FLASH)  # the module's own memory

    def close() -> None:
        offset_file.write_text(json.dumps({"skipped_s": lock_clock.offset}))
        durable.store.close()

    runtime = LockRuntime(core=durable, hardware=hardware.hardware, clock=clock, lang=lang)
    console = Console(
        runtime=runtime,
        lock=hardware,
        write=write,
        lock_status=lambda: durable.core.status().to_dict(),
        on_close=close,
    )
    for command in provided_commands():
        console.add_command(command)
    return console


def provided_commands() -> list[Command]:
    """Commands other parts contribute; a part that is not installed is skipped."""
    found: list[Command] = []
    for module_name, attribute in COMMAND_PROVIDERS:
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            log.debug("no console commands from %s: %s", module_name, err)
            continue
        found.extend(getattr(module, attribute, ()))
    return found


def _stdin_lines(prompt: str) -> Iterable[str]:
    """Lines typed at a terminal (with line editing), or piped in."""
    if not sys.stdin.isatty():
        yield from sys.stdin
        return
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it gives input() editing and history)
    while True:
        try:
            yield input(prompt)
        except (EOFError, KeyboardInterrupt):
            return


def run_console(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir or default_data_dir()
    console = open_console(data_dir, lang=args.lang)
    print(f"smartlock console: virtual lock, prompts in {args.lang}, data in {data_dir}")
    print("Type `help` for the commands, `quit` to leave. Time runs; `wait N` skips ahead.")
    console.runtime.start()
    try:
        console.run(_stdin_lines("> "), echo=not sys.stdin.isatty())
    finally:
        console.close()
    return 0
