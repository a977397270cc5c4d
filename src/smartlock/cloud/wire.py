"""The cloud's use of the link (``smartlock.link``): build signed messages for a lock,
verify what a lock sent. Pure functions over ``link.cloud_side`` and ``link.pairing``;
the MQTT I/O is in ``link_worker``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from smartlock.link import cloud_side, codec, pairing, schemas
from smartlock.link.errors import LinkError

__all__ = ["LinkError"]


def hello_from(payload: dict[str, Any]) -> schemas.PairingHello:
    hello = codec.validate(schemas.PairingHello, payload)
    assert isinstance(hello, schemas.PairingHello)
    return hello


def verify_hello(payload: dict[str, Any], *, serial: str, code: str) -> schemas.PairingHello:
    """The stored pairing hello that proves the label code (D-PAIR); LinkError if none.

    `payload` is what `crud.record_hello` keeps: several recent hellos of the serial
    (`{"hellos": [...]}`), or one hello (rows written before issue 13).
    """
    now = dt.datetime.now(dt.UTC).timestamp()
    kept = payload.get("hellos") if "hellos" in payload else [payload]
    hellos = []
    for item in kept if isinstance(kept, list) else []:
        try:
            hellos.append(hello_from(item))
        except LinkError:
            continue  # a malformed one can only be forged: skip it
    return pairing.find_hello(hellos, serial, code, now)


def new_credentials(serial: str, owner: str, name: str = "") -> pairing.LockCredentials:
    return cloud_side.new_credentials(serial, owner=owner, name=name)


def credentials_message(
    hello: schemas.PairingHello, *, code: str, credentials: pairing.LockCredentials
) -> tuple[str, bytes]:
    """(topic, payload): the lock's key and broker login sealed with its code (D-PAIR)."""
    return cloud_side.pairing_reply(hello, code, credentials)


def command_message(
    lock_id: str,
    lock_key: str,
    *,
    command_id: str,
    action: str,
    params: dict[str, Any],
    expires_at: dt.datetime,
    secret: str | None = None,
    secret_name: str = "digits",  # noqa: S107 - a parameter name, not a secret
) -> tuple[str, bytes]:
    """A signed, single-use, expiring command; ``secret`` travels sealed as
    ``secret_name`` (``digits`` for set_password, ``code`` for add_temp_password).
    """
    now = dt.datetime.now(dt.UTC).timestamp()
    _, name, payload = cloud_side.build_command(
        lock_key,
        lock_id,
        action,
        params,
        secret_params={secret_name: secret} if secret is not None else None,
        now=now,
        ttl_s=max(1.0, min(expires_at.timestamp() - now, schemas.MAX_COMMAND_TTL)),
        request_id=command_id,
    )
    return name, payload


def desired_message(
    lock_id: str, lock_key: str, *, desired: dict[str, Any], version: int
) -> tuple[str, bytes]:
    return cloud_side.build_desired(lock_key, lock_id, max(version, 1), desired)


def ack_message(lock_id: str, lock_key: str, *, up_to_seq: int) -> tuple[str, bytes]:
    return cloud_side.build_ack(lock_key, lock_id, up_to_seq)


def lock_id_of(topic: str) -> str:
    return cloud_side.lock_id_of(topic)


def decode(lock_key: str | None, topic: str, payload: bytes) -> codec.Inbound:
    """Parse and (for signed channels) verify one message; LinkError if bad."""
    return cloud_side.decode_lock_message(lock_key, topic, payload)
