"""Cloud commands (A-REMOTE, A-USERS, A-TEMP, A-SETTINGS), already authenticated.

Each action is one function in `ACTIONS` that checks everything before it changes
anything; `run_remote` answers every command with one `CommandResult`, journals it,
and on a refusal puts the state back exactly as it was. A request id seen before
does nothing (A-REMOTE: "twice does nothing"); so does one past its `expires_at`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from smartlock.credentials import TEMP_MAX, TEMP_MIN, is_pin
from smartlock.device.core import fingerprint, lockout, users
from smartlock.device.core.context import LockContext
from smartlock.device.core.door import DoorEvent, Phase
from smartlock.device.core.effects import CommandResult
from smartlock.device.core.inputs import RemoteAction, RemoteCommand
from smartlock.device.core.params import Params, get_param, parse_schedules
from smartlock.device.core.records import TempPassword
from smartlock.device.core.remote_rules import REASONS, unlock_refusal
from smartlock.device.core.settings import BY_MODE, BY_NAME
from smartlock.errors import ErrorCode, InputError, LockError, Refused
from smartlock.vocab import CredentialType, EventKind, Method, Mode, Source, UserType

RECENT_REQUESTS = 64


def _user_no(core: LockContext, params: Params) -> int:
    number: int = get_param(params, "user_no", int)
    if number not in core.state.users:
        raise Refused(f"no user {number}", ErrorCode.UNKNOWN_USER)
    return number


def _need_master(core: LockContext) -> None:
    if not core.state.masters():
        raise Refused("no master user yet", ErrorCode.NO_MASTER)


HOME_ASSISTANT = "home_assistant"  # `origin` of a command the lock's link got from HA (A-HA)


def _from_ha(core: LockContext, params: Params) -> bool:
    """A-HA: a Home Assistant command needs the owner's switch; True when it is one.
    Only the lock's own link sets `origin` (the link refuses a cloud command naming one).
    """
    if params.get("origin") != HOME_ASSISTANT:
        return False
    if not core.state.settings.ha_control:
        raise Refused("Home Assistant may not lock or unlock", ErrorCode.HA_CONTROL_DISABLED)
    return True


def _unlock(core: LockContext, params: Params) -> dict[str, Any]:
    settings = core.state.settings
    from_ha = _from_ha(core, params)
    refusal = unlock_refusal(
        remote_unlock=settings.remote_unlock,
        anti_lock=settings.anti_lock,
        locked_out=core.locked_out,
        mech_pending=core.state.mech_pending,
        from_ha=from_ha,
    )
    if refusal is not None:
        raise Refused(REASONS[refusal], refusal)
    _need_master(core)
    by = params.get("by")
    code = params.get("code")
    if from_ha and code is None and settings.ha_unlock_code:
        raise Refused("the owner asks for a user's password", ErrorCode.CODE_REQUIRED)
    if code is not None:  # Home Assistant passes the code typed in its lock card
        return _unlock_with_code(core, str(code), by)
    core.grant_remote(str(by) if by is not None else None)
    return {}


def _unlock_with_code(core: LockContext, code: str, by: object) -> dict[str, Any]:
    """A remote unlock that must also name a user's password, typed exactly: a wrong
    code is refused and counts toward the lockout like a wrong keypad entry (D-LOCKOUT).
    """
    cred_id = core.pins.find_exact(code) if code.isdigit() else None
    cred = core.state.credentials.get(cred_id) if cred_id is not None else None
    user = core.state.users.get(cred.user_no) if cred is not None else None
    if (
        cred is None
        or user is None
        or not user.allowed_at(core.now, core.state.settings.tz_offset_min)
    ):
        raise Refused("that code opens nothing", ErrorCode.WRONG_CODE)
    if core.state.settings.anti_lock and not user.is_master:
        raise Refused(REASONS[ErrorCode.ANTI_LOCK_MODE], ErrorCode.ANTI_LOCK_MODE)
    if cred.duress:  # D-DURESS: silent at the door, loud in the app
        core.log(EventKind.DURESS, user_no=user.number, method=Method.REMOTE, source=Source.REMOTE)
    core.set_state(core.state.replace(lockout=lockout.succeeded(core.state.lockout)))
    core.grant_remote(str(by) if by is not None else None, user_no=user.number)
    return {"user_no": user.number}


def _count_wrong_code(core: LockContext) -> None:
    """Record a wrong remote code as one failed verification (after the rollback)."""
    state, started = lockout.failed(core.state.lockout, core.now)
    core.set_state(core.state.replace(lockout=state))
    if started:
        core.log(
            EventKind.LOCKOUT, source=Source.REMOTE, until=state.until, **lockout.details(started)
        )


def _lock(core: LockContext, params: Params) -> dict[str, Any]:
    _from_ha(core, params)  # locking needs no code (A-HA), only the owner's switch
    if core.door_open:
        raise Refused("the door is open", ErrorCode.DOOR_OPEN)
    if core.state.settings.normally_open:
        core.change_setting("normally_open", False, source=Source.REMOTE)
    if core.phase is not Phase.LOCKED:
        core.door_event(DoorEvent.LOCK)
    return {}


def _check_arming(core: LockContext, name: str, value: Any) -> None:
    if name == BY_MODE[Mode.ARMED].name and value is True:
        if core.door_open:
            raise Refused("close the door before arming", ErrorCode.DOOR_OPEN)
        if core.state.mech_pending:
            raise Refused(
                "verify at the lock after the mechanical key", ErrorCode.NEEDS_VERIFICATION
            )


def _set_mode(core: LockContext, params: Params) -> dict[str, Any]:
    try:
        mode = Mode(get_param(params, "mode", str))
    except ValueError:
        raise InputError(f"no mode {params.get('mode')!r}") from None
    on: bool = get_param(params, "on", bool)
    name = BY_MODE[mode].name
    _check_arming(core, name, on)
    core.change_setting(name, on, source=Source.REMOTE)
    return {}


def _change_setting(core: LockContext, params: Params) -> dict[str, Any]:
    name: str = get_param(params, "name", str)
    if name not in BY_NAME:
        raise InputError(f"no setting {name!r}", ErrorCode.UNKNOWN_SETTING)
    value = params.get("value")
    _check_arming(core, name, value)
    core.change_setting(name, value, source=Source.REMOTE)
    return {}


def _add_user(core: LockContext, params: Params) -> dict[str, Any]:
    _need_master(core)
    try:
        user_type = UserType(get_param(params, "user_type", str))
    except ValueError:
        raise InputError(f"no user type {params.get('user_type')!r}") from None
    schedules = parse_schedules(params.get("schedules", []))
    if user_type is UserType.SCHEDULED and not schedules:
        raise InputError("a scheduled user needs at least one schedule")
    state, number = users.add_user(core.state, user_type, schedules)
    core.set_state(state)
    core.log(EventKind.USER_ADDED, user_no=number, source=Source.REMOTE, user_type=user_type)
    return {"user_no": number}


def _set_user_enabled(core: LockContext, params: Params) -> dict[str, Any]:
    number = _user_no(core, params)
    enabled: bool = get_param(params, "enabled", bool)
    user = core.state.users[number]
    if user.is_master and not enabled and core.state.masters() == [number]:
        raise Refused("the last master cannot be disabled", ErrorCode.LAST_MASTER)
    core.set_state(users.set_user(core.state, dataclasses.replace(user, enabled=enabled)))
    core.log(EventKind.SETTING_CHANGED, user_no=number, source=Source.REMOTE, enabled=enabled)
    return {}


def _set_schedules(core: LockContext, params: Params) -> dict[str, Any]:
    number = _user_no(core, params)
    schedules = parse_schedules(get_param(params, "schedules", list))
    user = core.state.users[number]
    if user.is_master:
        raise Refused("a master user is never restricted", ErrorCode.LAST_MASTER)
    user_type = UserType.SCHEDULED if schedules else UserType.NORMAL
    if user.user_type is UserType.DISPOSABLE:
        user_type = UserType.DISPOSABLE
    new = dataclasses.replace(user, schedules=schedules, user_type=user_type)
    core.set_state(users.set_user(core.state, new))
    core.log(
        EventKind.SETTING_CHANGED, user_no=number, source=Source.REMOTE, schedules=len(schedules)
    )
    return {}


def _delete_credential(core: LockContext, params: Params) -> dict[str, Any]:
    number = _user_no(core, params)
    cred_id: int = get_param(params, "cred_id", int)
    cred = core.state.credentials.get(cred_id)
    if cred is None or cred.user_no != number:
        raise Refused(f"user {number} has no credential {cred_id}", ErrorCode.UNKNOWN_CREDENTIAL)
    core.set_state(users.delete_credential(core.state, cred_id))
    core.log(EventKind.CREDENTIAL_DELETED, user_no=number, source=Source.REMOTE, cred_id=cred_id)
    return {}


def _deregister(core: LockContext, params: Params) -> dict[str, Any]:
    number = _user_no(core, params)
    core.set_state(users.deregister(core.state, number, from_keypad=False))
    core.log(EventKind.USER_DELETED, user_no=number, source=Source.REMOTE)
    return {}


def _set_password(core: LockContext, params: Params) -> dict[str, Any]:
    """Set or replace a user's password; the clear digits are hashed here and dropped."""
    number = _user_no(core, params)
    digits: str = get_param(params, "digits", str)
    duress = bool(get_param(params, "duress", bool, optional=True))
    users.check_pin_digits(digits)
    state = core.state
    old = [
        c
        for c in state.creds_of(number)
        if c.cred_type is CredentialType.PIN and c.duress == duress
    ]
    if old:  # replacing: the old one goes first (not a deletion of the master's password)
        state = state.replace(
            credentials={k: v for k, v in state.credentials.items() if k != old[0].cred_id}
        )
    state, cred_id = users.add_pin(state, number, digits, duress=duress)
    core.set_state(state)
    core.log(
        EventKind.CREDENTIAL_ADDED,
        user_no=number,
        source=Source.REMOTE,
        cred_id=cred_id,
        cred_type=CredentialType.PIN,
        duress=duress,
        replaced=bool(old),
    )
    return {"cred_id": cred_id}


