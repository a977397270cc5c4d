"""The terminal console: a person drives the virtual lock by typing keys and commands.

Every command lives in one table (`Console.commands`) of `Command` values, so other
parts add their own (the face engine adds `face PATH`) with `Console.add_command`
and the help screen lists them. Bad input prints why and changes nothing.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smartlock.device.core.effects import (
    CommandResult,
    Effect,
    FaceWatch,
    JournalEvent,
    PairingWindow,
    Radio,
)
from smartlock.device.core.prompts import LANGUAGES
from smartlock.device.runtime import LockRuntime
from smartlock.errors import ErrorCode, Fault, LockError, SmartlockError
from smartlock.hal.base import HardwareError
from smartlock.hal.feed import Change
from smartlock.hal.virtual import VirtualLock
from smartlock.hardware import ButtonId, Mechanism

KEYS = re.compile(r"[0-9*#]+")
HOLDABLE = {
    "settings": ButtonId.SETTINGS,
    "button": ButtonId.UNLOCK,
    "arm": ButtonId.ARM,
    "bell": ButtonId.DOORBELL,
}
ICONS = {
    "speaker": "🔊",
    "display": "📟",
    "bolt": "🔩",
    "door": "🚪",
    "siren": "🚨",
    "chime": "🔔",
    "beep": "🔔",
    "battery": "🔋",
    "camera": "📷",
    "usb": "🔌",
    "tamper": "⚠️",
    "fingerprint": "☝",
}


STATUS_FIELDS = (
    *("door", "bolt", "modes", "battery", "online", "lockout_remaining_s", "users"),
    *("alarms", "mech_pending", "bound", "pairing", "last_event"),
)


def describe_event(event: JournalEvent) -> str:
    """One journal line as a person reads it: `#4 unlock by user 001 (password, keypad)`."""
    text = f"log #{event.seq} {event.kind.value}"
    if event.user_no is not None:
        text += f" by user {event.user_no:03d}"
    how = [str(x) for x in (event.method, event.source) if x is not None]
    return text + (f" ({', '.join(how)})" if how else "")


ALIASES = {"exit": "quit", "?": "help", "h": "help"}


class UsageError(SmartlockError, ValueError):
    """The person typed something the console cannot do; the message says why."""

    code = ErrorCode.BAD_INPUT
    fault = Fault.CALLER


Handler = Callable[["Console", Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class Command:
    """One console command: `usage` and `help` feed the help screen."""

    name: str
    usage: str
    help: str
    run: Handler


class Console:
    """Reads lines, acts on the virtual lock through the runtime, echoes what happens."""

    def __init__(
        self,
        *,
        runtime: LockRuntime,
        lock: VirtualLock,
        write: Callable[[str], None] = print,
        lock_status: Callable[[], Mapping[str, Any]] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.lock = lock
        self.write = write
        self.lock_status = lock_status
        self._on_close = on_close
        self.running = True
        self.commands: dict[str, Command] = {}
        for command in BUILTIN_COMMANDS:
            self.add_command(command)
        lock.feed.subscribe(self._echo)
        runtime.add_listener(self._echo_effect)

    def add_command(self, command: Command) -> None:
        """Add or replace a command (the extension point for `face PATH` and others)."""
        self.commands[command.name] = command

    def _echo(self, change: Change) -> None:
        icon = ICONS.get(change.part, "💡")
        self.write(f"   {icon} {change.part}: {change.value}")

    def _echo_effect(self, effect: Effect) -> None:
        """Echo what the hardware feed does not show: the journal and the link's news."""
        match effect:
            case JournalEvent():
                self.write(f"   📝 {describe_event(effect)}")
            case CommandResult(request_id, ok, code, _):
                self.write(f"   ☁  command {request_id}: {'done' if ok else f'refused ({code})'}")
            case FaceWatch(active):
                self.write(f"   📷 face recognition {'watching' if active else 'resting'}")
            case Radio(on):
                self.write(f"   📶 network radio {'on' if on else 'off'}")
            case PairingWindow(until):
                self.write(f"   📶 pairing mode {'open' if until is not None else 'closed'}")

    def execute(self, line: str) -> bool:
        """Run one line; returns False once the person has asked to quit."""
        line = line.strip()
        if not line:
            return self.running
        if KEYS.fullmatch(line):
            self.lock.keypad.type(line)
            return self.running
        if line[0] in "0123456789*#":
            bad = next(c for c in line if c not in "0123456789*#")
            self.write(f"?? {bad!r} is not on the keypad (0-9, * and #): nothing was typed")
            return self.running
        try:
            words = shlex.split(line)
        except ValueError as err:
            self.write(f"?? {err}: nothing was done")
            return self.running
        name = words[0].lower()
        command = self.commands.get(ALIASES.get(name, name))
        if command is None:
            self.write(f"?? unknown command {words[0]!r}: type `help` for the list")
            return self.running
        try:
            command.run(self, words[1:])
        except UsageError as err:
            self.write(f"?? {err}. Usage: {command.usage}")
        except (HardwareError, LockError, ValueError) as err:
            self.write(f"?? {err}")
        return self.running

    def run(self, lines: Iterable[str], *, echo: bool = False) -> None:
        """Execute lines until `quit` or the end of input (a script or stdin)."""
        for line in lines:
            if echo:
                self.write(f"> {line.rstrip()}")
            if not self.execute(line):
                break

    def close(self) -> None:
        """Stop the clock thread and release the store."""
        self.runtime.stop()
        if self._on_close is not None:
            self._on_close()

    def help_text(self) -> str:
        width = max(len(c.usage) for c in self.commands.values())
        rows = [f"  {c.usage:<{width}}  {c.help}" for c in self.commands.values()]
        return "\n".join(
            [
                "Keys: type digits, * (cancel/back) and # (confirm), e.g. 123456#",
                "Commands:",
                *rows,
            ]
        )


