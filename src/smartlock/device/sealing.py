"""At-rest encryption for the secrets the store must be able to read back.

Face templates (D-PRIV, D-USER-7) and the link's broker credentials are sealed with
AES-256-GCM. The key is a hardware-held key when the shell has one (secure element,
TPM), otherwise derived from the per-lock secret with HKDF; each blob is bound to
where it lives (the associated data), so a row copied elsewhere does not open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from smartlock.errors import StoreError

NONCE = 12


class Sealer:
    """Seal and open small blobs with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the at-rest key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def derive(cls, secret: bytes, hardware_key: bytes | None = None) -> Sealer:
        if hardware_key is not None:
            return cls(hardware_key)
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"smartlock at-rest v1")
        return cls(hkdf.derive(secret))

    def seal(self, data: bytes, where: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, data, where)

    def open(self, blob: bytes, where: bytes) -> bytes:
        try:
            return self._aead.decrypt(blob[:NONCE], blob[NONCE:], where)
        except InvalidTag:
            raise StoreError(f"sealed data at {where.decode()} does not open") from None
