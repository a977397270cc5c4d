"""Pairing crypto (D-PAIR): pure functions for both sides, no I/O beyond the label file.

The label on the lock carries its serial and a verification code (40 random bits).
Both sides stretch the code with scrypt (salted by the serial) into a master key, so
a captured hello cannot be brute-forced cheaply; two HKDF sub-keys follow:

1. lock → cloud `PairingHello`: proof = HMAC(proof key, canonical hello without proof).
2. cloud checks freshness, single use and the proof against the code the app user
   typed (`verify_hello`), makes the lock's credentials and seals them in
   `PairingCredentials`: AES-256-GCM under HKDF(master, salt = lock nonce | cloud nonce),
   with serial, both nonces and time as associated data (`seal_credentials`).
3. only the lock that knows the code, and is waiting for *that* hello's answer,
   can open the box (`open_credentials`).

>>> label = Label(serial="SL7K3MQ9TX2A", code="7K3M-Q9TX")
>>> hello = make_hello(label, now=1000.0)
>>> verify_hello(hello, serial="SL7K3MQ9TX2A", code="7k3mq9tx", now=1005.0)
>>> creds = LockCredentials(lock_id="SL7K3MQ9TX2A", broker_username="SL7K3MQ9TX2A",
...                         broker_password="pw", lock_key=new_lock_key())
>>> box = seal_credentials(hello, "7K3M-Q9TX", creds, now=1006.0)
>>> open_credentials(box, hello, label.code) == creds
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import MutableSet
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from smartlock.link.codec import body_of, canonical
from smartlock.link.errors import MalformedMessage, PairingError
from smartlock.link.schemas import PairingCredentials, PairingHello, Serial
from smartlock.link.signing import b64d, b64e, new_lock_key, new_nonce
from smartlock.link.topics import check_lock_id

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: easy to read off a label
CODE_LEN = 8  # 40 bits
SERIAL_PREFIX = "SL"
HELLO_MAX_AGE_S = 180.0  # the pairing window is 3 minutes (D-PAIR)
CLOCK_SKEW_S = 30.0
LABEL_FILE = "label.json"
SCRYPT_N = 2**14

__all__ = [
    "Label",
    "LockCredentials",
    "find_hello",
    "generate_label",
    "load_credentials",
    "load_or_create_label",
    "make_hello",
    "new_lock_key",
    "normalize_code",
    "open_credentials",
    "save_credentials",
    "seal_credentials",
    "verify_hello",
]


@dataclass(frozen=True, slots=True)
class Label:
    """What is printed on the lock (and in its QR code): serial + verification code."""

    serial: str
    code: str

    def qr_text(self) -> str:
        """The QR payload the app scans."""
        return f"smartlock:{self.serial}:{normalize_code(self.code)}"


class LockCredentials(BaseModel):
    """What a lock receives at pairing: its broker identity and its link key."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    lock_id: Serial
    broker_username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    broker_password: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    lock_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{43}$")]
    owner: Annotated[str, StringConstraints(max_length=128)] = ""
    name: Annotated[str, StringConstraints(max_length=100)] = ""  # the app's, for HA (A-HA)


def _random_chars(n: int) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(n))


def generate_label() -> Label:
    """A new serial (SL + 10 chars) and verification code (8 chars, shown XXXX-XXXX)."""
    code = _random_chars(CODE_LEN)
    return Label(serial=SERIAL_PREFIX + _random_chars(10), code=f"{code[:4]}-{code[4:]}")


def load_or_create_label(data_dir: Path) -> Label:
    """The lock's label, generated at the first start of `data_dir` and kept (0600)."""
    path = Path(data_dir) / LABEL_FILE
    if path.exists():
        raw = json.loads(path.read_text("utf-8"))
        return Label(serial=check_lock_id(raw["serial"]), code=raw["code"])
    label = generate_label()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"serial": label.serial, "code": label.code}, f)
    return label


def save_credentials(path: Path, credentials: LockCredentials) -> None:
    """Keep the lock's credentials in its data dir, readable by the lock only (0600)."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(credentials.model_dump_json())
    os.replace(tmp, path)


def load_credentials(path: Path) -> LockCredentials | None:
    """The stored credentials, or None if the lock was never paired (or reset)."""
    try:
        return LockCredentials.model_validate_json(Path(path).read_bytes())
    except FileNotFoundError:
        return None


def normalize_code(code: str) -> str:
    """Upper-case, drop separators, read O as 0 and I/L as 1 (what people mistype)."""
    out = code.upper().replace("-", "").replace(" ", "")
    out = out.translate(str.maketrans("OIL", "011"))
    if len(out) != CODE_LEN or any(c not in CROCKFORD for c in out):
        raise PairingError(f"a verification code is {CODE_LEN} characters of the label")
    return out


def _master(serial: str, code: str) -> bytes:
    salt = f"smartlock-pair-v1|{serial}".encode()
    return hashlib.scrypt(normalize_code(code).encode(), salt=salt, n=SCRYPT_N, r=8, p=1, dklen=32)


def _hkdf(master: bytes, info: str, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info.encode()).derive(master)


def _proof(master: bytes, hello: PairingHello) -> str:
    body = body_of(hello)
    body.pop("proof")
    key = _hkdf(master, "smartlock pairing proof v1")
    return b64e(hmac.new(key, canonical(body), hashlib.sha256).digest())


def make_hello(label: Label, now: float, firmware: str = "") -> PairingHello:
    """The lock's hello for this pairing attempt (keep it: its nonce opens the box)."""
    draft = PairingHello(
        serial=label.serial, lock_nonce=new_nonce(), sent_at=now, firmware=firmware, proof="A" * 43
    )
    proof = _proof(_master(label.serial, label.code), draft)
    return draft.model_copy(update={"proof": proof})