def _no_args(args: Sequence[str]) -> None:
    if args:
        raise UsageError(f"takes no arguments, got {' '.join(args)!r}")


def _on_off(args: Sequence[str], default: bool | None = None) -> bool:
    if not args and default is not None:
        return default
    if len(args) == 1 and args[0].lower() in ("on", "off"):
        return args[0].lower() == "on"
    raise UsageError("say on or off")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 86_400:
        raise UsageError("seconds must be between 0 and 86400")
    return value


def _door(console: Console, args: Sequence[str]) -> None:
    if len(args) != 1 or args[0] not in ("open", "close"):
        raise UsageError("say open or close")
    if args[0] == "open":
        console.lock.open_door()
    else:
        console.lock.close_door()


def _bare(act: Callable[[VirtualLock], object]) -> Handler:
    """A command that takes no arguments and does one thing to the lock's hardware."""

    def run(console: Console, args: Sequence[str]) -> None:
        _no_args(args)
        act(console.lock)

    return run


def _press(button: ButtonId) -> Handler:
    return _bare(lambda lock: lock.press(button))


def _hold(console: Console, args: Sequence[str]) -> None:
    if len(args) != 2 or args[0] not in HOLDABLE:
        raise UsageError(f"name one of {', '.join(HOLDABLE)} and the seconds")
    held = _seconds(args[1])
    console.runtime.advance(held)  # the hold takes time on the lock's clock too
    console.lock.press(HOLDABLE[args[0]], held)


def _mechanism(mechanism: Mechanism) -> Handler:
    return _bare(lambda lock: lock.use_mechanism(mechanism))


def _tamper(console: Console, args: Sequence[str]) -> None:
    console.lock.tamper.set(_on_off(args, default=True))


def _battery(console: Console, args: Sequence[str]) -> None:
    if len(args) != 1 or not args[0].isdigit() or not 0 <= int(args[0]) <= 100:
        raise UsageError("give a level from 0 to 100")
    console.lock.battery.set_level(int(args[0]))


def _usb(console: Console, args: Sequence[str]) -> None:
    console.lock.usb.plug(_on_off(args))


