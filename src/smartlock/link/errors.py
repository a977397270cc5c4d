"""One exception root for the link, each error carrying a machine-readable reason.

A lock and a cloud worker both log and drop a bad message by catching `LinkError`;
`reason` says why in one word (the lock puts it in a refused command's result).
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why a message was refused; wire values of `CommandResult.reason`, only add."""

    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired_request"
    NOT_YET_VALID = "not_yet_valid"
    REPLAYED = "duplicate_request"
    BUSY = "busy"
    PAIRING_FAILED = "pairing_failed"


class LinkError(Exception):
    """Root of every link error; `reason` says what was wrong."""

    reason: Reason = Reason.MALFORMED

    def __init__(self, message: str, reason: Reason | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.args[0]}"


class MalformedMessage(LinkError, ValueError):
    """A topic or payload that is not a valid v1 message (sender's fault)."""


class TopicError(MalformedMessage):
    """A topic outside the v1 tree, or a lock id that cannot be a topic level."""


class AuthError(LinkError):
    """A well-formed message that fails authentication: forged, expired or replayed."""

    reason = Reason.BAD_SIGNATURE


class PairingError(LinkError):
    """A pairing hello or credentials box that does not verify (D-PAIR)."""

    reason = Reason.PAIRING_FAILED
