"""Timers: what happens because time passed (D-LOCKOUT end, D-KEY-PIN idle, D-MENU-1,
D-FACE-WIN, D-BOLT relock, D-AJAR, D-PAIR window). Run on every `Boot`/`Tick`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartlock.device import fingerprint, lockout, verify
from smartlock.device.door import DoorEvent, Phase
from smartlock.device.effects import AlarmKind, FaceWatch, Led, PairingWindow, SetLed
from smartlock.device.prompts import PromptId
from smartlock.vocab import EventKind, Source

if TYPE_CHECKING:
    from smartlock.device.core import LockCore

AJAR_S = 60.0  # D-AJAR


def advance(core: LockCore) -> None:
    """Everything that happens because time passed (runs on each Boot/Tick)."""
    now = core.now
    state, ended = lockout.expire(core.state.lockout, now)
    if ended:
        core.state = core.state.replace(lockout=state)
        core.log(EventKind.LOCKOUT_ENDED, source=Source.SYSTEM)
    if core.keypad.idle_expired(now):
        core.keypad.clear()
    fingerprint.tick(core)
    if core.menu is not None:
        core.menu.tick(now)
    if core.menu_auth_until is not None and now >= core.menu_auth_until:
        core.menu_auth_until = None
    if core.awake_until is not None and now >= core.awake_until and core.menu is None:
        core.awake_until = None
        core.keypad.clear()
        core.emit(SetLed(Led.KEYPAD, False))
    if core.locked_out:  # D-LOCKOUT: face unlock is locked too, so the camera rests
        core.face.start_at = None
    started, end = core.face.tick(now, core.state.settings.watch_window_s)
    if started:
        core.emit(FaceWatch(True))
    if end is not None:
        verify.window_ended(core, end)
    if core.relock_at is not None and now >= core.relock_at and core.phase is Phase.UNLATCHED:
        core.relock_at = None
        core.door_event(DoorEvent.RELOCK_DUE)
        core.log(EventKind.RELOCKED, source=Source.AUTO)
    opened = core.opened_at
    if core.door_open and not core.ajar_alerted and opened is not None and now - opened > AJAR_S:
        core.ajar_alerted = True
        core.log(EventKind.DOOR_AJAR, source=Source.AUTO)
        core.alarm(AlarmKind.DOOR_AJAR, True)
        core.say(PromptId.DOOR_NOT_CLOSED)
    if core.pairing_until is not None and now >= core.pairing_until:
        core.pairing_until = None
        core.emit(PairingWindow(None))
