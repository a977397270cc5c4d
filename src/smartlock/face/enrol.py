"""Enrolment: five guided poses (D-FACE-ENROL), or a handful of photos.

Live enrolment walks through front, slightly right, slightly up, slightly left and
slightly down. A pose counts once the face is usable, within the pose's angle range
and held still over `steady_frames` frames; pitch is judged relative to the person's
own front pose because the nose-to-eyes ratio differs between people. Each accepted
frame gives one template, the flip-averaged embedding the lock also reads at the door
(what the bench measures is exactly what is stored).
Timing out is the lock core's business (it owns the clock); it calls `reason` to
announce why the pose was not accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartlock.device.core.ports import FaceTemplate
from smartlock.face.engine import FaceEngine, FaceReading
from smartlock.face.errors import EnrolmentError
from smartlock.face.quality import ENROL_POLICY, Refusal, explain
from smartlock.vocab import Pose

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MAX_TEMPLATES = 20  # per user (D-USER-3)


@dataclass(frozen=True, slots=True)
class PoseRange:
    """Accepted yaw and (front-relative) pitch for one prompt, in degrees."""

    yaw: tuple[float, float]
    pitch: tuple[float, float]

    def holds(self, yaw: float, pitch: float) -> bool:
        return self.yaw[0] <= yaw <= self.yaw[1] and self.pitch[0] <= pitch <= self.pitch[1]


POSE_RANGES: dict[Pose, PoseRange] = {
    Pose.FRONT: PoseRange(yaw=(-12, 12), pitch=(-15, 15)),
    Pose.RIGHT: PoseRange(yaw=(8, 40), pitch=(-15, 15)),
    Pose.UP: PoseRange(yaw=(-15, 15), pitch=(5, 35)),
    Pose.LEFT: PoseRange(yaw=(-40, -8), pitch=(-15, 15)),
    Pose.DOWN: PoseRange(yaw=(-15, 15), pitch=(-35, -5)),
}
STEADY_DEGREES = 6.0


@dataclass(frozen=True, slots=True)
class PoseFeedback:
    """What one frame did: captured a pose, or why not (`reason` is announceable)."""

    captured: Pose | None
    reason: str = ""


class PoseEnrolment:
    """Guides one user's face enrolment across camera frames."""

    def __init__(
        self,
        user_no: int,
        *,
        engine: FaceEngine | None = None,
        steady_frames: int = 2,
        duress: bool = False,
    ) -> None:
        self.user_no = user_no
        self.duress = duress
        self.engine = engine or FaceEngine(policy=ENROL_POLICY)
        self.steady_frames = steady_frames
        self._templates: list[FaceTemplate] = []
        self._front_pitch: float | None = None
        self._held: list[tuple[float, float]] = []
        self._pending = list(Pose)

    @property
    def expected(self) -> Pose | None:
        """The pose to prompt for next, or None when enrolment is complete."""
        return self._pending[0] if self._pending else None

    @property
    def done(self) -> bool:
        return not self._pending

    def offer(self, frame: NDArray[np.uint8]) -> PoseFeedback:
        """Feed one camera frame."""
        if self.done:
            return PoseFeedback(captured=None, reason="already enrolled")
        return self._consider(self.engine.read(frame))

    def templates(self) -> list[FaceTemplate]:
        """The finished templates (one per pose); refuses an unfinished enrolment."""
        if not self.done:
            raise EnrolmentError(f"enrolment not finished: still waiting for '{self.expected}'")
        return list(self._templates)

    def _consider(self, reading: FaceReading) -> PoseFeedback:
        pose = self.expected
        assert pose is not None
        if not reading.usable or reading.quality is None:
            self._held.clear()
            return PoseFeedback(captured=None, reason=reading.reason or explain(Refusal.NO_FACE))
        q = reading.quality
        pitch = q.pitch - (self._front_pitch or 0.0)
        if not POSE_RANGES[pose].holds(q.yaw, pitch):
            self._held.clear()
            return PoseFeedback(captured=None, reason=f"not yet {pose.value}: {_hint(pose)}")
        if (
            self._held
            and max(abs(q.yaw - y) + abs(q.pitch - p) for y, p in self._held) > STEADY_DEGREES
        ):
            self._held.clear()
        self._held.append((q.yaw, q.pitch))
        if len(self._held) < self.steady_frames:
            return PoseFeedback(captured=None, reason="hold still")
        self._held.clear()
        if pose is Pose.FRONT:
            self._front_pitch = q.pitch
        assert reading.embedding is not None  # usable
        self._templates.append(
            FaceTemplate(
                user_no=self.user_no,
                embedding=reading.embedding,
                pose=pose.value,
                duress=self.duress,
            )
        )
        self._pending.pop(0)
        return PoseFeedback(captured=pose)


def _hint(pose: Pose) -> str:
    return {
        Pose.FRONT: "look straight at the camera",
        Pose.RIGHT: "turn your head slightly right",
        Pose.UP: "raise your head slightly",
        Pose.LEFT: "turn your head slightly left",
        Pose.DOWN: "lower your head slightly",
    }[pose]


def templates_from_photos(
    user_no: int,
    frames: Sequence[NDArray[np.uint8]],
    *,
    engine: FaceEngine | None = None,
    duress: bool = False,
) -> list[FaceTemplate]:
    """Templates from still photos (console, tests): every photo must hold one usable face.

    A refused photo fails the whole enrolment with its reason and index, so nothing
    half-enrolled is ever stored.
    """
    engine = engine or FaceEngine(policy=ENROL_POLICY)
    if not frames:
        raise EnrolmentError("no photos given")
    if len(frames) > MAX_TEMPLATES:
        raise EnrolmentError(f"at most {MAX_TEMPLATES} photos per user")
    templates: list[FaceTemplate] = []
    for index, frame in enumerate(frames):
        reading = engine.read(frame)
        if not reading.usable or reading.embedding is None:
            raise EnrolmentError(f"photo {index + 1}: {reading.reason}")
        templates.append(
            FaceTemplate(
                user_no=user_no, embedding=reading.embedding, pose=Pose.FRONT.value, duress=duress
            )
        )
    return templates
