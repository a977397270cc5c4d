"""One exception root for the face engine; each error carries a machine-readable code.

The console, the CLI and the lock core can all explain a refusal from `code` without
parsing messages, and every error says whose fault it is: the input (a bad file or
frame) or the installation (a missing model).
"""

from __future__ import annotations


class FaceError(Exception):
    """Root of every error the face engine raises on purpose."""

    code = "face_error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageError(FaceError):
    """The caller gave bytes or a file that is not a usable image (input's fault)."""

    code = "bad_image"

    def __init__(self, reason: str, *, kind: str = "bad_image") -> None:
        super().__init__(reason)
        self.kind = kind  # e.g. "corrupt", "empty", "too_large", "not_an_image"


class ModelMissingError(FaceError):
    """The packaged model files are not installed (installation's fault)."""

    code = "model_missing"


class EnrolmentError(FaceError):
    """An enrolment could not be completed; `reason` is what the lock announces."""

    code = "enrolment_failed"
