"""Pure (topic, payload bytes) ⇄ message conversion for the link; no I/O, no keys.

`parse` checks the size first, then the JSON (no duplicate keys, no NaN), then the
strict model of the topic's channel, and raises `MalformedMessage` for anything
wrong, so a receiver needs one `except`. Signed channels travel in an envelope
`{"v": 1, "body": {...}, "mac": "..."}`; `Inbound.signed_bytes` is the canonical body
that `signing.verify_*` checks the MAC over.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from smartlock.errors import ErrorCode
from smartlock.link import schemas
from smartlock.link.errors import MalformedMessage, TopicError
from smartlock.link.topics import SIGNED, Channel, parse_topic

_PLAIN_TEXT = {
    Channel.AVAILABILITY: (b"online", b"offline"),
    Channel.HA_DURESS: (b"ON", b"OFF"),
}

MODEL_OF: dict[Channel, type[BaseModel]] = {
    Channel.STATE: schemas.StateReport,
    Channel.EVENTS: schemas.EventBatch,
    Channel.ACK: schemas.Ack,
    Channel.SHADOW_DESIRED: schemas.ShadowDesired,
    Channel.SHADOW_REPORTED: schemas.ShadowReported,
    Channel.CMD: schemas.Command,
    Channel.CMD_RESULT: schemas.CommandResult,
    Channel.SNAPSHOT: schemas.Snapshot,
    Channel.PAIRING_HELLO: schemas.PairingHello,
    Channel.PAIRING_CREDENTIALS: schemas.PairingCredentials,
    Channel.HA_COMMAND: schemas.HaCommand,
    Channel.FIRMWARE_OFFER: schemas.FirmwareOffer,
}
CHANNEL_OF: dict[type[BaseModel], Channel] = {
    m: c for c, m in MODEL_OF.items() if c is not Channel.HA_COMMAND
}


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received message: where from, what, and (if signed) what to verify."""

    lock_id: str
    channel: Channel
    topic: str
    message: Any  # a schemas model; str for availability and ha/duress; dict for ha/*
    mac: str | None = None
    signed_bytes: bytes | None = None


def canonical(obj: Any) -> bytes:
    """The one byte encoding a MAC is computed over: sorted keys, no spaces, ASCII.

    MalformedMessage (the link's own error, which every receiver catches) for what
    JSON cannot carry: an infinite or NaN float (`1e400` parses to inf), a non-string
    key, an object that is not JSON.
    """
    try:
        text = json.dumps(
            obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise MalformedMessage(f"not encodable as canonical JSON: {exc}") from None
    return text.encode("ascii")


def body_of(message: BaseModel) -> dict[str, Any]:
    """A model as the plain JSON object that is signed and sent."""
    return message.model_dump(mode="json")


def encode(message: BaseModel) -> bytes:
    """Payload bytes of an unsigned message (pairing, HA command)."""
    return canonical(body_of(message))


def encode_signed(body: dict[str, Any], mac: str) -> bytes:
    """Payload bytes of a signed envelope (signing.py computes `mac`)."""
    return canonical({"v": 1, "body": body, "mac": mac})


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, val in pairs:
        if k in out:
            raise MalformedMessage(f"duplicate key {k!r}")
        out[k] = val
    return out


def _bad_constant(name: str) -> Any:
    raise MalformedMessage(f"{name} is not allowed in JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: valid JSON, but an inf no one can sign
        raise MalformedMessage(f"number {text[:32]} is out of range")
    return value


def load_json(payload: bytes) -> Any:
    """JSON with the size limit, no duplicate keys, no NaN/Infinity, no number that
    overflows to infinity (`1e400`).
    """
    if not isinstance(payload, bytes | bytearray):
        raise MalformedMessage(f"payload must be bytes, got {type(payload).__name__}")
    if len(payload) > schemas.MAX_PAYLOAD:
        raise MalformedMessage(
            f"payload of {len(payload)} B exceeds {schemas.MAX_PAYLOAD} B", ErrorCode.TOO_LARGE
        )
    try:
        return json.loads(
            payload,
            object_pairs_hook=_no_duplicates,
            parse_constant=_bad_constant,
            parse_float=_finite_float,
        )
    except MalformedMessage:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedMessage(f"not valid UTF-8 JSON: {exc}") from None


def validate(model: type[BaseModel], obj: Any) -> BaseModel:
    """Strict JSON-mode validation of an already-loaded object, errors made plain."""
    if not isinstance(obj, dict):
        raise MalformedMessage(f"{model.__name__} must be a JSON object")
    try:
        return model.model_validate_json(canonical(obj), strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or model.__name__
        raise MalformedMessage(
            f"bad {model.__name__} ({exc.error_count()} errors): {where}: {first['msg']}"
        ) from None


def parse(topic: str, payload: bytes) -> Inbound:
    """Decode one received MQTT message; MalformedMessage on anything wrong."""
    try:
        lock_id, channel = parse_topic(topic)
    except TopicError:
        raise
    if channel in _PLAIN_TEXT:
        text = bytes(payload[:16]).decode("ascii", "replace")
        if bytes(payload) not in _PLAIN_TEXT[channel]:
            raise MalformedMessage(f"{channel.value} payload not allowed: {text!r}")
        return Inbound(lock_id, channel, topic, text)
    obj = load_json(bytes(payload))
    if channel in (
        Channel.HA_STATE,
        Channel.HA_DOORBELL,
        Channel.HA_ACCESS,
        Channel.HA_REFUSED,
        Channel.HA_FIRMWARE,
    ):
        if not isinstance(obj, dict):
            raise MalformedMessage(f"{channel.value} must be a JSON object")
        return Inbound(lock_id, channel, topic, obj)
    model = MODEL_OF[channel]
    if channel not in SIGNED:
        return Inbound(lock_id, channel, topic, validate(model, obj))
    if not isinstance(obj, dict) or set(obj) != {"v", "body", "mac"}:
        raise MalformedMessage("signed message must be exactly {v, body, mac}")
    if obj["v"] != 1 or isinstance(obj["v"], bool):
        raise MalformedMessage(f"unsupported envelope version {obj['v']!r}")
    mac = obj["mac"]
    if not isinstance(mac, str) or not 20 <= len(mac) <= 64:
        raise MalformedMessage("mac must be a base64url string")
    message = validate(model, obj["body"])
    if isinstance(message, schemas.Command) and "origin" in message.params:
        # Only the lock's own link says a command came from Home Assistant (A-HA).
        raise MalformedMessage("a cloud command cannot name an origin")
    return Inbound(lock_id, channel, topic, message, mac, canonical(obj["body"]))
