"""Fingerprint unlock and enrolment in the core (D-FINGER-*), sans I/O.

The module matches on itself, so the core never sees a template (D-PRIV): it hears
"the finger matched slot N", "no match", and the steps of an enrolment, and it
answers with `FingerCommand`s. Each user has one template slot for their finger and
one for a duress finger, fixed by the user number, so the store needs no new table
and a template left behind by a power cut is recognised as stale by its slot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartlock.device.core import lockout, users, verify
from smartlock.device.core.context import LockContext
from smartlock.device.core.effects import FingerCommand
from smartlock.device.core.finger_enrol import Do, Event, FingerEnrolment, Stage
from smartlock.device.core.inputs import (
    FingerCaptured,
    FingerFault,
    FingerLifted,
    FingerMatched,
    FingerNotFound,
    FingerSensor,
    FingerStored,
)
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.records import MAX_USERS, Credential, DurableState
from smartlock.errors import ErrorCode, Refused
from smartlock.vocab import CredentialType, EventKind, FingerOp, FingerProblem, Method, Source

MODULE_SLOTS = 2 * MAX_USERS  # a module with a library of at least 100 (R503: 200)
_METHOD, _SOURCE = Method.FINGERPRINT, Source.FINGERPRINT


def slot_for(user_no: int, duress: bool) -> int:
    """The module slot of a user's finger (even) or duress finger (odd)."""
    return (user_no - 1) * 2 + int(duress)


def slots(state: DurableState) -> frozenset[int]:
    """Every slot that holds an enrolled fingerprint credential."""
    return frozenset(
        slot_for(c.user_no, c.duress)
        for c in state.credentials.values()
        if c.cred_type is CredentialType.FINGERPRINT
    )


def cred_at(state: DurableState, slot: int) -> Credential | None:
    for cred in state.credentials.values():
        if cred.cred_type is CredentialType.FINGERPRINT and slot_for(cred.user_no, cred.duress) == (
            slot
        ):
            return cred
    return None


def has_finger(state: DurableState, user_no: int, duress: bool) -> bool:
    return cred_at(state, slot_for(user_no, duress)) is not None


# ------------------------------------------------------------------ unlocking


def _before_match(core: LockContext) -> bool:
    """Wake on a touch; False when a finger may not open now (menu, lockout, no users)."""
    if core.finger_enrol is not None:
        return False  # the module is enrolling: a stray report
    core.wake()
    if core.menu is not None:
        return False
    if core.locked_out:
        core.say(PromptId.LOCKED_OUT, minutes=_minutes(core))
        return False
    if not core.state.users:
        core.say(PromptId.ADD_MASTER_FIRST)
        return False
    return True


def _minutes(core: LockContext) -> int:
    return lockout.minutes_left(core.state.lockout, core.now)


def on_matched(core: LockContext, inp: FingerMatched) -> None:
    """D-FINGER-OPEN: a matched finger is a credential like a face or a password."""
    if not _before_match(core):
        return
    cred = cred_at(core.state, inp.slot)
    if cred is None:  # a template whose credential is gone (deleted during a power cut)
        core.emit(FingerCommand(FingerOp.DELETE, slots=frozenset({inp.slot})))
        verify.failed(core, _METHOD, _SOURCE, reason="no_match")
        return
    verify.credential_ok(core, cred.cred_id, _METHOD, _SOURCE)


def on_sensor(core: LockContext, inp: FingerSensor) -> None:
    """What the shell says of the module at boot (D-FINGER-HW); a lock without one
    refuses fingerprint enrolment and keeps any fingerprint credentials it has.
    """
    core.change(finger_present=inp.present, finger_presses=inp.presses)


def on_not_found(core: LockContext, inp: FingerNotFound) -> None:
    """A finger that matches nobody is one failed attempt (D-FINGER-LOCKOUT)."""
    if _before_match(core):
        verify.failed(core, _METHOD, _SOURCE, reason="no_match")


# ------------------------------------------------------------------ enrolment


def begin(core: LockContext, user_no: int, duress: bool, origin: Source) -> None:
    """Start guiding an enrolment (D-FINGER-ENROL); refuses a second finger (D-FINGER-1)."""
    if not core.finger_present:
        raise Refused("this lock has no fingerprint sensor", ErrorCode.NO_FINGERPRINT_SENSOR)
    if core.finger_enrol is not None:
        raise Refused("a fingerprint enrolment is already running", ErrorCode.BUSY)
    if has_finger(core.state, user_no, duress):
        raise Refused(f"user {user_no:03d} already has that fingerprint", ErrorCode.HAS_FINGERPRINT)
    core.change(finger_enrol=FingerEnrolment(user_no, duress, core.now, core.finger_presses))
    core.change(finger_origin=origin)
    core.emit(FingerCommand(FingerOp.CAPTURE, press=1))


def from_app(core: LockContext, user_no: int, duress: bool) -> dict[str, Any]:
    """The app's "enrol fingerprint": the lock guides the person at the door; the
    credential appears in the app once the module has stored the finger.
    """
    if core.menu is not None:
        raise Refused("someone is using the lock's menu", ErrorCode.BUSY)
    begin(core, user_no, duress, Source.REMOTE)
    core.wake()
    core.say(PromptId.FINGER_PLACE)
    return {"user_no": user_no}


