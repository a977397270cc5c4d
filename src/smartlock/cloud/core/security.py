"""Passwords (argon2id), random tokens (kept as SHA-256) and the CSRF token.

Nothing happens at import: the argon2 profile is a setting
(`Settings.insecure_fast_hashing_for_tests`) read when the first password is hashed or
checked, and the dummy hash behind timing-equal failed sign-ins is made then too.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from smartlock.cloud.core.config import Settings


class Passwords:
    """argon2id under one profile: argon2-cffi's default (RFC 9106 "low memory"), or
    argon2's cheapest parameters when `fast` (the test suite only: hundreds of sign-ups
    take seconds, not minutes; never in a deployment).
    """

    def __init__(self, *, fast: bool = False) -> None:
        self.fast = fast
        self._hasher = (
            PasswordHasher.from_parameters(profiles.CHEAPEST) if fast else PasswordHasher()
        )

    @functools.cached_property
    def dummy_hash(self) -> str:
        """Verified against when the account does not exist, so timing does not reveal it."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password: str, password_hash: str | None) -> bool:
        """True when ``password`` matches; always spends the same hashing time."""
        try:
            ok = self._hasher.verify(password_hash or self.dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and bool(password_hash)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


_passwords: Passwords | None = None  # the process's profile, chosen on first use


def configure(settings: Settings) -> Passwords:
    """Hash with the profile `settings` names from now on (the cloud does at start)."""
    global _passwords
    fast = settings.insecure_fast_hashing_for_tests
    if _passwords is None or _passwords.fast != fast:
        _passwords = Passwords(fast=fast)
    return _passwords


def passwords() -> Passwords:
    """The configured hasher; unconfigured (a CLI, the demo), the environment's settings."""
    return _passwords if _passwords is not None else configure(Settings())


def hash_password(password: str) -> str:
    return passwords().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when ``password`` matches; always spends the same hashing time."""
    return passwords().verify(password, password_hash)


def needs_rehash(password_hash: str) -> bool:
    return passwords().needs_rehash(password_hash)


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
