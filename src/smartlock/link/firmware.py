"""Signed firmware releases (A-OTA): the manifest, its Ed25519 signature, versions.

A release is a manifest (model, version, SHA-256 and size of the image, where to get
it, notes) and an Ed25519 signature by the vendor over
`"smartlock-firmware-v1" ‖ NUL ‖ canonical(manifest)` (canonical = sorted keys, compact,
ASCII, as the link's MACs). The vendor keeps the private key; the cloud and every lock
carry only the public key, so neither a cloud operator nor anyone on the broker can
make a lock install an image the vendor did not sign. The image is checked against
the signed SHA-256 and size, so where it is fetched from needs no trust.

Pure: no network, no files except `read_image` / `fetch_image` (used by the lock's
shell and the CLI).

>>> key = new_private_key()
>>> m = Manifest(model=DEFAULT_MODEL, version="0.2.0", sha256="0" * 64, size=1, url="x")
>>> release = sign_manifest(key, m)
>>> verify_release(public_key_text(key), release.model_dump(mode="json")).version
'0.2.0'
>>> is_newer("0.10.0", "0.9.0"), is_newer("0.9.0", "0.9.0")
(True, False)
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from smartlock.errors import ErrorCode, Fault, SmartlockError
from smartlock.link.codec import canonical
from smartlock.link.errors import MalformedMessage
from smartlock.link.signing import b64d, b64e

DOMAIN = b"smartlock-firmware-v1\x00"
DEFAULT_MODEL = "smartlock-v1"
MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_NOTES = 2000
FETCH_TIMEOUT_S = 30.0

VersionText = Annotated[
    str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,3}([a-z0-9.+-]{0,16})$", max_length=32)
]


class FirmwareError(SmartlockError):
    """A release or an image that must not be used; `code` says why in one word."""

    code = ErrorCode.MALFORMED_RELEASE
    fault = Fault.PEER  # the release or the image came from elsewhere

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message, code)

    def __str__(self) -> str:
        return f"{self.code.value}: {self.args[0]}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Manifest(_Strict):
    """What the vendor signs. `v` is the manifest schema version."""

    v: int = Field(default=1, ge=1, le=1)
    model: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
    version: VersionText
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=1, le=MAX_IMAGE_BYTES)
    url: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    notes: Annotated[str, StringConstraints(max_length=MAX_NOTES)] = ""
    # D-OTA-DOWNGRADE: the exact running versions this (older) release may replace. Empty
    # (and then left out of the signed bytes, so older releases keep their signature):
    # only an upgrade. Naming the versions keeps one signed downgrade from being
    # replayed against every later version.
    downgrade_from: tuple[VersionText, ...] = Field(default=(), max_length=16)


class SignedRelease(_Strict):
    """A manifest and the vendor's signature over it (base64url, unpadded)."""

    manifest: Manifest
    signature: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{86}$")]


# ---------------------------------------------------------------------- versions


def parse_version(text: str) -> Version:
    """PEP 440 parse (so "0.10.0" > "0.9.0"); FirmwareError if it is no version."""
    try:
        return Version(text)
    except InvalidVersion:
        raise FirmwareError(f"not a version: {text!r}", ErrorCode.MALFORMED_RELEASE) from None


def is_newer(candidate: str, current: str) -> bool:
    """True if `candidate` is a strictly higher version than `current`.

    A current version that does not parse (an unknown or empty report) counts as
    older than any release.
    """
    try:
        now = Version(current)
    except InvalidVersion:
        return True
    return parse_version(candidate) > now


# -------------------------------------------------------------------------- keys


def _b64d(text: str) -> bytes:
    """The link's base64url, failing as a malformed release."""
    try:
        return b64d(text)
    except MalformedMessage:
        raise FirmwareError("not base64url", ErrorCode.MALFORMED_RELEASE) from None


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


KEY_PREFIX = "ed25519:"  # base64url may start with "-", which a command line reads as a flag


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """`ed25519:` + the raw 32-byte public key, base64url: what locks and the cloud get."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + b64e(raw)


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key from (`ed25519:`) base64url raw bytes or PEM; ValueError if neither."""
    text = text.strip().removeprefix(KEY_PREFIX)
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = _b64d(text)
    except FirmwareError:
        raise ValueError("a vendor public key is 32 bytes base64url, or PEM") from None
    if len(raw) != 32:
        raise ValueError("a vendor public key is 32 bytes base64url, or PEM")
    return Ed25519PublicKey.from_public_bytes(raw)


_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


def load_trusted_keys(text: str) -> list[Ed25519PublicKey]:
    """Every vendor key in `text`: PEM blocks and `ed25519:` keys separated by commas or
    whitespace. Several keys are how the vendor rotates its key: a firmware that trusts
    old and new, then releases signed with the new one, then a firmware without the old
    (docs/firmware-updates.md). ValueError if there is none or one does not parse.
    """
    keys = [load_public_key(block) for block in _PEM_BLOCK.findall(text)]
    rest = _PEM_BLOCK.sub(" ", text)
    keys += [load_public_key(word) for word in re.split(r"[\s,]+", rest) if word]
    if not keys:
        raise ValueError("no vendor public key given")
    return keys