def _enrol_fingerprint(core: LockContext, params: Params) -> dict[str, Any]:
    duress = bool(get_param(params, "duress", bool, optional=True))
    return fingerprint.from_app(core, _user_no(core, params), duress)


def _add_temp(core: LockContext, params: Params) -> dict[str, Any]:
    _need_master(core)
    temp_id: str = get_param(params, "temp_id", str)
    code: str = get_param(params, "code", str)
    if not is_pin(code):
        raise InputError(
            f"a temporary password has {TEMP_MIN}-{TEMP_MAX} digits", ErrorCode.BAD_PASSWORD
        )
    valid_from: float = get_param(params, "valid_from", float)
    valid_to: float = get_param(params, "valid_to", float)
    if not valid_from < valid_to:
        raise InputError("valid_from must be before valid_to")
    max_uses = get_param(params, "max_uses", int, optional=True)
    if max_uses is not None and max_uses < 1:
        raise InputError("max_uses must be at least 1 (or absent for unlimited)")
    digest = users.pin_hash(core.state.secret, code)
    clash = any(c.secret_hash == digest for c in core.state.credentials.values()) or any(
        t.code_hash == digest for t in core.state.temp_passwords.values() if t.temp_id != temp_id
    )
    if clash:
        raise Refused("that code is already in use", ErrorCode.DUPLICATE_PASSWORD)
    temp = TempPassword(temp_id, digest, float(valid_from), float(valid_to), max_uses)
    core.set_state(core.state.replace(temp_passwords={**core.state.temp_passwords, temp_id: temp}))
    core.log(
        EventKind.CREDENTIAL_ADDED,
        source=Source.REMOTE,
        cred_type=CredentialType.TEMP_PIN,
        temp_id=temp_id,
        valid_from=valid_from,
        valid_to=valid_to,
        max_uses=max_uses,
    )
    return {}


