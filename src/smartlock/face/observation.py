"""Turn a face reading into exactly the input the lock core consumes.

The core (`smartlock.device.inputs`) takes `FaceSeen` (embedding, yaw, pitch, quality
0..1, near, still, pose) or `NoFace`. Only frames that passed the quality gate reach
the core with an embedding: a refused frame becomes `NoFace`, and its reason stays
with the runtime for the voice prompt ("come closer").
"""

from __future__ import annotations

from smartlock.device.inputs import FaceSeen, NoFace
from smartlock.device.vocab import Pose
from smartlock.face.engine import FaceReading
from smartlock.face.enrol import POSE_RANGES
from smartlock.face.quality import UNLOCK_POLICY, QualityMeasure, QualityPolicy


def to_input(reading: FaceReading, *, still: bool = True) -> FaceSeen | NoFace:
    """The core input for one reading; `still` comes from the runtime's frame history."""
    if not reading.usable or reading.embedding is None or reading.quality is None:
        return NoFace()
    q = reading.quality
    return FaceSeen(
        embedding=reading.embedding,
        yaw=q.yaw,
        pitch=q.pitch,
        quality=quality_score(q),
        near=True,  # the gate refused any face not at arm's length
        still=still,
        pose=classify_pose(q.yaw, q.pitch),
    )


def quality_score(q: QualityMeasure, policy: QualityPolicy = UNLOCK_POLICY) -> float:
    """Headroom above the gate in 0..1: 0 = just at a limit, 1 = comfortably clear."""
    parts = (
        q.sharpness / (2.0 * policy.min_sharpness) if policy.min_sharpness else 1.0,
        1.0 - abs(q.yaw) / (2.0 * policy.max_yaw) if policy.max_yaw else 1.0,
        1.0 - abs(q.pitch) / (2.0 * policy.max_pitch) if policy.max_pitch else 1.0,
        q.score / 2.0,
    )
    return max(0.0, min(1.0, *parts))


def classify_pose(yaw: float, pitch: float) -> Pose | None:
    """The enrolment pose these angles show (absolute pitch), or None if ambiguous."""
    matches = [pose for pose, rng in POSE_RANGES.items() if rng.holds(yaw, pitch)]
    return matches[0] if len(matches) == 1 else None
