"""End-to-end authentication of link messages with the lock's own key.

The broker only routes: a message counts only if its MAC checks with the per-lock key
the cloud and the lock share since pairing (D-PAIR). The MAC is HMAC-SHA256 over
`"smartlock-link-v1" | direction | topic | canonical(body)`; the topic names the lock
and the channel, the direction stops a message being reflected back at its sender, so
a misconfigured broker or another lock cannot forge or redirect one. Commands also
carry a nonce and an expiry; `CommandGuard` (lock side) refuses late, replayed or
forged ones (A-REMOTE). Secret parameters (a remote password, A-USERS) travel sealed
with AES-GCM under a per-lock HKDF key, so the cloud never needs to keep them in clear.

>>> from smartlock.link.schemas import Ack
>>> key = new_lock_key()
>>> topic, payload = sign_message(key, "SL7K3MQ9TX2A", Ack(up_to_seq=3))
>>> from smartlock.link.codec import parse
>>> verify_message(key, parse(topic, payload))
Ack(v=1, up_to_seq=3)
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel

from smartlock.errors import ErrorCode
from smartlock.link.codec import CHANNEL_OF, Inbound, body_of, canonical, encode_signed
from smartlock.link.errors import AuthError, MalformedMessage
from smartlock.link.schemas import Command
from smartlock.link.topics import FROM_CLOUD, FROM_LOCK, SIGNED, Channel, parse_topic, topic

KEY_BYTES = 32
SEALED_SUFFIX = "_sealed"  # a command param `digits_sealed` opens to `digits`


class Direction(enum.StrEnum):
    LOCK_TO_CLOUD = "lock>cloud"
    CLOUD_TO_LOCK = "cloud>lock"


def b64e(raw: bytes) -> str:
    """Unpadded base64url, the link's text form of bytes."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Inverse of `b64e`; MalformedMessage if it is not base64url."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MalformedMessage("not base64url") from None


def new_nonce() -> str:
    """16 random bytes, base64url (22 chars)."""
    return b64e(secrets.token_bytes(16))


def new_lock_key() -> str:
    """A fresh per-lock key (the cloud makes one at pairing; store it encrypted)."""
    return b64e(secrets.token_bytes(KEY_BYTES))


def _key_bytes(lock_key: str) -> bytes:
    raw = b64d(lock_key)
    if len(raw) != KEY_BYTES:
        raise ValueError("a lock key is 32 bytes, base64url")
    return raw


@functools.lru_cache(maxsize=32_768)
def _derive(lock_key: str, purpose: str, lock_id: str) -> bytes:
    """The per-lock, per-purpose subkey. Cached: HKDF costs more than the HMAC it keys,
    and a cloud worker computes two MACs per message for thousands of locks (fleet).
    """
    info = f"smartlock {purpose} v1|{lock_id}".encode()
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
    return hkdf.derive(_key_bytes(lock_key))


def direction_of(channel: Channel) -> Direction:
    """Who sends `channel`: the direction tag its MAC is bound to."""
    if channel in FROM_LOCK:
        return Direction.LOCK_TO_CLOUD
    if channel in FROM_CLOUD:
        return Direction.CLOUD_TO_LOCK
    raise ValueError(f"{channel} has no fixed sender")


def compute_mac(lock_key: str, lock_id: str, topic_name: str, body: bytes) -> str:
    """HMAC-SHA256 of one message, bound to its lock, topic (channel) and direction."""
    _, channel = parse_topic(topic_name)
    data = b"\x00".join(
        [b"smartlock-link-v1", direction_of(channel).encode(), topic_name.encode(), body]
    )
    return b64e(hmac.new(_derive(lock_key, "mac", lock_id), data, hashlib.sha256).digest())


def sign_message(lock_key: str, lock_id: str, message: BaseModel) -> tuple[str, bytes]:
    """(topic, payload) of a signed message for `lock_id` (either direction)."""
    channel = CHANNEL_OF[type(message)]
    if channel not in SIGNED:
        raise ValueError(f"{type(message).__name__} is not a signed message")
    name = topic(lock_id, channel)
    body = body_of(message)
    return name, encode_signed(body, compute_mac(lock_key, lock_id, name, canonical(body)))


