"""The face engine's errors; each carries an `ErrorCode` and says whose fault it is.

The console, the CLI and the lock core can all explain a refusal from `code` without
parsing messages: the input's fault (a bad file or frame) or the installation's (a
missing model).
"""

from __future__ import annotations

from smartlock.errors import ErrorCode, Fault, SmartlockError


class FaceError(SmartlockError):
    """Root of every error the face engine raises on purpose; `reason` is the message."""

    code = ErrorCode.FACE_ERROR

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageError(FaceError):
    """The caller gave bytes or a file that is not a usable image (input's fault)."""

    code = ErrorCode.BAD_IMAGE
    fault = Fault.CALLER

    def __init__(self, reason: str, *, kind: str = "bad_image") -> None:
        super().__init__(reason)
        self.kind = kind  # e.g. "corrupt", "empty", "too_large", "not_an_image"


class ModelMissingError(FaceError):
    """The packaged model files are not installed (installation's fault)."""

    code = ErrorCode.MODEL_MISSING


class EnrolmentError(FaceError):
    """An enrolment could not be completed; `reason` is what the lock announces."""

    code = ErrorCode.ENROLMENT_FAILED
    fault = Fault.CALLER  # the photos or poses given do not make a usable face
