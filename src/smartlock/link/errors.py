"""The link's errors: a message the other end sent that must be dropped or refused.

A lock and a cloud worker both log and drop a bad message by catching `LinkError`;
its `code` says why in one word (the lock puts it in a refused command's result). They
are the peer's fault, like h11's `RemoteProtocolError`.
"""

from __future__ import annotations

from smartlock.errors import CodedError, ErrorCode, Fault


class LinkError(CodedError):
    """Root of every link error."""

    code = ErrorCode.MALFORMED
    fault = Fault.PEER


class MalformedMessage(LinkError, ValueError):
    """A topic or payload that is not a valid v1 message (sender's fault)."""


class TopicError(MalformedMessage):
    """A topic outside the v1 tree, or a lock id that cannot be a topic level."""


class AuthError(LinkError):
    """A well-formed message that fails authentication: forged, expired or replayed."""

    code = ErrorCode.BAD_SIGNATURE


class PairingError(LinkError):
    """A pairing hello or credentials box that does not verify (D-PAIR)."""

    code = ErrorCode.PAIRING_FAILED