def cancel(core: LockContext) -> None:
    session = core.finger_enrol
    if session is not None:
        _play(core, session, session.feed(Event.CANCEL, core.now))


def tick(core: LockContext) -> None:
    session = core.finger_enrol
    if session is not None and session.timed_out(core.now):
        session.reason = "timeout"
        _play(core, session, session.feed(Event.TIMEOUT, core.now))


def on_captured(core: LockContext, inp: FingerCaptured) -> None:
    session = core.finger_enrol
    if session is None:
        return
    event = session.captured(inp.press)
    if event is None:
        return
    found = None if inp.found_slot is None else cred_at(core.state, inp.found_slot)
    if inp.press == 1 and found is not None:  # D-FINGER-DUP (a stale slot is no one's)
        event, session.reason = Event.DUPLICATE, "duplicate"
    _play(core, session, session.feed(event, core.now))


def on_lifted(core: LockContext, inp: FingerLifted) -> None:
    session = core.finger_enrol
    if session is not None:
        _play(core, session, session.feed(Event.LIFTED, core.now))


def on_stored(core: LockContext, inp: FingerStored) -> None:
    session = core.finger_enrol
    if session is not None and inp.slot == slot_for(session.user_no, session.duress):
        _play(core, session, session.feed(Event.STORED, core.now))


def on_fault(core: LockContext, inp: FingerFault) -> None:
    session = core.finger_enrol
    if session is None:
        if inp.problem is FingerProblem.BAD_IMAGE and _before_match(core):
            core.say(PromptId.FINGER_RETRY)  # not an attempt: nothing was judged
        return
    event = Event.BAD_IMAGE if inp.problem is FingerProblem.BAD_IMAGE else Event.FAULT
    session.reason = inp.problem.value
    _play(core, session, session.feed(event, core.now))


def _play(core: LockContext, session: FingerEnrolment, actions: tuple[Do, ...]) -> None:
    slot = slot_for(session.user_no, session.duress)
    scanned = False
    in_menu = core.finger_origin is Source.MENU and core.menu is not None
    if in_menu and core.menu is not None:
        core.menu.finger_step()  # each press is input: the menu's 30 s start again
    for action in actions:
        if action is Do.SAVE and not _save(core, session):
            core.emit(FingerCommand(FingerOp.DELETE, slots=frozenset({slot})))
            break
        prompt = _PROMPTS.get(action)
        if prompt is PromptId.FINGER_FAILED:
            core.say(prompt, reason=session.reason)
        elif prompt is not None:
            core.say(prompt)
        command = _COMMANDS.get(action)
        if command is FingerOp.CAPTURE:
            core.emit(FingerCommand(FingerOp.CAPTURE, press=session.press))
        elif command is FingerOp.STORE:
            core.emit(FingerCommand(FingerOp.STORE, slots=frozenset({slot})))
        elif command is not None:
            scanned = scanned or command is FingerOp.SCAN
            core.emit(FingerCommand(command))
    if session.over:
        core.change(finger_enrol=None)
        if not scanned:
            core.emit(FingerCommand(FingerOp.SCAN))
        if session.stage is Stage.FAILED and core.finger_origin is Source.REMOTE:
            core.log(  # the app that asked hears why (one started at the menu is heard there)
                EventKind.FINGERPRINT_ENROL_FAILED,
                user_no=session.user_no,
                source=Source.REMOTE,
                reason=session.reason,
            )
        if in_menu and core.menu is not None:
            core.menu.finger_step(over=True)


def _save(core: LockContext, session: FingerEnrolment) -> bool:
    """Record the credential once the module holds the template; False when refused."""
    if core.finger_origin is Source.MENU and core.menu is not None:
        return core.menu.save_finger(session.duress)
    try:
        state, cred_id = users.add_fingerprint(core.state, session.user_no, duress=session.duress)
    except Refused:
        core.say(PromptId.FAILED)
        return False
    core.set_state(state)
    core.log(
        EventKind.CREDENTIAL_ADDED,
        user_no=session.user_no,
        source=Source.REMOTE,
        cred_id=cred_id,
        cred_type=CredentialType.FINGERPRINT,
        duress=session.duress,
    )
    return True


_PROMPTS = {
    Do.SAY_LIFT: PromptId.FINGER_LIFT,
    Do.SAY_AGAIN: PromptId.FINGER_AGAIN,
    Do.SAY_RETRY: PromptId.FINGER_RETRY,
    Do.SAY_ENROLLED: PromptId.FINGER_ENROLLED,
    Do.SAY_EXISTS: PromptId.FINGER_EXISTS,
    Do.SAY_FAILED: PromptId.FINGER_FAILED,
}
_COMMANDS = {
    Do.CAPTURE_NEXT: FingerOp.CAPTURE,
    Do.CAPTURE_SAME: FingerOp.CAPTURE,
    Do.AWAIT_LIFT: FingerOp.AWAIT_LIFT,
    Do.STORE: FingerOp.STORE,
    Do.SCAN: FingerOp.SCAN,
}

# The core's dispatch entries for the module's reports (`handlers.HANDLERS` takes them in).
HANDLERS: dict[type, Callable[[LockContext, Any], None]] = {
    FingerMatched: on_matched,
    FingerNotFound: on_not_found,
    FingerCaptured: on_captured,
    FingerLifted: on_lifted,
    FingerStored: on_stored,
    FingerFault: on_fault,
    FingerSensor: on_sensor,
}