def _revoke_temp(core: LockContext, params: Params) -> dict[str, Any]:
    temp_id: str = get_param(params, "temp_id", str)
    if temp_id not in core.state.temp_passwords:
        raise Refused(f"no temporary password {temp_id!r}", ErrorCode.UNKNOWN_TEMP_PASSWORD)
    temps = {k: v for k, v in core.state.temp_passwords.items() if k != temp_id}
    core.set_state(core.state.replace(temp_passwords=temps))
    core.log(
        EventKind.CREDENTIAL_DELETED,
        source=Source.REMOTE,
        cred_type=CredentialType.TEMP_PIN,
        temp_id=temp_id,
    )
    return {}


def _unbind(core: LockContext, params: Params) -> dict[str, Any]:
    if core.state.binding is None:
        raise Refused("the lock is not bound", ErrorCode.NOT_BOUND)
    core.set_state(core.state.replace(binding=None))
    core.log(EventKind.UNPAIRED, source=Source.REMOTE)
    return {}


ACTIONS: Mapping[RemoteAction, Callable[[LockContext, Params], dict[str, Any]]] = {
    RemoteAction.UNLOCK: _unlock,
    RemoteAction.LOCK: _lock,
    RemoteAction.SET_MODE: _set_mode,
    RemoteAction.CHANGE_SETTING: _change_setting,
    RemoteAction.ADD_USER: _add_user,
    RemoteAction.SET_USER_ENABLED: _set_user_enabled,
    RemoteAction.SET_SCHEDULES: _set_schedules,
    RemoteAction.DELETE_CREDENTIAL: _delete_credential,
    RemoteAction.DEREGISTER_USER: _deregister,
    RemoteAction.SET_PASSWORD: _set_password,
    RemoteAction.ENROL_FINGERPRINT: _enrol_fingerprint,
    RemoteAction.ADD_TEMP_PASSWORD: _add_temp,
    RemoteAction.REVOKE_TEMP_PASSWORD: _revoke_temp,
    RemoteAction.UNBIND: _unbind,
}


