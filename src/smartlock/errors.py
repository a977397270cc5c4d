"""One exception root and one code system for the whole project.

Every error smartlock raises on purpose derives from `SmartlockError` and carries a
`code` (an `ErrorCode`, the one machine-readable vocabulary: the console, the link,
the app and Home Assistant all explain a refusal from it, as python-kasa does with
`DeviceError.error_code`) and a `fault` saying whose fault it is, like h11's
`LocalProtocolError` / `RemoteProtocolError`: the caller's, the peer's, a rule's or
our own. This module imports nothing of the project, so every layer may use it.

The lock's own family: `InputError` is the caller's fault (a malformed input or
command); `Refused` is the lock saying no by a rule; `StoreError` is the durable store
failing.
"""

from __future__ import annotations

import enum


@enum.unique
class ErrorCode(enum.StrEnum):
    """Every code an error, a command result or an API error carries.

    The values are a wire protocol (command results, events, API bodies, the app's
    labels): only ever add a member, never change a value.
    """

    # The lock: command results (device).
    BAD_INPUT = "bad_input"
    UNKNOWN_ACTION = "unknown_action"
    DUPLICATE_REQUEST = "duplicate_request"  # also the link's replayed command
    EXPIRED_REQUEST = "expired_request"  # also the link's expired command
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
    NOT_IN_PAIRING_MODE = "not_in_pairing_mode"  # D-PAIR, as the cloud says it
    BAD_IDENTITY = "bad_identity"  # D-PAIR: serial / verification code mismatch
    NOT_BOUND = "not_bound"
    STORE_FAILED = "store_failed"
    WRONG_CODE = "wrong_code"  # a remote unlock with a code (Home Assistant) that matched nobody
    STORE_FULL = "store_full"  # the disk is full: a change that must be durable is refused
    HA_CONTROL_DISABLED = "ha_control_disabled"  # A-HA: the owner has not allowed HA control
    CODE_REQUIRED = "code_required"  # A-HA / cloud: a user's password is needed to unlock
    HAS_FINGERPRINT = "has_fingerprint"  # D-FINGER-1: delete the old one first
    BUSY = "busy"  # the lock is busy (menu, enrolment) or has too many live commands
    NO_FINGERPRINT_SENSOR = "no_fingerprint_sensor"  # D-FINGER-HW: this model has none
    NO_RESULT = "no_result"  # the lock ran a command and gave no answer to send

    # The link: a message refused before the lock saw it (and the offline codes' verdicts).
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    BAD_SIGNATURE = "bad_signature"  # a command's HMAC or a release's vendor signature
    NOT_YET_VALID = "not_yet_valid"
    PAIRING_FAILED = "pairing_failed"
    EXPIRED = "expired"  # A-TEMP: an offline code past its time
    OUTSIDE_HOURS = "outside_hours"  # A-TEMP: a weekly code on another day or hour
    FORGED = "forged"  # A-TEMP: digits no valid code has
    BAD_PACKET = "bad_packet"  # the fingerprint module's serial bytes

    # Firmware updates (A-OTA): results and events.
    MALFORMED_RELEASE = "malformed_release"
    WRONG_MODEL = "wrong_model"
    DOWNGRADE = "downgrade"
    SAME_VERSION = "same_version"
    FETCH_FAILED = "fetch_failed"
    HASH_MISMATCH = "hash_mismatch"
    UPDATES_NOT_CONFIGURED = "updates_not_configured"
    UPDATE_IN_PROGRESS = "update_in_progress"
    INSTALL_FAILED = "install_failed"
    ROLLED_BACK = "rolled_back"  # D-OTA-ROLLBACK: the result's data says why
    BOOT_FAILED = "boot_failed"  # a boot-control record or slot that cannot be used

    # The face engine and the hardware.
    FACE_ERROR = "face_error"
    BAD_IMAGE = "bad_image"
    MODEL_MISSING = "model_missing"
    ENROLMENT_FAILED = "enrolment_failed"
    SNAPSHOT_REFUSED = "snapshot_refused"
    HARDWARE = "hardware"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    DOOR_HELD = "door_held"

    # The cloud: API error bodies (`ErrorPublic.code`) and command outcomes.
    ERROR = "error"
    BAD_REQUEST = "bad_request"
    NOT_AUTHENTICATED = "not_authenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    BODY_TOO_LARGE = "body_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID_REQUEST = "invalid_request"
    INVALID_VALUE = "invalid_value"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    REFUSED = "refused"
    ACCOUNT_NOT_FOUND = "account_not_found"
    ALREADY_BOUND = "already_bound"
    ALREADY_SHARED = "already_shared"
    BAD_AUTH_HEADER = "bad_auth_header"
    BAD_CHANNEL_URL = "bad_channel_url"
    BAD_CREDENTIALS = "bad_credentials"
    BAD_INVITATION = "bad_invitation"
    BAD_ROLE = "bad_role"
    BAD_TOKEN = "bad_token"  # noqa: S105
    CHANNEL_NOT_FOUND = "channel_not_found"
    CODE_MISMATCH = "code_mismatch"
    CONFIRMATION_FAILED = "confirmation_failed"
    CONFIRMATION_REQUIRED = "confirmation_required"
    CREDENTIAL_NOT_FOUND = "credential_not_found"
    CSRF_FAILED = "csrf_failed"
    DEVICE_NOT_FOUND = "device_not_found"
    EMPTY_CHANGE = "empty_change"
    INSUFFICIENT_ROLE = "insufficient_role"
    INTERNAL_ADDRESS = "internal_address"  # the outbound guard (cloud.netguard)
    INVALID_OFFLINE_CODE = "invalid_offline_code"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_OTHER_EMAIL = "invitation_other_email"
    LOCK_OFFLINE = "lock_offline"
    LOCK_USER_NOT_FOUND = "lock_user_not_found"
    NAIVE_TIME = "naive_time"
    NO_ANSWER = "no_answer"
    NO_LIVE_FRAME = "no_live_frame"
    NO_UPDATE_AVAILABLE = "no_update_available"
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    OFFLINE_CODES_EXHAUSTED = "offline_codes_exhausted"
    RELEASE_EXISTS = "release_exists"
    REQUEST_ID_REUSED = "request_id_reused"
    SCENE_NOT_FOUND = "scene_not_found"
    SESSION_EXPIRED = "session_expired"
    SHARE_NOT_FOUND = "share_not_found"
    SNAPSHOT_NOT_FOUND = "snapshot_not_found"
    TEMP_PASSWORD_NOT_FOUND = "temp_password_not_found"  # noqa: S105
    TEMP_PASSWORD_REVOKED = "temp_password_revoked"  # noqa: S105
    VENDOR_KEY_MISSING = "vendor_key_missing"
    VERSION_CONFLICT = "version_conflict"
    WEAK_PASSWORD = "weak_password"  # noqa: S105
    BROKER_UNAVAILABLE = "broker_unavailable"
    BROKER_RELOAD_FAILED = "broker_reload_failed"
    HALF_MADE_DATABASE = "half_made_database"
    ACTION_FAILED = "action_failed"  # a scene's action the lock did not carry out

    @classmethod
    def parse(cls, text: str | None, default: ErrorCode) -> ErrorCode:
        """The member named by `text` (a peer's word), or `default` for one we never send."""
        try:
            return default if text is None else cls(text)
        except ValueError:
            return default


