"""D-FACE-ENROL: guide a person through the five poses, one prompt each.

Each pose must be seen (face found, near, within the pose's range, still, good
enough quality) within `STEP_TIMEOUT_S`, or the enrolment fails with the last
reason the lock saw. The duplicate check (D-USER-5) happens on the first pose.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from smartlock.device.core.inputs import FaceSeen
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import Pose

POSES: tuple[Pose, ...] = (Pose.FRONT, Pose.RIGHT, Pose.UP, Pose.LEFT, Pose.DOWN)
POSE_PROMPTS: dict[Pose, PromptId] = {
    Pose.FRONT: PromptId.FACE_FRONT,
    Pose.RIGHT: PromptId.FACE_RIGHT,
    Pose.UP: PromptId.FACE_UP,
    Pose.LEFT: PromptId.FACE_LEFT,
    Pose.DOWN: PromptId.FACE_DOWN,
}
STEP_TIMEOUT_S = 10.0
MIN_QUALITY = 0.5
STRAIGHT_DEG, TURN_MAX_DEG = 10.0, 40.0
CLEAR_DIRECTION = 0.75  # the other axis may be at most this share of the turn


class Problem(enum.StrEnum):
    """Why a pose was not accepted; the last one is the failure reason."""

    NO_FACE = "no_face"
    TWO_FACES = "two_faces"  # one person at a time
    TOO_FAR = "too_far"
    WRONG_POSE = "wrong_pose"
    MOVING = "moving"
    LOW_QUALITY = "low_quality"


def classify(yaw: float, pitch: float) -> Pose | None:
    """The pose a yaw/pitch (degrees) is in, or None when it is none of the five.

    A turn is judged by its dominant axis: people turning "slightly right" also tilt
    their head a little, and a lock that demanded a pure yaw would time out on them.
    """
    if abs(yaw) < STRAIGHT_DEG and abs(pitch) < STRAIGHT_DEG:
        return Pose.FRONT
    major, minor = max(abs(yaw), abs(pitch)), min(abs(yaw), abs(pitch))
    if major > TURN_MAX_DEG or minor > CLEAR_DIRECTION * major:
        return None  # too far, or a diagonal: ask again rather than guess
    if abs(yaw) > abs(pitch):
        return Pose.RIGHT if yaw > 0 else Pose.LEFT
    return Pose.UP if pitch > 0 else Pose.DOWN


@dataclass(slots=True)
class Enrolment:
    user_no: int
    duress: bool
    step_started: float
    step: int = 0
    problem: Problem = Problem.NO_FACE
    captured: list[tuple[tuple[float, ...], str]] = field(default_factory=list)

    @property
    def pose(self) -> Pose:
        return POSES[self.step]

    @property
    def done(self) -> bool:
        return self.step >= len(POSES)

    def check(self, face: FaceSeen) -> Problem | None:
        """Why this observation does not count for the current pose (None: it does)."""
        if not face.near:
            return Problem.TOO_FAR
        if not face.still:
            return Problem.MOVING
        if face.quality < MIN_QUALITY:
            return Problem.LOW_QUALITY
        pose = face.pose if face.pose is not None else classify(face.yaw, face.pitch)
        return None if pose is self.pose else Problem.WRONG_POSE

    def accept(self, face: FaceSeen, now: float) -> None:
        self.captured.append((face.embedding, self.pose.value))
        self.step += 1
        self.step_started = now
        self.problem = Problem.NO_FACE

    def timed_out(self, now: float) -> bool:
        return not self.done and now - self.step_started >= STEP_TIMEOUT_S
