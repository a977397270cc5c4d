"""Time: `Boot` and `Tick`, and what happens because time passed (D-LOCKOUT end,
D-KEY-PIN idle, D-MENU-1, D-FACE-WIN, D-BOLT relock, D-AJAR, D-PAIR window).
"""

from __future__ import annotations

from smartlock.device.core import fingerprint, lockout, verify
from smartlock.device.core.context import LockContext
from smartlock.device.core.door import DoorEvent, Phase
from smartlock.device.core.effects import (
    AlarmKind,
    FaceWatch,
    FingerCommand,
    Led,
    PairingWindow,
    SetLed,
)
from smartlock.device.core.inputs import Boot, Tick
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import EventKind, FingerOp, Source

AJAR_S = 60.0  # D-AJAR


def on_boot(core: LockContext, inp: Boot) -> None:
    core.change(now=max(core.now, inp.now))
    core.log(EventKind.BOOT, source=Source.SYSTEM, firmware=core.firmware)
    # Templates whose credential went while the power was out leave the module.
    core.emit(FingerCommand(FingerOp.KEEP_ONLY, slots=fingerprint.slots(core.state)))
    if core.state.settings.armed:
        core.emit(SetLed(Led.ARMED, True))
    if core.state.settings.normally_open:  # D-MODE-PASS survives a reboot
        core.door_event(DoorEvent.PASSAGE_ON)
    advance(core)


def on_tick(core: LockContext, inp: Tick) -> None:
    core.change(now=max(core.now, inp.now))
    advance(core)


def advance(core: LockContext) -> None:
    """Everything that happens because time passed (runs on each Boot/Tick)."""
    now = core.now
    state, ended = lockout.expire(core.state.lockout, now)
    if ended:
        core.set_state(core.state.replace(lockout=state))
        core.log(EventKind.LOCKOUT_ENDED, source=Source.SYSTEM)
    if core.keypad.idle_expired(now):
        core.keypad.clear()
    fingerprint.tick(core)
    if core.menu is not None:
        core.menu.tick(now)
    if core.menu_auth_until is not None and now >= core.menu_auth_until:
        core.change(menu_auth_until=None)
    if core.awake_until is not None and now >= core.awake_until and core.menu is None:
        core.change(awake_until=None)
        core.keypad.clear()
        core.emit(SetLed(Led.KEYPAD, False))
    if core.locked_out:  # D-LOCKOUT: face unlock is locked too, so the camera rests
        core.face.hold()
    started, end = core.face.tick(now, core.state.settings.watch_window_s)
    if started:
        core.emit(FaceWatch(True))
    if end is not None:
        verify.window_ended(core, end)
    if core.relock_at is not None and now >= core.relock_at and core.phase is Phase.UNLATCHED:
        core.change(relock_at=None)
        core.door_event(DoorEvent.RELOCK_DUE)
        core.log(EventKind.RELOCKED, source=Source.AUTO)
    opened = core.opened_at
    if core.door_open and not core.ajar_alerted and opened is not None and now - opened > AJAR_S:
        core.change(ajar_alerted=True)
        core.log(EventKind.DOOR_AJAR, source=Source.AUTO)
        core.alarm(AlarmKind.DOOR_AJAR, True)
        core.say(PromptId.DOOR_NOT_CLOSED)
    if core.pairing_until is not None and now >= core.pairing_until:
        core.change(pairing_until=None)
        core.emit(PairingWindow(None))
