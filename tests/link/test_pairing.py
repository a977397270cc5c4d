"""Pairing crypto (D-PAIR): only the lock with the label's code gets credentials."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from smartlock.link import cloud_side
from smartlock.link.codec import parse
from smartlock.link.connection import BrokerConfig
from smartlock.link.errors import PairingError
from smartlock.link.pairing import (
    Label,
    generate_label,
    load_credentials,
    load_or_create_label,
    make_hello,
    normalize_code,
    open_credentials,
    save_credentials,
    seal_credentials,
    verify_hello,
)
from smartlock.link.pairing_client import pair
from smartlock.link.signing import b64d, b64e

NOW = 1_700_000_000.0
LABEL = Label(serial="SL7K3MQ9TX2A", code="7K3M-Q9TX")
CREDS = cloud_side.new_credentials(LABEL.serial, owner="alice")


def test_right_code_binds_and_the_lock_opens_its_credentials_D_PAIR() -> None:
    hello = make_hello(LABEL, NOW)
    verify_hello(hello, LABEL.serial, "7k3m q9tx", NOW + 10)
    name, payload = cloud_side.pairing_reply(hello, LABEL.code, CREDS, now=NOW + 11)
    box = parse(name, payload).message
    assert open_credentials(box, hello, LABEL.code) == CREDS
    assert CREDS.broker_password.encode() not in payload


def test_wrong_code_fails_D_PAIR() -> None:
    hello = make_hello(LABEL, NOW)
    with pytest.raises(PairingError):
        verify_hello(hello, LABEL.serial, "7K3M-Q9TY", NOW)


def test_wrong_serial_fails_D_PAIR() -> None:
    hello = make_hello(LABEL, NOW)
    with pytest.raises(PairingError):
        verify_hello(hello, "SL0000000000", LABEL.code, NOW)


def test_stale_hello_fails_after_the_3_minute_window_D_PAIR() -> None:
    hello = make_hello(LABEL, NOW)
    with pytest.raises(PairingError):
        verify_hello(hello, LABEL.serial, LABEL.code, NOW + 181)


def test_replayed_hello_fails_D_PAIR() -> None:
    seen: set[str] = set()
    hello = make_hello(LABEL, NOW)
    verify_hello(hello, LABEL.serial, LABEL.code, NOW, seen_nonces=seen)
    with pytest.raises(PairingError):
        verify_hello(hello, LABEL.serial, LABEL.code, NOW + 1, seen_nonces=seen)


def test_tampered_hello_fails_D_PAIR() -> None:
    hello = make_hello(LABEL, NOW).model_copy(update={"sent_at": NOW + 100})
    with pytest.raises(PairingError):
        verify_hello(hello, LABEL.serial, LABEL.code, NOW + 100)


def test_tampered_box_fails_D_PAIR() -> None:
    hello = make_hello(LABEL, NOW)
    box = seal_credentials(hello, LABEL.code, CREDS, NOW)
    raw = bytearray(b64d(box.box))
    raw[20] ^= 1
    with pytest.raises(PairingError):
        open_credentials(box.model_copy(update={"box": b64e(bytes(raw))}), hello, LABEL.code)
    with pytest.raises(PairingError):  # associated data is bound too
        open_credentials(box.model_copy(update={"issued_at": NOW + 1}), hello, LABEL.code)


def test_box_for_another_hello_or_code_does_not_open_D_PAIR() -> None:
    first, second = make_hello(LABEL, NOW), make_hello(LABEL, NOW + 1)
    box = seal_credentials(first, LABEL.code, CREDS, NOW)
    with pytest.raises(PairingError):
        open_credentials(box, second, LABEL.code)
    with pytest.raises(PairingError):
        open_credentials(box, first, "0000-0000")


def test_label_is_generated_once_per_data_dir(tmp_path: Path) -> None:
    label = load_or_create_label(tmp_path)
    assert load_or_create_label(tmp_path) == label
    assert (tmp_path / "label.json").stat().st_mode & 0o077 == 0
    assert label.serial.startswith("SL") and len(normalize_code(label.code)) == 8
    assert generate_label() != label


def test_codes_read_forgivingly_but_garbage_is_refused() -> None:
    assert normalize_code("7k3m-q9tx") == "7K3MQ9TX"
    assert normalize_code("O0IL-1111") == "00111111"
    with pytest.raises(PairingError):
        normalize_code("123")


def test_lock_keeps_its_credentials_private_and_forgets_none_D_PAIR(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    assert load_credentials(path) is None
    save_credentials(path, CREDS)
    assert load_credentials(path) == CREDS
    assert path.stat().st_mode & 0o077 == 0


@pytest.mark.timeout(60)
async def test_pairing_window_ends_even_when_a_cancel_is_swallowed_D_PAIR(
    amqtt_broker: BrokerConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.11's wait_for (inside aiomqtt) can swallow a cancel that lands as a PUBACK
    does. The hello announcer must stop anyway, or pairing never returns (seen in CI)."""
    real_publish = aiomqtt.Client.publish

    async def swallowing_publish(self: aiomqtt.Client, *args: Any, **kwargs: Any) -> None:
        try:
            await real_publish(self, *args, **kwargs)
            await asyncio.sleep(0.2)  # a slow PUBACK: the cancel lands in here ...
        except asyncio.CancelledError:
            pass  # ... and is lost, as the caller sees it

    monkeypatch.setattr(aiomqtt.Client, "publish", swallowing_publish)
    started = time.monotonic()
    with pytest.raises(PairingError, match="window closed"):
        await pair(
            amqtt_broker, LABEL, username="provision", password="x", window_s=1, hello_every_s=0.01
        )
    assert time.monotonic() - started < 15