def verify_hello(
    hello: PairingHello,
    serial: str,
    code: str,
    now: float,
    *,
    seen_nonces: MutableSet[str] | None = None,
    max_age_s: float = HELLO_MAX_AGE_S,
) -> None:
    """Cloud side: accept a fresh, unused hello from `serial` proving the code.

    Raises PairingError (wrong serial or code, stale, replayed). `seen_nonces` is
    the caller's memory of hello nonces already used; a good one is added to it.
    """
    if not hmac.compare_digest(hello.serial.encode(), serial.encode()):
        raise PairingError("hello is from another serial")
    if not now - max_age_s <= hello.sent_at <= now + CLOCK_SKEW_S:
        raise PairingError("hello is stale; put the lock in pairing mode again")
    if seen_nonces is not None and hello.lock_nonce in seen_nonces:
        raise PairingError("hello was already used")
    if not hmac.compare_digest(_proof(_master(serial, code), hello), hello.proof):
        raise PairingError("serial and verification code do not match")
    if seen_nonces is not None:
        seen_nonces.add(hello.lock_nonce)


def find_hello(
    hellos: list[PairingHello],
    serial: str,
    code: str,
    now: float,
    *,
    max_age_s: float = HELLO_MAX_AGE_S,
) -> PairingHello:
    """Cloud side: the newest of several kept hellos that proves `code` (D-PAIR).

    The cloud cannot check a hello when it arrives (it learns the code only when the
    owner types it), so it keeps several; forged ones are skipped here and never
    displace the owner's lock's hello. The code is stretched once for all of them.
    """
    code = normalize_code(code)
    master = _master(serial, code)
    for hello in sorted(hellos, key=lambda h: h.sent_at, reverse=True):
        if not hmac.compare_digest(hello.serial.encode(), serial.encode()):
            continue
        if not now - max_age_s <= hello.sent_at <= now + CLOCK_SKEW_S:
            continue
        if hmac.compare_digest(_proof(master, hello), hello.proof):
            return hello
    raise PairingError("serial and verification code do not match")


def _box_key_and_aad(
    master: bytes, serial: str, ln: str, cn: str, at: float
) -> tuple[bytes, bytes]:
    key = _hkdf(master, f"smartlock pairing box v1|{serial}", salt=b64d(ln) + b64d(cn))
    aad = canonical({"serial": serial, "lock_nonce": ln, "cloud_nonce": cn, "issued_at": at})
    return key, aad


def seal_credentials(
    hello: PairingHello, code: str, credentials: LockCredentials, now: float
) -> PairingCredentials:
    """Cloud side: seal the lock's new credentials for the lock that sent `hello`."""
    cloud_nonce = new_nonce()
    key, aad = _box_key_and_aad(
        _master(hello.serial, code), hello.serial, hello.lock_nonce, cloud_nonce, now
    )
    iv = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(iv, canonical(body_of(credentials)), aad)
    return PairingCredentials(
        serial=hello.serial,
        lock_nonce=hello.lock_nonce,
        cloud_nonce=cloud_nonce,
        issued_at=now,
        box=b64e(iv + sealed),
    )


def open_credentials(box: PairingCredentials, hello: PairingHello, code: str) -> LockCredentials:
    """Lock side: open the answer to *our* `hello`; PairingError if it is not one."""
    if box.serial != hello.serial or not hmac.compare_digest(box.lock_nonce, hello.lock_nonce):
        raise PairingError("credentials answer another hello")
    key, aad = _box_key_and_aad(
        _master(hello.serial, code), box.serial, box.lock_nonce, box.cloud_nonce, box.issued_at
    )
    try:
        raw = b64d(box.box)
        plain = AESGCM(key).decrypt(raw[:12], raw[12:], aad)
        return LockCredentials.model_validate_json(plain)
    except (InvalidTag, ValueError, MalformedMessage, ValidationError):
        raise PairingError("credentials box does not open (tampered or wrong code)") from None
