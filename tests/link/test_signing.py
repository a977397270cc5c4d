"""Signing: forged, misdirected, expired and replayed messages are refused (A-REMOTE).

Rules proved here (named in the tests' names): A-SETTINGS, A-USERS, D-USER-7.
"""

from __future__ import annotations

import pytest

from smartlock.device.core.inputs import RemoteAction
from smartlock.errors import ErrorCode
from smartlock.link import cloud_side
from smartlock.link.codec import parse
from smartlock.link.errors import AuthError
from smartlock.link.schemas import Ack, CommandResult
from smartlock.link.signing import (
    CommandGuard,
    new_lock_key,
    open_sealed_params,
    sign_message,
    verify_message,
)
from smartlock.link.topics import Channel, topic

LOCK, OTHER = "SL7K3MQ9TX2A", "SLQQQQQQQQQQ"
KEY = new_lock_key()
NOW = 1_700_000_000.0


def test_lock_message_verifies_with_its_key() -> None:
    name, payload = sign_message(KEY, LOCK, CommandResult(request_id="r1", ok=True))
    assert verify_message(KEY, parse(name, payload)).ok is True


def test_forged_with_another_key_is_refused() -> None:
    name, payload = sign_message(new_lock_key(), LOCK, CommandResult(request_id="r1", ok=True))
    with pytest.raises(AuthError):
        verify_message(KEY, parse(name, payload))


def test_tampered_body_is_refused() -> None:
    name, payload = sign_message(KEY, LOCK, Ack(up_to_seq=5))
    forged = payload.replace(b'"up_to_seq":5', b'"up_to_seq":500')
    with pytest.raises(AuthError):
        verify_message(KEY, parse(name, forged))


def test_message_moved_to_another_lock_is_refused() -> None:
    """A broker (or lock B) re-publishing lock A's message under lock B's topic."""
    _, payload = sign_message(KEY, LOCK, Ack(up_to_seq=5))
    with pytest.raises(AuthError):
        verify_message(KEY, parse(topic(OTHER, Channel.ACK), payload))


def test_cloud_message_reflected_as_a_lock_message_is_refused_A_SETTINGS() -> None:
    """Desired settings re-published as "reported" parse fine but carry the wrong
    direction and topic in their MAC, so the cloud cannot be fooled by a reflection."""
    _, payload = cloud_side.build_desired(KEY, LOCK, 4, {"face_unlock": False})
    inbound = parse(topic(LOCK, Channel.SHADOW_REPORTED), payload)
    assert inbound.message.settings == {"face_unlock": False}
    with pytest.raises(AuthError):
        verify_message(KEY, inbound)


def test_remote_unlock_is_accepted_once_A_REMOTE() -> None:
    _, name, payload = cloud_side.build_command(KEY, LOCK, RemoteAction.UNLOCK, now=NOW)
    received = verify_message(KEY, parse(name, payload))
    guard = CommandGuard()
    guard.check(received, now=NOW + 1)
    with pytest.raises(AuthError) as err:
        guard.check(received, now=NOW + 2)
    assert err.value.code is ErrorCode.DUPLICATE_REQUEST


def test_late_command_does_nothing_A_REMOTE() -> None:
    command, _, _ = cloud_side.build_command(KEY, LOCK, "unlock", now=NOW, ttl_s=30)
    with pytest.raises(AuthError) as err:
        CommandGuard(skew_s=5).check(command, now=NOW + 36)
    assert err.value.code is ErrorCode.EXPIRED_REQUEST


def test_command_from_the_future_is_refused() -> None:
    command, _, _ = cloud_side.build_command(KEY, LOCK, "unlock", now=NOW + 3600)
    with pytest.raises(AuthError) as err:
        CommandGuard().check(command, now=NOW)
    assert err.value.code is ErrorCode.NOT_YET_VALID


def test_nonce_cache_forgets_only_expired_commands() -> None:
    guard = CommandGuard(skew_s=0, capacity=2)
    a, _, _ = cloud_side.build_command(KEY, LOCK, "lock", now=NOW, ttl_s=10)
    b, _, _ = cloud_side.build_command(KEY, LOCK, "lock", now=NOW, ttl_s=10)
    c, _, _ = cloud_side.build_command(KEY, LOCK, "lock", now=NOW, ttl_s=10)
    guard.check(a, NOW)
    guard.check(b, NOW)
    with pytest.raises(AuthError) as err:  # full: refuse rather than forget a live nonce
        guard.check(c, NOW)
    assert err.value.code is ErrorCode.BUSY
    d, _, _ = cloud_side.build_command(KEY, LOCK, "lock", now=NOW + 20, ttl_s=10)
    guard.check(d, NOW + 20)  # a and b expired and were forgotten


def test_remote_password_travels_sealed_A_USERS_D_USER_7() -> None:
    command, _, payload = cloud_side.build_command(
        KEY,
        LOCK,
        RemoteAction.SET_PASSWORD,
        {"user_no": 3},
        secret_params={"digits": "246810"},
        now=NOW,
    )
    assert b"246810" not in payload
    params = open_sealed_params(KEY, LOCK, command.request_id, command.params)
    assert params == {"user_no": 3, "digits": "246810"}
    with pytest.raises(AuthError):  # another lock's key cannot open it
        open_sealed_params(new_lock_key(), LOCK, command.request_id, command.params)
    with pytest.raises(AuthError):  # nor can it be moved to another request
        open_sealed_params(KEY, LOCK, "other-request", command.params)
