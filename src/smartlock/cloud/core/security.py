"""Passwords (argon2id), random tokens (kept as SHA-256) and the CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are the RFC 9106 "low memory" argon2id profile. The test suite
# (tests/conftest.py) sets the variable below to hash with the cheapest parameters, so
# hundreds of sign-ups take seconds, not minutes; never set it in a deployment.
_TEST_ONLY = os.environ.get("SMARTLOCK_INSECURE_FAST_HASHING_FOR_TESTS") == "1"
_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST) if _TEST_ONLY else PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when ``password`` matches; always spends the same hashing time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    """A 256-bit random secret for sessions, bearer tokens and confirmations."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are high-entropy, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(session_token: str) -> str:
    """The CSRF token bound to a session: readable by the page, unforgeable without
    the HTTP-only session cookie (signed double-submit).
    """
    return hmac.new(session_token.encode(), b"smartlock-csrf", hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def generate_password() -> str:
    """A password shown once to an operator (``smartlock cloud create-user``)."""
    return secrets.token_urlsafe(15)