def run_remote(core: LockContext, cmd: RemoteCommand) -> None:
    """Run one command; exactly one `CommandResult`, and nothing changed on a refusal."""
    if cmd.request_id in core.state.recent_requests:
        core.emit(CommandResult(cmd.request_id, False, ErrorCode.DUPLICATE_REQUEST))
        return
    before, mark = core.state, core.mark()
    try:
        if cmd.expires_at is not None and core.now > cmd.expires_at:
            raise Refused("the command arrived too late", ErrorCode.EXPIRED_REQUEST)
        data = ACTIONS[cmd.action](core, cmd.params)
    except LockError as err:
        core.rollback(before, mark)
        if err.code is ErrorCode.WRONG_CODE:
            _count_wrong_code(core)
        _answer(core, cmd, err.code)
        return
    _answer(core, cmd, None, data)


def _answer(
    core: LockContext,
    cmd: RemoteCommand,
    code: ErrorCode | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Remember the request, journal how it ended and send its one `CommandResult`."""
    recent = (*core.state.recent_requests, cmd.request_id)[-RECENT_REQUESTS:]
    core.set_state(core.state.replace(recent_requests=recent))
    outcome: dict[str, Any] = {"ok": True} if code is None else {"ok": False, "code": code}
    core.log(
        EventKind.REMOTE_COMMAND,
        source=Source.REMOTE,
        action=cmd.action,
        request_id=cmd.request_id,
        **outcome,
    )
    core.emit(CommandResult(cmd.request_id, code is None, code, {} if data is None else data))
