"""Verification: keypad entries, faces, and what a valid or failed one leads to.

A password may hide inside a virtual entry (D-KEY-VIRTUAL); temporary passwords and
offline codes must be typed exactly (A-TEMP). A valid credential then passes the
menu-login, schedule and anti-lock checks before it opens (D-MODE-ANTI, D-DURESS);
a failure counts toward the lockout (D-LOCKOUT).
"""

from __future__ import annotations

import dataclasses
import hmac
from typing import Any

from smartlock.device.core import lockout
from smartlock.device.core.context import LockContext
from smartlock.device.core.door import Do, DoorEvent
from smartlock.device.core.effects import (
    Display,
    FaceWatch,
)
from smartlock.device.core.face_window import WindowEnd
from smartlock.device.core.inputs import (
    FaceSeen,
    KeyPress,
    NoFace,
)
from smartlock.device.core.offline_codes import id_outlived
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.users import pin_hash, set_user
from smartlock.vocab import (
    CredentialType,
    EventKind,
    FaceRefusal,
    Method,
    Source,
    UserType,
)


def on_key(core: LockContext, inp: KeyPress) -> None:
    woke = core.wake()
    if core.menu is not None:
        core.menu.key(inp.key)
        return
    if woke:
        if core.locked_out:
            core.say(
                PromptId.LOCKED_OUT, minutes=lockout.minutes_left(core.state.lockout, core.now)
            )
            return
        if not core.state.users:
            core.say(PromptId.ADD_MASTER_FIRST)
            return
    if core.locked_out:
        if inp.key == "#":
            core.keypad.clear()
            core.say(
                PromptId.LOCKED_OUT, minutes=lockout.minutes_left(core.state.lockout, core.now)
            )
        return
    if inp.key == "*":
        core.keypad.clear()
    elif inp.key != "#":
        core.keypad.add(inp.key, core.now)
    elif not core.state.users:
        core.keypad.clear()
        core.start_menu(None)
    else:
        digits, overflow = core.keypad.take()
        if digits or overflow:
            submit(core, digits, overflow)


def submit(core: LockContext, digits: str, overflow: bool) -> None:
    """A typed entry + `#`: password (virtual), temporary password, offline code."""
    if not overflow:
        cred_id = core.pins.find_virtual(digits)
        if cred_id is not None:
            credential_ok(core, cred_id, Method.PASSWORD, Source.KEYPAD)
            return
        digest = pin_hash(core.state.secret, digits)
        for temp in core.state.temp_passwords.values():
            if hmac.compare_digest(temp.code_hash, digest) and temp.usable_at(core.now):
                temp_ok(core, temp.temp_id)
                return
        if core.offline_codes is not None and offline(core, digits):
            return
    failed(core, Method.PASSWORD, Source.KEYPAD, reason="no_match")


def offline(core: LockContext, digits: str) -> bool:
    assert core.offline_codes is not None
    verdict = core.offline_codes.check(digits, core.now)
    if not verdict.valid:
        return False
    if verdict.one_time and verdict.code_id in core.state.used_offline_ids:
        return False
    if not outside_allowed(core, master=False, method=Method.OFFLINE_CODE):
        return True
    if verdict.one_time:
        kept = {i for i in core.state.used_offline_ids if not id_outlived(i, core.now)}
        used = frozenset(kept | {verdict.code_id})
        core.set_state(core.state.replace(used_offline_ids=used))
    verified(core)
    grant(core, None, Method.OFFLINE_CODE, Source.KEYPAD, code_id=verdict.code_id)
    return True


def temp_ok(core: LockContext, temp_id: str) -> None:
    if not outside_allowed(core, master=False, method=Method.TEMP_PASSWORD):
        return
    temp = core.state.temp_passwords[temp_id]
    used = dataclasses.replace(temp, uses=temp.uses + 1)
    core.set_state(core.state.replace(temp_passwords={**core.state.temp_passwords, temp_id: used}))
    verified(core)
    grant(core, None, Method.TEMP_PASSWORD, Source.KEYPAD, temp_id=temp_id, uses=used.uses)


def outside_allowed(
    core: LockContext, *, master: bool, method: Method, user_no: int | None = None
) -> bool:
    """Menu-login and anti-lock checks after a valid credential (D-MODE-ANTI)."""
    if core.menu_auth_until is not None:
        core.change(menu_auth_until=None)
        if master and user_no is not None:
            core.start_menu(user_no)
        else:
            core.say(PromptId.NOT_MASTER)
        return False
    if core.state.settings.anti_lock and not master:
        core.log(EventKind.UNLOCK_REFUSED, user_no=user_no, method=method, reason="anti_lock")
        core.say(PromptId.ANTI_LOCK_REFUSED)
        return False
    return True


def verified(core: LockContext) -> None:
    """A face or password verified: the failure count and D-MECH reset."""
    core.set_state(
        core.state.replace(lockout=lockout.succeeded(core.state.lockout), mech_pending=False)
    )


