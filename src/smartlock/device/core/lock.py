"""`LockCore`: the lock's brain as a sans-I/O state machine (in the manner of h11).

Feed it inputs (`smartlock.device.core.inputs`), get effects back
(`smartlock.device.core.effects`). It never sleeps, reads a clock, or touches a file or a
socket: time comes in as `Tick(now)`, durable state goes out as `core.state` for the
store to commit with the effects in one transaction.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Unpack

from smartlock.device.core import door, fingerprint, lifecycle, lockout, verify
from smartlock.device.core.context import Changes, Mark
from smartlock.device.core.door import Do, DoorEvent, Phase
from smartlock.device.core.effects import (
    Alarm,
    AlarmKind,
    BoltAction,
    Effect,
    FaceWatch,
    FingerCommand,
    JournalEvent,
    Led,
    MoveBolt,
    Prompt,
    SetLed,
    StatusChanged,
)
from smartlock.device.core.face_window import FaceWindow
from smartlock.device.core.finger_enrol import DEFAULT_PRESSES, FingerEnrolment
from smartlock.device.core.handlers import HANDLERS
from smartlock.device.core.inputs import Input
from smartlock.device.core.keypad import IDLE_S, KeypadBuffer
from smartlock.device.core.menu import Menu
from smartlock.device.core.physical import CRITICAL_BATTERY, LOW_BATTERY
from smartlock.device.core.ports import FaceMatcher, OfflineCodeChecker
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.records import FIRMWARE_VERSION, DurableState, Identity
from smartlock.device.core.settings import BY_NAME, Settings
from smartlock.device.core.users import PinIndex
from smartlock.device.core.views import LockStatus, UserView, temp_password_view, user_views
from smartlock.errors import InputError
from smartlock.vocab import BoltState, EventKind, FingerOp, Method, Mode, Source

PROMPT_MODES = {
    (Mode.ANTI_LOCK, True): PromptId.ANTI_LOCK_ON,
    (Mode.ANTI_LOCK, False): PromptId.ANTI_LOCK_OFF,
    (Mode.NORMALLY_OPEN, True): PromptId.NORMALLY_OPEN_ON,
    (Mode.NORMALLY_OPEN, False): PromptId.NORMALLY_OPEN_OFF,
    (Mode.ARMED, True): PromptId.ARMED,
    (Mode.ARMED, False): PromptId.DISARMED,
}


_NOT_STATE = frozenset({"state", "matcher", "offline_codes", "image_firmware", "_pins", "_out"})


@dataclass(frozen=True)
class Checkpoint:
    """What `LockCore.checkpoint` saved: the durable state and a copy of the rest."""

    state: DurableState
    volatile: dict[str, Any]


class LockCore:
    """The lock's rules. `handle(input) -> [effects]`; read-only views for the app."""

    def __init__(
        self,
        state: DurableState,
        *,
        matcher: FaceMatcher | None = None,
        offline_codes: OfflineCodeChecker | None = None,
        firmware: str = FIRMWARE_VERSION,
        finger_presses: int = DEFAULT_PRESSES,
    ) -> None:
        self.state = state
        self.finger_presses = finger_presses  # the module's: 2 (AS608) or 3 (R503)
        self.finger_present = True  # until the shell's FingerSensor says otherwise
        self.matcher = matcher
        self.offline_codes = offline_codes
        self.image_firmware = firmware  # the version built into the image it booted
        self.now = 0.0
        # D-PAIR's 3 minutes; a test or a bench may shorten it (issue 12, item 7).
        self.pairing_window_s = lifecycle.PAIRING_S
        self._out: list[Effect] = []
        self._pins: PinIndex | None = None
        self._last_status: dict[str, Any] | None = None
        self.reset_volatile()

    @classmethod
    def new(cls, identity: Identity, secret: bytes, **kwargs: Any) -> LockCore:
        """A lock fresh from the factory (no users: D-FIRST)."""
        if len(secret) < 16:
            raise InputError("the per-lock secret needs at least 16 bytes")
        return cls(DurableState(identity=identity, secret=secret), **kwargs)

    @classmethod
    def restore(cls, state: DurableState, **kwargs: Any) -> LockCore:
        """A lock rebuilt from the store at boot; feed it `Boot(now)` next."""
        return cls(state, **kwargs)

    def reset_volatile(self) -> None:
        """Forget everything in memory (boot, D-RESET); the durable state stays."""
        self.awake_until: float | None = None
        self.keypad = KeypadBuffer()
        self.face = FaceWindow()
        self.menu: Menu | None = None
        self.finger_enrol: FingerEnrolment | None = None
        self.finger_origin = Source.MENU
        self.menu_auth_until: float | None = None
        self.phase = Phase.LOCKED
        self.door_open = False
        self.bolt = BoltState.THROWN
        self.relock_at: float | None = None
        self.opened_at: float | None = None
        self.ajar_alerted = False
        self.alarms: set[AlarmKind] = set()
        self.tamper = False
        self.battery: int | None = None
        self.usb = False
        self.network_up = False
        self.pairing_until: float | None = None
        self.last_button_at: float | None = None
        self.unlock_prompt_pending = False
        self.last_event: JournalEvent | None = None

    # ----------------------------------------------------------------- public API

    def handle(self, inp: Input) -> list[Effect]:
        """Apply one input; the returned effects are to be played in order.

        Raises `InputError` for something that is not an input; the state is then
        exactly as before.
        """
        handler = HANDLERS.get(type(inp))
        if handler is None:
            raise InputError(f"not a lock input: {inp!r}")
        self._out = []
        before = self.state
        try:
            handler(self, inp)
        except Exception:
            self.set_state(before)  # whatever went wrong, the durable state is as it was
            self._out = []
            raise
        status = self.status().to_dict()
        status.pop("lockout_remaining_s")
        status["lockout"] = self.locked_out
        if status != self._last_status:
            self._last_status = status
            self._out.append(StatusChanged(self.status().to_dict()))
        out, self._out = self._out, []
        return out

    def status(self) -> LockStatus:
        settings = self.state.settings
        return LockStatus(
            door=door.door_state(
                self.phase,
                door_open=self.door_open,
                ajar=self.ajar_alerted,
                detect_virtual=settings.virtual_lock_detection,
            ),
            door_open=self.door_open,
            bolt=self.bolt,
            modes=settings.modes(),
            battery=self.battery,
            usb_power=self.usb,
            online=self.online,
            lockout_remaining_s=lockout.remaining(self.state.lockout, self.now),
            last_event=None if self.last_event is None else self.last_event.to_dict(),
            alarms=tuple(sorted(a.value for a in self.alarms)),
            bound=self.state.binding is not None,
            pairing=self.pairing_until is not None,
            users=len(self.state.users),
            mech_pending=self.state.mech_pending,
            serial=self.state.identity.serial,
            firmware=self.firmware,
        )

    def users(self) -> list[UserView]:
        return user_views(self.state)

    def temp_passwords(self) -> list[dict[str, Any]]:
        """Temporary passwords with their use counts (A-TEMP), without the codes."""
        temps = sorted(self.state.temp_passwords.values(), key=lambda t: t.temp_id)
        return [temp_password_view(t, self.now) for t in temps]

    @property
    def firmware(self) -> str:
        """The version the lock runs: the last one installed by an update (A-OTA),
        else the built-in one.
        """
        return self.state.firmware or self.image_firmware

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def locked_out(self) -> bool:
        return lockout.remaining(self.state.lockout, self.now) > 0

    @property
    def online(self) -> bool:
        return self.network_up and not self.radio_off

    @property
    def radio_off(self) -> bool:
        return self.battery is not None and self.battery < CRITICAL_BATTERY and not self.usb

    @property
    def low_led(self) -> bool:
        return self.battery is not None and self.battery < LOW_BATTERY

    @property
    def power_save(self) -> bool:
        return self.battery is not None and self.battery < LOW_BATTERY and not self.usb

    @property
    def pins(self) -> PinIndex:
        if self._pins is None or self._pins.secret is not self.state.secret:
            self._pins = PinIndex(self.state)
        return self._pins

    # ----------------------------------------------------------- effect helpers

    def say(self, prompt_id: PromptId, **args: Any) -> None:
        """Queue a prompt, unless muted (D-MUTE silences prompts, never alarms)."""
        if not self.state.settings.mute:
            self._out.append(Prompt(prompt_id, args))

    def emit(self, effect: Effect) -> None:
        self._out.append(effect)

    def log(
        self,
        kind: EventKind,
        *,
        user_no: int | None = None,
        method: Method | None = None,
        source: Source | None = None,
        **details: Any,
    ) -> JournalEvent:
        """Record a journal event with the next sequence number (D-LOG)."""
        seq = self.state.next_seq
        event = JournalEvent(seq, self.now, kind, user_no, method, source, details)
        self.state = self.state.replace(next_seq=seq + 1)
        self.last_event = event
        self._out.append(event)
        return event

    def mark(self) -> Mark:
        """Where the effects of this input stand, for `rollback`."""
        return len(self._out), self.last_event

    def rollback(self, state: DurableState, mark: Mark) -> None:
        """Undo a refused request: the state and the effects as they were at `mark`."""
        self.set_state(state)
        del self._out[mark[0] :]
        self.last_event = mark[1]

    def grant_remote(self, by: str | None, user_no: int | None = None) -> None:
        """A-REMOTE unlock, after `remote` has checked the rules (`user_no`: a code named one)."""
        verify.grant(self, user_no, Method.REMOTE, Source.REMOTE, by=by)

    def change(self, **changes: Unpack[Changes]) -> None:
        """The one writer of the in-memory fields a handler may set (`Changes`)."""
        for name, value in changes.items():
            setattr(self, name, value)

    def start_menu(self, user_no: int | None) -> None:
        """Open the keypad menu: logged in as master `user_no`, or D-FIRST's first use."""
        self.menu = Menu.start_first_use(self) if user_no is None else Menu.login(self, user_no)

    def checkpoint(self) -> Checkpoint:
        """The state, durable and in memory, to `undo` a step the store refused."""
        parts = {k: v for k, v in vars(self).items() if k not in _NOT_STATE}
        memo: dict[int, Any] = {id(self): self, id(self.state): self.state}
        for shared in (self.matcher, self.offline_codes, self.last_event):  # immutable or ports
            if shared is not None:
                memo[id(shared)] = shared
        return Checkpoint(self.state, copy.deepcopy(parts, memo))

    def undo(self, checkpoint: Checkpoint) -> None:
        self.state = checkpoint.state
        self.__dict__.update(checkpoint.volatile)

    def committed(self, state: DurableState, event: JournalEvent) -> None:
        """The shell journaled and committed an event of its own (the store was full)."""
        self.state, self.last_event = state, event

    def set_state(self, state: DurableState) -> None:
        """The one writer of credential changes: a fingerprint credential that goes
        (menu, app, deregistration, reset) takes its template off the module with it.
        """
        if state.credentials is not self.state.credentials:
            self._pins = None
            gone = fingerprint.slots(self.state) - fingerprint.slots(state)
            if gone:
                self._out.append(FingerCommand(FingerOp.DELETE, slots=gone))
        self.state = state

    def alarm(self, kind: AlarmKind, on: bool) -> None:
        if on != (kind in self.alarms):
            (self.alarms.add if on else self.alarms.discard)(kind)
            self._out.append(Alarm(kind, on))

    def announce_unlocked(self) -> None:
        self.unlock_prompt_pending = False
        self.say(PromptId.UNLOCKED)
        if self.power_save:  # D-BATT-LOW: every unlock says so
            self.say(PromptId.BATTERY_LOW)

    def door_event(self, event: DoorEvent) -> tuple[Do, ...]:
        """Run the bolt/door table and carry out its actions (which it returns)."""
        before = self.phase
        self.phase, actions = door.step(self.phase, event)
        if before is Phase.UNLATCHED and self.phase is not Phase.UNLATCHED:
            self.relock_at = None
        for action in actions:
            if action is Do.RETRACT:
                self._out.append(MoveBolt(BoltAction.RETRACT))
            elif action is Do.THROW:
                self._out.append(MoveBolt(BoltAction.THROW))
            else:
                self.relock_at = self.now + self.state.settings.auto_relock_s
        return actions

    def change_setting(
        self, name: str, value: Any, *, source: Source, user_no: int | None = None
    ) -> bool:
        """Apply one checked setting change with its side effects; False if unchanged."""
        settings = self.state.settings.with_value(name, value)
        old = getattr(self.state.settings, name)
        new = getattr(settings, name)
        if old == new:
            return False
        self.state = self.state.replace(settings=settings)
        mode = BY_NAME[name].mode
        kind = EventKind.MODE_CHANGED if mode is not None else EventKind.SETTING_CHANGED
        self.log(kind, user_no=user_no, source=source, name=name, value=new)
        if mode is Mode.ARMED:
            self.emit(SetLed(Led.ARMED, bool(new)))
            if not new:
                self.alarm(AlarmKind.INTRUSION, False)
        elif mode is Mode.NORMALLY_OPEN:
            self.door_event(DoorEvent.PASSAGE_ON if new else DoorEvent.PASSAGE_OFF)
        elif name == "watch_window_s":
            self.face.shorten(self.now, int(new))
        if mode is not None and (mode, new) in PROMPT_MODES:
            self.say(PROMPT_MODES[(mode, bool(new))])
        return True

    def wake(self) -> bool:
        """Light the keypad and open a face window; True if the lock was asleep."""
        asleep = self.awake_until is None
        self.awake_until = self.now + IDLE_S
        if asleep:
            self.emit(SetLed(Led.KEYPAD, True))
        if (
            not self.locked_out
            and self.state.settings.face_unlock
            and self.face.touch(self.now, self.state.settings.watch_window_s)
        ):
            self.emit(FaceWatch(True))
        return asleep
