"""Old home of the shared vocabulary, kept for modules not yet moved to `smartlock.vocab`."""

from smartlock.vocab import (
    BoltState,
    CredentialType,
    DoorState,
    EventKind,
    FaceRefusal,
    FingerOp,
    FingerProblem,
    Method,
    Mode,
    Pose,
    Sensitivity,
    Source,
    UserType,
    Volume,
)

__all__ = [
    "BoltState",
    "CredentialType",
    "DoorState",
    "EventKind",
    "FaceRefusal",
    "FingerOp",
    "FingerProblem",
    "Method",
    "Mode",
    "Pose",
    "Sensitivity",
    "Source",
    "UserType",
    "Volume",
]
