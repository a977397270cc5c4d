"""Frame in, face reading out: detect → landmarks → pose → quality gate → embedding.

This is the only place that chains the pipeline, so the lock runtime, the console,
the enrolment flow and the bench all see faces the same way. The embedding is only
computed when the gate passes (it is the expensive step), and it is kept out of every
repr so that logging a reading never leaks a template (D-PRIV).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smartlock.face.align import Landmarks, face_chip, find_landmarks
from smartlock.face.decode import as_frame
from smartlock.face.detect import FaceBox, find_faces
from smartlock.face.embed import embed_face
from smartlock.face.pose import HeadPose, estimate_pose
from smartlock.face.quality import (
    REFERENCE_WIDTH,
    UNLOCK_POLICY,
    QualityMeasure,
    QualityPolicy,
    Refusal,
    explain,
    measure,
    presenting,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FaceReading:
    """One frame's verdict: an embedding with pose and quality, or a refusal reason."""

    refusal: Refusal | None
    quality: QualityMeasure | None = None
    embedding: tuple[float, ...] | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        return self.refusal is None and self.embedding is not None

    @property
    def reason(self) -> str:
        """Human sentence for the refusal ('' when usable)."""
        return explain(self.refusal) if self.refusal else ""


@dataclass(frozen=True, slots=True)
class FaceAnalysis:
    """Everything measured about a frame's main face (internal to the face package)."""

    boxes: list[FaceBox]
    landmarks: Landmarks | None
    pose: HeadPose | None
    quality: QualityMeasure | None
    chip: NDArray[np.uint8] | None = field(default=None, repr=False)


class FaceEngine:
    """Reads faces from RGB frames under one quality policy.

    `detect_min_face_px` (in 640-wide reference pixels) is the smallest face the
    detector looks for; faces smaller than the gate's minimum are refused anyway, so
    the frame is shrunk accordingly and detection stays cheap.
    """

    def __init__(
        self,
        *,
        policy: QualityPolicy = UNLOCK_POLICY,
        detect_min_face_px: float | None = None,
    ) -> None:
        self.policy = policy
        # Look a little below the gate's minimum so a distant face is told "come closer"
        # rather than "no face"; smaller faces are people further back, ignored.
        self.detect_min_face_px = detect_min_face_px or 0.75 * policy.min_face_px

    def analyse(self, frame: NDArray[np.uint8]) -> FaceAnalysis:
        """Detect and measure the presenting face without computing its embedding."""
        frame = as_frame(frame)
        height, width = frame.shape[:2]
        min_px = self.detect_min_face_px * width / REFERENCE_WIDTH
        boxes = [b for b in find_faces(frame) if b.width >= min_px]
        if not boxes:
            return FaceAnalysis(boxes=[], landmarks=None, pose=None, quality=None)
        front = presenting(boxes, (width, height))
        landmarks = find_landmarks(frame, front.subject)
        chip = face_chip(frame, landmarks)
        pose = estimate_pose(landmarks)
        quality = measure((width, height), len(boxes), front, landmarks, chip, pose)
        return FaceAnalysis(boxes, landmarks, pose, quality, chip)

    def read(self, frame: NDArray[np.uint8]) -> FaceReading:
        """Gate the frame and, if it passes, embed its face."""
        analysis = self.analyse(frame)
        if analysis.quality is None or analysis.chip is None:
            log.debug("face reading: no face")
            return FaceReading(refusal=Refusal.NO_FACE)
        refusal = self.policy.refusal(analysis.quality)
        if refusal is not None:
            log.debug("face reading refused: %s", refusal.value)
            return FaceReading(refusal=refusal, quality=analysis.quality)
        vector = embed_face(analysis.chip)
        log.debug("face reading usable (yaw %.0f, pitch %.0f)", *_angles(analysis.quality))
        return FaceReading(
            refusal=None,
            quality=analysis.quality,
            embedding=tuple(float(v) for v in vector),
        )


def _angles(q: QualityMeasure) -> tuple[float, float]:
    return q.yaw, q.pitch
