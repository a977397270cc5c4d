"""The per-lock secret of offline visitor codes (A-TEMP), shared by lock and cloud.

Both sides hold the lock key from pairing (D-PAIR); each derives the offline-code
secret from it with this one function, so the cloud can issue codes the lock checks
without the network, and re-pairing (a new key) voids every outstanding code.

>>> len(offline_secret(bytes(32)))
32
>>> offline_secret(bytes(32)) == offline_secret(bytes(32))
True
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"smartlock offline codes v1"


def offline_secret(lock_key: bytes) -> bytes:
    """HKDF-SHA256(lock key, no salt, info ``INFO``) -> 32 bytes for offline_codes."""
    if len(lock_key) < 16:
        raise ValueError("the lock key is too short to derive from")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(lock_key)


__all__ = ["INFO", "offline_secret"]