def verify_message(lock_key: str, inbound: Inbound) -> Any:
    """The message of `inbound` if its MAC checks with `lock_key`; AuthError if not."""
    if inbound.channel not in SIGNED or inbound.mac is None or inbound.signed_bytes is None:
        raise AuthError(f"{inbound.channel.value} is not a signed channel")
    good = compute_mac(lock_key, inbound.lock_id, inbound.topic, inbound.signed_bytes)
    if not hmac.compare_digest(good, inbound.mac):
        raise AuthError(f"bad signature on {inbound.topic}")
    return inbound.message


class CommandGuard:
    """Lock-side gate for commands: expiry, clock skew, single use (A-REMOTE).

    A nonce is remembered until its command's expiry (+ skew) has passed, which is
    when the expiry check alone would refuse a replay; so the cache is bounded by the
    commands of one `MAX_COMMAND_TTL` window, and at `capacity` new commands are
    refused (busy) rather than forgetting a live nonce.
    """

    def __init__(self, *, skew_s: float = 30.0, capacity: int = 1024) -> None:
        self.skew_s = skew_s
        self.capacity = capacity
        self._seen: dict[str, float] = {}

    def check(self, command: Command, now: float) -> None:
        """Accept `command` once, or raise AuthError with the reason."""
        if now > command.expires_at + self.skew_s:
            raise AuthError(f"command {command.request_id} expired", ErrorCode.EXPIRED_REQUEST)
        if command.issued_at > now + self.skew_s:
            raise AuthError(
                f"command {command.request_id} from the future", ErrorCode.NOT_YET_VALID
            )
        self._seen = {n: t for n, t in self._seen.items() if t + self.skew_s >= now}
        if command.nonce in self._seen:
            raise AuthError(f"command {command.request_id} replayed", ErrorCode.DUPLICATE_REQUEST)
        if len(self._seen) >= self.capacity:
            raise AuthError("too many live commands", ErrorCode.BUSY)
        self._seen[command.nonce] = command.expires_at


def seal_secret(lock_key: str, lock_id: str, request_id: str, name: str, secret: str) -> str:
    """Encrypt a secret command parameter for one lock (AES-256-GCM, bound to the
    lock, the request and the parameter name). Returns base64url(nonce | ciphertext).
    """
    nonce = secrets.token_bytes(12)
    aad = f"{lock_id}|{request_id}|{name}".encode()
    box = AESGCM(_derive(lock_key, "secret", lock_id)).encrypt(nonce, secret.encode(), aad)
    return b64e(nonce + box)


def open_secret(lock_key: str, lock_id: str, request_id: str, name: str, sealed: str) -> str:
    """Decrypt `seal_secret` output; AuthError if it was tampered with or misdirected."""
    raw = b64d(sealed)
    aad = f"{lock_id}|{request_id}|{name}".encode()
    try:
        plain = AESGCM(_derive(lock_key, "secret", lock_id)).decrypt(raw[:12], raw[12:], aad)
        return plain.decode()
    except (InvalidTag, ValueError, UnicodeDecodeError):
        raise AuthError(f"sealed parameter {name!r} does not open") from None


def open_sealed_params(
    lock_key: str, lock_id: str, request_id: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Params with every `<name>_sealed` string replaced by its opened `<name>`."""
    out: dict[str, Any] = {}
    for k, val in params.items():
        if k.endswith(SEALED_SUFFIX):
            plain_name = k[: -len(SEALED_SUFFIX)]
            if not isinstance(val, str) or plain_name in params:
                raise MalformedMessage(f"bad sealed parameter {k!r}")
            out[plain_name] = open_secret(lock_key, lock_id, request_id, plain_name, val)
        else:
            out[k] = val
    return out


__all__ = [
    "CommandGuard",
    "Direction",
    "b64d",
    "b64e",
    "compute_mac",
    "direction_of",
    "new_lock_key",
    "new_nonce",
    "open_sealed_params",
    "open_secret",
    "seal_secret",
    "sign_message",
    "verify_message",
]
