"""Encryption at rest of per-lock keys with the server master key (AES-256-GCM)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from smartlock.cloud.core.config import Settings

_NONCE = 12


def load_master_key(settings: Settings) -> bytes:
    """The master key from settings, else from ``data_dir/master.key`` (made 0600)."""
    if settings.master_key is not None:
        key = base64.urlsafe_b64decode(settings.master_key.get_secret_value())
        if len(key) != 32:
            raise ValueError("SMARTLOCK_MASTER_KEY must be 32 bytes, urlsafe base64")
        return key
    path = settings.data_dir / "master.key"
    if not path.exists():
        _create_key_file(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(f"{path} must not be readable by others (mode {mode:o})")
    key = base64.urlsafe_b64decode(path.read_text().strip())
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte key")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = base64.urlsafe_b64encode(secrets.token_bytes(32))
    # O_EXCL: two workers starting together never both write a key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as f:
        f.write(encoded + b"\n")


class KeyBox:
    """Seals small secrets for the database; the associated data binds them to a row."""

    def __init__(self, master_key: bytes) -> None:
        self._aead = AESGCM(master_key)
        self._master = master_key

    def derive(self, label: bytes) -> bytes:
        """A 32-byte key for one purpose (HMAC-SHA256 of the label under the master key)."""
        return hmac.new(self._master, label, hashlib.sha256).digest()

    def seal(self, secret: bytes, *, context: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return nonce + self._aead.encrypt(nonce, secret, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())