def _jam(console: Console, args: Sequence[str]) -> None:
    console.lock.bolt.jam = _on_off(args)
    console.write(f"   (the bolt will {'jam' if console.lock.bolt.jam else 'move freely'})")


def _finger(console: Console, args: Sequence[str]) -> None:
    """`finger N`: touch the sensor with virtual finger N (0-9); `finger silent|answer`."""
    sensor = console.lock.fingerprint
    if len(args) == 1 and args[0] in ("silent", "answer"):
        sensor.set_answering(args[0] == "answer")
        return
    if not args or len(args) > 2 or not args[0].isdigit() or args[1:] not in ([], ["smudged"]):
        raise UsageError("name a finger 0-9 (and `smudged` for an unreadable press)")
    sensor.touch(int(args[0]), smudged=len(args) == 2)


def _wait(console: Console, args: Sequence[str]) -> None:
    if len(args) != 1:
        raise UsageError("give the seconds to wait")
    seconds = _seconds(args[0])
    console.runtime.advance(seconds)
    console.write(f"   ⏱  {seconds:g} s later")


def _status(console: Console, args: Sequence[str]) -> None:
    _no_args(args)
    state = {**console.lock.snapshot(), **console.runtime.status()}
    if console.lock_status is not None:
        found = console.lock_status()
        state.update({f"lock {k}": _plain(found[k]) for k in STATUS_FIELDS if k in found})
    width = max(len(k) for k in state)
    for key, value in state.items():
        console.write(f"   {key:<{width}}  {value}")


def _plain(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, dict) and "kind" in value:  # an event
        return f"#{value.get('seq')} {value['kind']}"
    if isinstance(value, dict):  # modes: list those that are on
        return ", ".join(k for k, on in value.items() if on) or "none"
    return "none" if value is None else str(value)


def _lang(console: Console, args: Sequence[str]) -> None:
    if len(args) != 1 or args[0] not in LANGUAGES:
        raise UsageError(f"say one of {', '.join(LANGUAGES)}")
    console.runtime.lang = args[0]
    console.write(f"   (prompts now in {args[0]})")


def _help(console: Console, args: Sequence[str]) -> None:
    console.write(console.help_text())


def _quit(console: Console, args: Sequence[str]) -> None:
    console.running = False
    console.write("bye: the lock's data stays in its data dir")


BUILTIN_COMMANDS: tuple[Command, ...] = (
    Command("door", "door open|close", "open or close the door (a thrown bolt holds it)", _door),
    Command("settings", "settings", "press the settings key (menu)", _press(ButtonId.SETTINGS)),
    Command("button", "button", "press the inside unlock button", _press(ButtonId.UNLOCK)),
    Command("arm", "arm", "press the arm key", _press(ButtonId.ARM)),
    Command("bell", "bell", "ring the doorbell", _press(ButtonId.DOORBELL)),
    Command("hold", "hold settings|button|arm|bell N", "hold a key for N seconds", _hold),
    Command("knob", "knob", "turn the inside knob", _mechanism(Mechanism.KNOB)),
    Command("key", "key", "open with the mechanical key", _mechanism(Mechanism.KEY)),
    Command("handle", "handle", "push the handle", _mechanism(Mechanism.HANDLE)),
    Command("tamper", "tamper [on|off]", "force the front panel off (or put it back)", _tamper),
    Command("battery", "battery N", "set the battery level to N %", _battery),
    Command("usb", "usb on|off", "plug or unplug USB-C power", _usb),
    Command("jam", "jam on|off", "make the bolt jam (or free it)", _jam),
    Command(
        "finger",
        "finger N [smudged] | finger silent|answer",
        "touch the fingerprint sensor with finger N (0-9), or cut / restore its line",
        _finger,
    ),
    Command("wait", "wait N", "let N seconds pass at once", _wait),
    Command("status", "status", "show every part and the lock's state", _status),
    Command("lang", "lang zh|en", "switch the language of the voice prompts", _lang),
    Command("help", "help", "this screen", _help),
    Command("quit", "quit", "leave the console", _quit),
)