def write_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """PEM (PKCS#8, unencrypted) at `path`, created 0600; refuses to overwrite."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


# ------------------------------------------------------------------ sign, verify


def signed_bytes(manifest: Manifest) -> bytes:
    data = manifest.model_dump(mode="json")
    if not data["downgrade_from"]:
        del data["downgrade_from"]  # as before the field existed: old signatures hold
    return DOMAIN + canonical(data)


def sign_manifest(key: Ed25519PrivateKey, manifest: Manifest) -> SignedRelease:
    return SignedRelease(manifest=manifest, signature=b64e(key.sign(signed_bytes(manifest))))


def parse_release(obj: Any) -> SignedRelease:
    """A release from loaded JSON, strictly (no extra fields); FirmwareError if not."""
    if not isinstance(obj, dict):
        raise FirmwareError("a release is a JSON object", ErrorCode.MALFORMED_RELEASE)
    try:
        return SignedRelease.model_validate_json(canonical(obj), strict=True)
    except (ValidationError, ValueError) as exc:
        raise FirmwareError(f"not a signed release: {exc}", ErrorCode.MALFORMED_RELEASE) from None


def verify_release(
    trusted: str | Ed25519PublicKey | Sequence[Ed25519PublicKey], obj: Any
) -> Manifest:
    """The manifest of a release whose signature checks with one of the `trusted` keys
    (text as `load_trusted_keys` reads it, one key, or several).

    FirmwareError `malformed_release` or `bad_signature` otherwise. Also checks the
    version parses, so callers can compare it.
    """
    release = obj if isinstance(obj, SignedRelease) else parse_release(obj)
    if isinstance(trusted, str):
        keys = load_trusted_keys(trusted)
    elif isinstance(trusted, Ed25519PublicKey):
        keys = [trusted]
    else:
        keys = list(trusted)
    signature, message = _b64d(release.signature), signed_bytes(release.manifest)
    for key in keys:
        try:
            key.verify(signature, message)
            break
        except InvalidSignature:
            continue
    else:
        raise FirmwareError("the vendor signature does not verify", ErrorCode.BAD_SIGNATURE)
    parse_version(release.manifest.version)
    return release.manifest


def is_signed_downgrade(manifest: Manifest, current: str) -> bool:
    """The vendor signed this release as a downgrade of exactly `current` (D-OTA-DOWNGRADE)."""
    try:
        now = Version(current)
    except InvalidVersion:
        return False
    if parse_version(manifest.version) >= now:
        return False
    return any(_same(v, now) for v in manifest.downgrade_from)


def _same(text: str, version: Version) -> bool:
    try:
        return Version(text) == version
    except InvalidVersion:
        return False


def check_offer(manifest: Manifest, *, model: str, current: str) -> None:
    """The lock's rules for a verified manifest: its model, strictly newer, or an
    older version the vendor signed as a downgrade of the running one.
    """
    if manifest.model != model:
        raise FirmwareError(
            f"release for {manifest.model!r}, this lock is {model!r}", ErrorCode.WRONG_MODEL
        )
    if is_signed_downgrade(manifest, current):
        return
    if not is_newer(manifest.version, current):
        same = parse_version(manifest.version) == parse_version(current)
        reason = ErrorCode.SAME_VERSION if same else ErrorCode.DOWNGRADE
        raise FirmwareError(f"{manifest.version} is not newer than {current}", reason)


# ------------------------------------------------------------------------ images


def manifest_for(
    image: bytes,
    *,
    version: str,
    url: str,
    model: str = DEFAULT_MODEL,
    notes: str = "",
    downgrade_from: Sequence[str] = (),
) -> Manifest:
    return Manifest(
        model=model,
        version=version,
        sha256=hashlib.sha256(image).hexdigest(),
        size=len(image),
        url=url,
        notes=notes,
        downgrade_from=tuple(downgrade_from),
    )


def fetch_image(url: str, manifest: Manifest, *, timeout_s: float = FETCH_TIMEOUT_S) -> bytes:
    """The image at `url` (http(s)://, file:// or a local path), checked against the
    manifest's size and SHA-256; FirmwareError `fetch_failed` / `hash_mismatch`.
    Reads at most size + 1 bytes, so a wrong server cannot fill the lock's memory.
    """
    parsed = urllib.parse.urlsplit(url)
    limit = manifest.size + 1
    try:
        if parsed.scheme in ("http", "https"):
            with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
                data: bytes = response.read(limit)
        elif parsed.scheme in ("", "file"):
            path = Path(urllib.request.url2pathname(parsed.path) if parsed.scheme else url)
            with path.open("rb") as f:
                data = f.read(limit)
        else:
            raise FirmwareError(
                f"unsupported image location {parsed.scheme}:", ErrorCode.FETCH_FAILED
            )
    except OSError as exc:
        raise FirmwareError(f"cannot fetch the image: {exc}", ErrorCode.FETCH_FAILED) from None
    if len(data) != manifest.size:
        raise FirmwareError(
            f"image is {len(data)} bytes, the manifest says {manifest.size}",
            ErrorCode.HASH_MISMATCH,
        )
    if hashlib.sha256(data).hexdigest() != manifest.sha256:
        raise FirmwareError("image SHA-256 does not match the manifest", ErrorCode.HASH_MISMATCH)
    return data
