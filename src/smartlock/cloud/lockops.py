"""What the API asks of a lock: bind, unbind, push settings, run a command and wait.

State lives in the database only, so any worker can finish what another started: the
worker that receives a command result settles the row and wakes the request waiting
for it (in its own process directly, in others through ``smartlock/cloud/done/<id>``
on the broker); the request then reads the row once. A slow re-read each second is
the safety net for a lost wake-up.

When the API stops waiting it says ``no_answer`` ("sent, not confirmed"), never
"failed": the lock may still act on the command until it expires, and a late answer
is recorded and shown (``crud.settle_result``, faults 4).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from smartlock.cloud import crud, wire
from smartlock.cloud.core.security import hash_password
from smartlock.cloud.crud.commands import NO_ANSWER
from smartlock.cloud.errors import CloudError, Conflict
from smartlock.cloud.models import Account, BrokerLogin, Command, CommandStatus, Device, utcnow
from smartlock.cloud.services import Services
from smartlock.device.core.remote_rules import unlock_refusal
from smartlock.errors import ErrorCode
from smartlock.link import broker_accounts
from smartlock.link.connection import MqttError
from smartlock.link.schemas import PairingHello
from smartlock.link.topics import Channel, topic

log = logging.getLogger(__name__)


def lock_key(services: Services, device: Device) -> str:
    """The per-lock link key (base64url text), decrypted for this use only."""
    raw = services.key_box.open(device.key_encrypted, context=f"lock-key:{device.serial}")
    return raw.decode("ascii")


def _pairing_failure(
    services: Services, session: Session, keys: tuple[str, ...], message: str, code: ErrorCode
) -> CloudError:
    """A failed pairing counts against the account and the serial (throttled, D-PAIR)."""
    settings = services.settings
    for key in keys:
        crud.record_failure(
            session,
            key=key,
            limit=settings.throttle_pairing_failures,
            window_seconds=settings.throttle_window_seconds,
            lock_seconds=settings.throttle_lock_seconds,
        )
    status = 409 if code is ErrorCode.NOT_IN_PAIRING_MODE else 403
    return CloudError(message, code=code, status=status)


async def _verified_hello(
    services: Services, session: Session, keys: tuple[str, ...], *, serial: str, code: str
) -> PairingHello:
    """The hello of the lock in pairing mode with this serial, checked against its code."""
    stored = crud.fresh_hello(session, serial=serial)
    if stored is None:
        message = "no lock with this serial is in pairing mode"
        raise _pairing_failure(services, session, keys, message, ErrorCode.NOT_IN_PAIRING_MODE)
    try:
        # scrypt stretches the code: keep it off the event loop.
        return await asyncio.to_thread(wire.verify_hello, stored.payload, serial=serial, code=code)
    except wire.LinkError:
        message = "the verification code does not match"
        raise _pairing_failure(services, session, keys, message, ErrorCode.PAIRING_FAILED) from None


async def bind_lock(
    services: Services, session: Session, *, account: Account, serial: str, code: str, name: str
) -> Device:
    """D-PAIR: verify the lock's hello with the label code, bind it, send it its keys.
    Failures (no lock in pairing mode, wrong code) are throttled per account and serial.
    """
    keys = (f"pair-account:{account.id}", f"pair-serial:{serial}")
    for key in keys:
        crud.check_throttle(session, key=key)
    hello = await _verified_hello(services, session, keys, serial=serial, code=code)
    existing = crud.get_device_by_serial(session, serial=serial)
    if existing is not None:
        if existing.owner_id != account.id:
            raise Conflict("this lock is bound to another account", code="already_bound")
        # Re-pairing by its owner (new network, D-PAIR): fresh keys and a fresh start.
        crud.unbind_device(session, device_id=existing.id)
    for key in keys:
        crud.clear_failures(session, key=key)
    services.lock_keys.forget(serial)
    # The app's name travels in the sealed credentials: Home Assistant shows it (A-HA).
    credentials = wire.new_credentials(serial, owner=account.email, name=name)
    device = crud.bind_device(
        session,
        owner=account,
        serial=serial,
        name=name,
        key_encrypted=services.key_box.seal(
            credentials.lock_key.encode("ascii"), context=f"lock-key:{serial}"
        ),
        broker_username=credentials.broker_username,
        broker_password_hash=hash_password(credentials.broker_password),
        firmware=hello.firmware,
    )
    await asyncio.to_thread(
        set_broker_user, services, credentials.broker_username, credentials.broker_password
    )
    name_, payload = wire.credentials_message(hello, code=code, credentials=credentials)
    await services.link.publish(name_, payload, qos=1)
    return device


async def push_name(services: Services, session: Session, *, device: Device) -> None:
    """Give the lock the app's new name for it (shadow `device_name`; at pairing it comes
    in the credentials), which Home Assistant shows as the device's name (A-HA);
    retained, so an offline lock gets it later.
    """
    for _ in range(3):  # a settings change may land in between: merge again
        shadow = crud.get_shadow(session, device_id=device.id)
        if shadow.desired.get("device_name") == device.name:
            return
        try:
            crud.update_desired(
                session,
                device_id=device.id,
                expected_version=shadow.version,
                changes={"device_name": device.name},
            )
        except Conflict:
            session.expire_all()
            continue
        await push_settings(services, session, device_id=device.id)
        return


async def unbind_lock(services: Services, session: Session, *, device: Device) -> None:
    """Tell the lock (best effort: it may be offline; it also drops a binding whose
    messages stop verifying), clear retained shadow, forget the lock.
    """
    serial = device.serial
    if services.link.connected:
        key = lock_key(services, device)
        name, message = wire.command_message(
            serial,
            key,
            command_id=secrets.token_hex(16),
            action="unbind",
            params={},
            expires_at=utcnow() + dt.timedelta(seconds=services.settings.command_ttl_seconds),
        )
        await services.link.publish(name, message, qos=1)
        await services.link.publish(topic(serial, Channel.SHADOW_DESIRED), b"", retain=True)
    crud.unbind_device(session, device_id=device.id)
    services.lock_keys.forget(serial)
    await asyncio.to_thread(set_broker_user, services, serial, None)


def set_broker_user(services: Services, username: str, password: str | None) -> None:
    """Add (or with None remove) a lock's login: in the broker_logins table (EMQX) and
    in the Mosquitto password file, whichever the deployment uses.
    """
    if services.settings.broker_logins_in_database:
        with services.sessionmaker() as session:
            session.execute(delete(BrokerLogin).where(BrokerLogin.username == username))
            if password is not None:
                digest, salt = broker_accounts.database_record(password)
                session.add(BrokerLogin(username=username, password_hash=digest, salt=salt))
            session.commit()
    path = services.settings.broker_password_file
    if path is None:
        return
    if password is None:
        broker_accounts.remove_user(path, username)
    else:
        broker_accounts.add_user(path, username, password)
    command = services.settings.broker_reload_command
    if command:
        try:
            broker_accounts.reload_broker(command)
        except broker_accounts.BrokerReloadError as exc:
            # The file is right; the lock keeps retrying until the broker reloads it.
            log.error("lock %s: broker login saved but not reloaded: %s", username, exc)


async def push_settings(services: Services, session: Session, *, device_id: str) -> None:
    """Publish the desired settings retained, so an offline lock gets them on reconnect."""
    if not services.link.connected:
        return
    device = crud.get_device(session, device_id=device_id)
    if device is None or device.shadow is None:
        return
    if not device.shadow.desired:
        return
    name, message = wire.desired_message(
        device.serial,
        lock_key(services, device),
        desired=device.shadow.desired,
        version=device.shadow.version,
    )
    await services.link.publish(name, message, qos=1, retain=True)


async def run_command(
    services: Services,
    *,
    device_id: str,
    account_id: int | None,
    request_id: str,
    action: str,
    params: dict[str, Any],
    secret: str | None = None,
    refuse: str | None = None,
    secret_name: str = "digits",  # noqa: S107 - a parameter name, not a secret
) -> Command:
    """Send a signed command once per request_id and wait for its outcome.

    ``secret`` (a lock password) is sealed for the lock and never stored. ``refuse``
    records the command as refused without sending (a cloud-side pre-check).
    """
    settings = services.settings
    # Valid a little longer than the API waits, so an answer can still come back; a
    # later one is recorded too (crud.settle_result).
    ttl = dt.timedelta(
        seconds=min(settings.command_ttl_seconds, settings.command_timeout_seconds + 5.0)
    )
    with services.sessionmaker() as session:
        command, created = crud.create_command(
            session,
            device_id=device_id,
            account_id=account_id,
            request_id=request_id,
            action=action,
            ttl=ttl,
        )
        if created:
            await _send_once(
                services,
                session,
                command,
                refuse=refuse,
                what=(action, params, secret, secret_name),
            )
        command_id = command.id
    return await wait_for_command(services, command_id=command_id)


async def _send_once(
    services: Services,
    session: Session,
    command: Command,
    *,
    refuse: str | None,
    what: tuple[str, dict[str, Any], str | None, str],
) -> None:
    """A new command's first and only try: refused here, offline, or published."""
    if refuse is not None:
        crud.finish_command(
            session, command_id=command.id, status=CommandStatus.REFUSED, reason=refuse
        )
        return
    device = crud.get_device(session, device_id=command.device_id)
    if device is None or not device.online or not services.link.connected:
        crud.finish_command(
            session, command_id=command.id, status=CommandStatus.OFFLINE, reason="lock_offline"
        )
        return
    action, params, secret, secret_name = what
    name, message = wire.command_message(
        device.serial,
        lock_key(services, device),
        command_id=command.id,
        action=action,
        params=params,
        secret=secret,
        secret_name=secret_name,
        expires_at=command.expires_at,
    )
    try:
        await services.link.publish(name, message, qos=1)
    except (MqttError, OSError) as exc:
        # The broker went away as we sent (faults 5): say so, never a 500.
        log.warning("command %s not sent: %s", command.id, exc)
        crud.finish_command(
            session,
            command_id=command.id,
            status=CommandStatus.OFFLINE,
            reason="broker_unavailable",
        )