class Fault(enum.StrEnum):
    """Whose fault an error is: who has to act to make it go away."""

    CALLER = "caller"  # whoever called us gave a bad input (h11's LocalProtocolError)
    PEER = "peer"  # the other end of a connection sent bad data (RemoteProtocolError)
    RULE = "rule"  # a well-formed request that a rule refuses
    OURS = "ours"  # our own storage, hardware or installation failed


class SmartlockError(Exception):
    """Root of every error smartlock raises on purpose; `code` says what, `fault` who."""

    code: ErrorCode = ErrorCode.ERROR
    fault: Fault = Fault.OURS

    def __init__(self, message: str = "", code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class CodedError(SmartlockError):
    """An error whose text starts with its code: `"<code>: <message>"`."""

    def __str__(self) -> str:
        return f"{self.code.value}: {self.args[0]}"


class LockError(CodedError):
    """Root of every error the lock raises."""

    code = ErrorCode.BAD_INPUT
    fault = Fault.CALLER


class InputError(LockError, ValueError):
    """The caller's fault: an input or command that is malformed (nothing changed)."""

    code = ErrorCode.BAD_INPUT


class Refused(LockError):
    """A well-formed request the lock refuses by one of its rules (nothing changed)."""

    fault = Fault.RULE


class StoreError(LockError):
    """The durable store could not be read or written."""

    code = ErrorCode.STORE_FAILED
    fault = Fault.OURS


class StoreFull(StoreError):
    """The store could not write because the disk is full (SQLITE_FULL, ENOSPC)."""

    code = ErrorCode.STORE_FULL
