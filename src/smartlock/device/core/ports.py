"""The one port the core reaches through for face matching.

The core never computes embeddings; it receives an observation (an embedding with
pose and quality) and asks a matcher which enrolled user it belongs to. The real
matcher (`smartlock.face.matching`) implements the decision policy; tests may use a
simple one over synthetic embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

from smartlock.vocab import Sensitivity


@dataclass(frozen=True, slots=True)
class FaceTemplate:
    """One enrolled embedding of a user's face (stays on the lock: D-PRIV)."""

    user_no: int
    embedding: tuple[float, ...] = field(repr=False)  # never printed into a log (D-PRIV)
    pose: str = "front"
    duress: bool = False


Embedding: TypeAlias = Sequence[float]  # one face embedding, as any matcher takes it
Templates: TypeAlias = Sequence[FaceTemplate]  # the gallery a matcher searches


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """The matcher's verdict for one observation."""

    user_no: int
    distance: float
    duress: bool = False


class FaceMatcher(Protocol):
    """1:N identification over the lock's gallery (up to 50 users x 20 templates)."""

    def identify(
        self, embedding: Embedding, templates: Templates, sensitivity: Sensitivity
    ) -> FaceMatch | None:
        """Return the matched user, or None when no user is close enough."""
        ...

    def duplicate_of(self, embedding: Embedding, templates: Templates) -> int | None:
        """Return the user number whose face this already is (D-USER-5), if any."""
        ...


@dataclass(frozen=True, slots=True)
class OfflineVerdict:
    """What an offline-code checker says about an exactly typed entry (A-TEMP).

    The core refuses a `one_time` code whose `code_id` it has already accepted (it
    keeps used ids in its durable state), so the checker itself can stay stateless.
    """

    valid: bool
    code_id: str = ""
    one_time: bool = False
    reason: str = ""


class OfflineCodeChecker(Protocol):
    """Checks a code the cloud computed for this lock, without the network."""

    def check(self, digits: str, now: float) -> OfflineVerdict:
        """Judge `digits` at wall-clock time `now` (epoch seconds)."""
        ...