def credential_ok(core: LockContext, cred_id: int, method: Method, source: Source) -> None:
    cred = core.state.credentials[cred_id]
    user = core.state.users[cred.user_no]
    if not user.allowed_at(core.now, core.state.settings.tz_offset_min):
        why = "disabled" if not user.enabled else "schedule"
        core.log(
            EventKind.UNLOCK_REFUSED, user_no=user.number, method=method, source=source, reason=why
        )
        core.say(PromptId.VERIFY_FAILED)
        return
    verified(core)
    if cred.duress:  # D-DURESS: for the app only, nothing to see or hear
        core.log(EventKind.DURESS, user_no=user.number, method=method, source=source)
    if not outside_allowed(core, master=user.is_master, method=method, user_no=user.number):
        return
    if core.state.settings.normally_open:  # D-MODE-PASS: a verification ends it
        core.change_setting("normally_open", False, source=source, user_no=user.number)
        return
    grant(core, user.number, method, source, cred_id=cred_id)
    if user.user_type is UserType.DISPOSABLE:
        core.set_state(set_user(core.state, dataclasses.replace(user, enabled=False)))


def grant(
    core: LockContext, user_no: int | None, method: Method, source: Source, **details: Any
) -> None:
    """Open from outside: identical for a duress credential (D-DURESS)."""
    moving = Do.RETRACT in core.door_event(DoorEvent.UNLOCK)
    core.emit(Display("---" if user_no is None else f"{user_no:03d}"))  # D-KEY-SHOW
    if moving:  # "unlocked" is said once the bolt reports it is back (not if it jams)
        core.change(unlock_prompt_pending=True)
    else:
        core.announce_unlocked()
    core.log(EventKind.UNLOCK, user_no=user_no, method=method, source=source, **details)
    end = core.face.matched() if source is Source.FACE else core.face.stop()
    if end is not None:
        core.emit(FaceWatch(False))
    if core.state.settings.armed:  # D-MODE-ARM: a valid outside unlock disarms
        core.change_setting("armed", False, source=source, user_no=user_no)


def failed(core: LockContext, method: Method, source: Source, **details: Any) -> None:
    core.log(EventKind.UNLOCK_FAILED, method=method, source=source, **details)
    core.say(PromptId.VERIFY_FAILED)
    state, started = lockout.failed(core.state.lockout, core.now)
    core.set_state(core.state.replace(lockout=state))
    if started:
        core.log(EventKind.LOCKOUT, source=source, until=state.until, **lockout.details(started))
        core.say(PromptId.LOCKED_OUT, minutes=lockout.minutes_left(state, core.now))
        core.keypad.clear()
        core.change(menu_auth_until=None)
        if core.face.stop() is not None:
            core.emit(FaceWatch(False))


def on_face(core: LockContext, inp: FaceSeen) -> None:
    if core.menu is not None:
        core.menu.face(inp)
        return
    if not core.face.watching or core.locked_out or core.matcher is None:
        return
    if not core.state.settings.face_unlock:
        return
    match = core.matcher.identify(
        inp.embedding, core.state.all_templates(), core.state.settings.sensitivity_level
    )
    cred_id = None if match is None else face_cred(core, match.user_no, match.duress)
    if cred_id is None:
        core.face.saw_face(matched=False)
        return
    credential_ok(core, cred_id, Method.FACE, Source.FACE)
    end = core.face.matched()
    if end is not None:
        core.emit(FaceWatch(False))


def face_cred(core: LockContext, user_no: int, duress: bool) -> int | None:
    for cred in core.state.creds_of(user_no):
        if cred.cred_type is CredentialType.FACE and cred.duress == duress:
            return cred.cred_id
    return None


# What the lock says when the face engine could not use a face (once per window each).
# Light and clarity problems get no prompt: there is nothing quick the person can do.
FACE_HINTS: dict[FaceRefusal, PromptId] = {
    FaceRefusal.TWO_FACES: PromptId.FACE_ONE_PERSON,
    FaceRefusal.TOO_FAR: PromptId.FACE_COME_CLOSER,
    FaceRefusal.TOO_CLOSE: PromptId.FACE_STEP_BACK,
    FaceRefusal.PARTIAL: PromptId.FACE_FRONT,
    FaceRefusal.NOT_FRONTAL: PromptId.FACE_FRONT,
    FaceRefusal.BLURRY: PromptId.FACE_HOLD_STILL,
}


def on_no_face(core: LockContext, inp: NoFace) -> None:
    """A refused frame is not a failed attempt (D-LOCKOUT counts faces judged), but the
    person is told why, e.g. "one person at a time" when two faces are in view.
    """
    if core.menu is not None:
        core.menu.no_face(inp.reason)
        return
    if inp.reason is None or not core.face.watching or core.locked_out:
        return
    if not core.state.settings.face_unlock:
        return
    prompt = FACE_HINTS.get(inp.reason)
    if prompt is not None and core.face.first_hint(prompt.value):
        core.say(prompt)


def window_ended(core: LockContext, end: WindowEnd) -> None:
    core.emit(FaceWatch(False))
    if end is WindowEnd.FAILED and not core.locked_out:
        failed(core, Method.FACE, Source.FACE, reason="no_match")
