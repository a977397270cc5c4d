"""Codec: round trips, and every kind of malformed payload raises MalformedMessage.

Rules proved here (named in the tests' names): A-STATUS, D-LOG, D-PAIR, D-PRIV.
"""

from __future__ import annotations

import json

import pytest

from smartlock.errors import ErrorCode
from smartlock.link import schemas
from smartlock.link.codec import encode, parse
from smartlock.link.errors import LinkError, MalformedMessage
from smartlock.link.signing import new_lock_key, sign_message
from smartlock.link.topics import Channel, parse_topic, topic
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Mode, Source

LOCK = "SL7K3MQ9TX2A"
KEY = new_lock_key()


def _state() -> schemas.StateReport:
    return schemas.StateReport(
        door=DoorState.LOCKED,
        bolt=BoltState.THROWN,
        modes={Mode.ANTI_LOCK: True, Mode.ARMED: False},
        battery=77,
        last_event_seq=12,
        firmware="1.0.0",
        sent_at=1_700_000_000.25,
    )


def _batch() -> schemas.EventBatch:
    return schemas.EventBatch(
        acked_through=4,
        events=[
            schemas.Event(
                seq=5,
                at=1_700_000_000.5,
                kind=EventKind.UNLOCK,
                user_no=3,
                method=Method.FACE,
                source=Source.FACE,
            ),
            schemas.Event(seq=6, at=1_700_000_001.0, kind=EventKind.DOORBELL),
        ],
    )


@pytest.mark.parametrize(
    "message",
    [
        _state(),
        _batch(),
        schemas.Ack(up_to_seq=6),
        schemas.ShadowDesired(version=3, settings={"face_unlock": True, "watch_s": 30}),
        schemas.ShadowReported(version=3, settings={"face_unlock": True}, rejected={"x": "no"}),
        schemas.CommandResult(request_id="r-1", ok=False, reason="anti_lock_mode"),
    ],
    ids=lambda m: type(m).__name__,
)
def test_signed_messages_round_trip_A_STATUS_D_LOG(message: schemas.Message) -> None:
    name, payload = sign_message(KEY, LOCK, message)
    inbound = parse(name, payload)
    assert inbound.message == message
    assert inbound.lock_id == LOCK
    assert parse_topic(name)[1] is inbound.channel


def test_state_keeps_enum_values_on_the_wire_A_STATUS() -> None:
    _, payload = sign_message(KEY, LOCK, _state())
    body = json.loads(payload)["body"]
    assert body["door"] == "locked" and body["modes"] == {"anti_lock": True, "armed": False}


def test_availability_is_plain_text_for_home_assistant() -> None:
    assert parse(topic(LOCK, Channel.AVAILABILITY), b"offline").message == "offline"
    with pytest.raises(MalformedMessage):
        parse(topic(LOCK, Channel.AVAILABILITY), b"maybe")


def _signed_payload(message: schemas.Message) -> tuple[str, dict[str, object]]:
    name, payload = sign_message(KEY, LOCK, message)
    return name, json.loads(payload)


def _mutations() -> list[tuple[str, bytes]]:
    _, good = sign_message(KEY, LOCK, _state())
    env = json.loads(good)
    cases: list[tuple[str, bytes]] = []
    cases.append(("truncated", good[: len(good) // 2]))
    cases.append(("not json", b"\xff\xfe garbage"))
    cases.append(("json array", b"[1,2,3]"))
    cases.append(("empty", b""))
    assert good.count(b'"battery":77') == 1
    wrong_type = json.loads(good)
    wrong_type["body"]["battery"] = "77"
    cases.append(("wrong type", json.dumps(wrong_type).encode()))
    bool_as_int = json.loads(good)
    bool_as_int["body"]["online"] = 1
    cases.append(("int for bool", json.dumps(bool_as_int).encode()))
    unknown = json.loads(good)
    unknown["body"]["colour"] = "red"
    cases.append(("unknown field", json.dumps(unknown).encode()))
    extra_env = json.loads(good)
    extra_env["note"] = "x"
    cases.append(("unknown envelope field", json.dumps(extra_env).encode()))
    version = json.loads(good)
    version["body"]["v"] = 2
    cases.append(("wrong body version", json.dumps(version).encode()))
    env_version = json.loads(good)
    env_version["v"] = 2
    cases.append(("wrong envelope version", json.dumps(env_version).encode()))
    enum_value = json.loads(good)
    enum_value["body"]["door"] = "half-open"
    cases.append(("unknown enum value", json.dumps(enum_value).encode()))
    nan = good.replace(b'"sent_at":1700000000.25', b'"sent_at":NaN')
    assert nan != good
    cases.append(("NaN", nan))
    dup = good.replace(b'"battery":77', b'"battery":77,"battery":5')
    cases.append(("duplicate key", dup))
    cases.append(("unsigned on signed channel", json.dumps(env["body"]).encode()))
    return cases


@pytest.mark.parametrize(("case", "payload"), _mutations(), ids=[c for c, _ in _mutations()])
def test_malformed_state_raises_the_one_error_type(case: str, payload: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse(topic(LOCK, Channel.STATE), payload)


def test_oversize_payload_is_refused_before_parsing() -> None:
    payload = b'{"v":1,"body":{},"mac":"' + b"A" * schemas.MAX_PAYLOAD + b'"}'
    with pytest.raises(MalformedMessage) as err:
        parse(topic(LOCK, Channel.STATE), payload)
    assert err.value.code is ErrorCode.TOO_LARGE


def test_deeply_nested_json_is_malformed_not_a_crash() -> None:
    payload = b"[" * 5000 + b"]" * 5000
    with pytest.raises(MalformedMessage):
        parse(topic(LOCK, Channel.EVENTS), payload)


@pytest.mark.parametrize(
    "name",
    [
        "other/v1/SL7K3MQ9TX2A/state",
        "smartlock/v2/SL7K3MQ9TX2A/state",
        "smartlock/v1/+/state",
        "smartlock/v1/SL7K3MQ9TX2A/nope",
        "smartlock/v1/a/state",
    ],
)
def test_foreign_topics_are_malformed(name: str) -> None:
    with pytest.raises(MalformedMessage):
        parse(name, b"{}")


def test_event_details_cannot_carry_secrets_or_face_data_D_PRIV() -> None:
    _, env = _signed_payload(_batch())
    env["body"]["events"][0]["details"] = {"password": "123456"}  # type: ignore[index]
    with pytest.raises(MalformedMessage):
        parse(topic(LOCK, Channel.EVENTS), json.dumps(env).encode())
    env["body"]["events"][0]["details"] = {"embedding": [0.1, 0.2]}  # type: ignore[index]
    with pytest.raises(MalformedMessage):
        parse(topic(LOCK, Channel.EVENTS), json.dumps(env).encode())


def test_event_batch_must_be_in_order_D_LOG() -> None:
    _, env = _signed_payload(_batch())
    env["body"]["events"].reverse()  # type: ignore[index]
    with pytest.raises(MalformedMessage):
        parse(topic(LOCK, Channel.EVENTS), json.dumps(env).encode())


def test_pairing_hello_is_unsigned_but_strict_D_PAIR() -> None:
    hello = schemas.PairingHello(serial=LOCK, lock_nonce="A" * 22, sent_at=1.0, proof="B" * 43)
    name = topic(LOCK, Channel.PAIRING_HELLO)
    assert parse(name, encode(hello)).message == hello
    with pytest.raises(LinkError):
        parse(name, encode(hello).replace(b'"sent_at":1.0', b'"sent_at":"1"'))
