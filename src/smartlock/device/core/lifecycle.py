"""Pairing, binding, factory reset and the hand-off of cloud commands (D-PAIR, D-RESET)."""

from __future__ import annotations

import hmac

from smartlock.device.core.context import LockContext
from smartlock.device.core.effects import CommandResult, FingerCommand, Led, PairingWindow, SetLed
from smartlock.device.core.inputs import Bind, FactoryReset, RemoteCommand
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.records import Binding, DurableState
from smartlock.device.core.remote import run_remote
from smartlock.errors import ErrorCode, Refused
from smartlock.vocab import EventKind, FingerOp, Source

PAIRING_S = 180.0  # D-PAIR


def begin_pairing(core: LockContext, source: Source) -> None:
    core.change(pairing_until=core.now + core.pairing_window_s)
    core.emit(PairingWindow(core.pairing_until))
    core.log(EventKind.PAIRING_MODE, source=source)
    core.say(PromptId.PAIRING_MODE)


def on_factory_reset(core: LockContext, inp: FactoryReset) -> None:
    """D-RESET: everything goes but the identity and the journal's numbering."""
    old = core.state
    secret = hmac.digest(old.secret, b"factory-reset:%d" % old.next_seq, "sha256")
    core.set_state(
        DurableState(
            identity=old.identity,
            secret=secret,
            next_seq=old.next_seq,
            next_cred_id=old.next_cred_id,
            firmware=old.firmware,  # a reset wipes data, not the installed image (A-OTA)
        )
    )
    for kind in sorted(core.alarms):
        core.alarm(kind, False)
    door_open, bolt, phase = core.door_open, core.bolt, core.phase
    battery, usb, net = core.battery, core.usb, core.network_up
    core.reset_volatile()
    core.change(door_open=door_open, bolt=bolt, phase=phase)
    core.change(battery=battery, usb=usb, network_up=net)
    core.emit(SetLed(Led.ARMED, False))
    core.emit(PairingWindow(None))
    core.emit(FingerCommand(FingerOp.KEEP_ONLY))  # every template goes (D-FINGER-DELETE)
    core.emit(FingerCommand(FingerOp.SCAN))  # an enrolment in progress ends
    core.log(EventKind.FACTORY_RESET, source=Source.SYSTEM)
    core.say(PromptId.FACTORY_RESET)


def on_remote(core: LockContext, inp: RemoteCommand) -> None:
    run_remote(core, inp)


def on_bind(core: LockContext, inp: Bind) -> None:
    """D-PAIR: bind by serial + verification code while pairing mode is open."""
    identity = core.state.identity
    try:
        if core.pairing_until is None:
            raise Refused("the lock is not in pairing mode", ErrorCode.NOT_PAIRING)
        same = hmac.compare_digest(inp.serial, identity.serial) & hmac.compare_digest(
            inp.verification_code, identity.verification_code
        )
        if not same:
            raise Refused("serial or verification code does not match", ErrorCode.BAD_IDENTITY)
    except Refused as err:
        core.emit(CommandResult(inp.request_id, False, err.code))
        return
    binding = Binding(inp.owner, core.now, inp.broker_username, inp.broker_password, inp.lock_key)
    core.set_state(core.state.replace(binding=binding))
    core.change(pairing_until=None)
    core.emit(PairingWindow(None))
    core.log(EventKind.PAIRED, source=Source.REMOTE, owner=inp.owner)
    core.say(PromptId.PAIRED)
    core.emit(CommandResult(inp.request_id, True))