RECHECK_S = 1.0  # a wake-up lost with a broker hiccup costs at most this


async def wait_for_command(services: Services, *, command_id: str) -> Command:
    """Wait until the command settles or the timeout passes (then: no_answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.command_timeout_seconds
    while True:
        woken = services.waiters.wait(command_id)
        try:
            with services.sessionmaker() as session:
                command = crud.get_command(session, command_id=command_id)
                assert command is not None
                if command.status != CommandStatus.PENDING:
                    return command
                if loop.time() >= deadline:
                    crud.finish_command(
                        session,
                        command_id=command_id,
                        status=CommandStatus.OFFLINE,
                        reason=NO_ANSWER,
                    )
                    session.expire_all()
                    again = crud.get_command(session, command_id=command_id)
                    assert again is not None
                    return again
            await asyncio.wait({woken}, timeout=min(RECHECK_S, deadline - loop.time()))
        finally:
            services.waiters.done(command_id, woken)


def lockout_until(device: Device) -> dt.datetime | None:
    """When the lock's reported lockout (D-LOCKOUT) ends, if it is still running."""
    remaining = (device.state or {}).get("lockout_remaining_s") or 0
    if not isinstance(remaining, int | float) or remaining <= 0 or device.state_at is None:
        return None
    until = device.state_at + dt.timedelta(seconds=remaining)
    return until if until > utcnow() else None


