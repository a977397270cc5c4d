"""One exception root for the lock, each error carrying a machine-readable code.

The console, the link, the app and Home Assistant all explain a refusal from its
`code` alone (as python-kasa does with `DeviceError.error_code`). `InputError` is the
caller's fault (a malformed input or command); `Refused` is the lock saying no by a
rule; `StoreError` is the durable store failing.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """Reason codes: the wire format of command results, so only ever add."""

    BAD_INPUT = "bad_input"
    UNKNOWN_ACTION = "unknown_action"
    DUPLICATE_REQUEST = "duplicate_request"
    EXPIRED_REQUEST = "expired_request"
    REMOTE_UNLOCK_DISABLED = "remote_unlock_disabled"
    ANTI_LOCK_MODE = "anti_lock_mode"
    LOCKED_OUT = "locked_out"
    NEEDS_VERIFICATION = "needs_verification"  # D-MECH
    NO_MASTER = "no_master"  # D-FIRST
    USER_LIMIT = "user_limit"  # D-USER-1
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_CREDENTIAL = "unknown_credential"
    LAST_MASTER = "last_master"  # D-USER-6
    SELF_DEREGISTER = "self_deregister"  # D-USER-6
    MASTER_FROM_KEYPAD = "master_from_keypad"  # D-USER-6
    HAS_PASSWORD = "has_password"  # D-USER-4  # noqa: S105
    DUPLICATE_PASSWORD = "duplicate_password"  # D-USER-4  # noqa: S105
    BAD_PASSWORD = "bad_password"  # D-USER-4: 6-10 digits  # noqa: S105
    PASSWORD_MISMATCH = "password_mismatch"  # D-USER-4: second entry differs  # noqa: S105
    DUPLICATE_FACE = "duplicate_face"  # D-USER-5
    TEMPLATE_LIMIT = "template_limit"  # D-USER-3
    UNKNOWN_SETTING = "unknown_setting"
    BAD_SETTING_VALUE = "bad_setting_value"
    UNKNOWN_TEMP_PASSWORD = "unknown_temp_password"  # noqa: S105
    DOOR_OPEN = "door_open"  # D-MODE-ARM: arming needs a closed door
    NOT_PAIRING = "not_pairing"  # D-PAIR
    BAD_IDENTITY = "bad_identity"  # D-PAIR: serial / verification code mismatch
    NOT_BOUND = "not_bound"
    STORE_FAILED = "store_failed"
    WRONG_CODE = "wrong_code"  # a remote unlock with a code (Home Assistant) that matched nobody
    STORE_FULL = "store_full"  # the disk is full: a change that must be durable is refused
    HA_CONTROL_DISABLED = "ha_control_disabled"  # A-HA: the owner has not allowed HA control
    CODE_REQUIRED = "code_required"  # A-HA: the owner asks for a user's password to unlock
    HAS_FINGERPRINT = "has_fingerprint"  # D-FINGER-1: delete the old one first
    BUSY = "busy"  # the lock is in its menu or another enrolment (D-FINGER-ENROL)
    NO_FINGERPRINT_SENSOR = "no_fingerprint_sensor"  # D-FINGER-HW: this model has none


class LockError(Exception):
    """Root of every error the lock raises; `code` says what went wrong."""

    code: ErrorCode = ErrorCode.BAD_INPUT

    def __init__(self, message: str, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code.value}: {self.args[0]}"


class InputError(LockError, ValueError):
    """The caller's fault: an input or command that is malformed (nothing changed)."""

    code = ErrorCode.BAD_INPUT


class Refused(LockError):
    """A well-formed request the lock refuses by one of its rules (nothing changed)."""


class StoreError(LockError):
    """The durable store could not be read or written."""

    code = ErrorCode.STORE_FAILED


class StoreFull(StoreError):
    """The store could not write because the disk is full (SQLITE_FULL, ENOSPC)."""

    code = ErrorCode.STORE_FULL