def reported_unlock_facts(session: Session, device: Device) -> dict[str, bool]:
    """The facts `unlock_refusal` weighs, as the lock last reported them: the setting
    from the shadow (desired until the lock reports it), anti-lock mode and lockout
    from its state report.
    """
    shadow = crud.get_shadow(session, device_id=device.id)
    enabled = shadow.reported.get("remote_unlock", shadow.desired.get("remote_unlock", False))
    modes = (device.state or {}).get("modes") or {}
    anti = modes.get("anti_lock") if isinstance(modes, dict) else "anti_lock" in modes
    return {
        "remote_unlock": bool(enabled),
        "anti_lock": bool(anti),
        "locked_out": lockout_until(device) is not None,
    }


async def remote_unlock(
    services: Services, session: Session, *, device: Device, account_id: int, request_id: str
) -> Command:
    """A-REMOTE: the lock decides, but the cloud refuses at once what the last reported
    state already forbids, by the lock's own rules (`device.core.remote_rules`).
    """
    refusal = unlock_refusal(**reported_unlock_facts(session, device))
    refuse = None if refusal is None else refusal.value
    # Give the request's connection back before waiting up to COMMAND_TIMEOUT for the
    # lock: a dozen waiting unlocks must not hold the whole pool (fleet bench).
    session.close()
    return await run_command(
        services,
        device_id=device.id,
        account_id=account_id,
        request_id=request_id,
        action="unlock",
        params={},
        refuse=refuse,
    )
