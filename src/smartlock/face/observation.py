"""Turn a face reading into exactly the input the lock core consumes.

The core (`smartlock.device.core.inputs`) takes `FaceSeen` (embedding, yaw, pitch, quality
0..1, near, still, pose) or `NoFace`. Only frames that passed the quality gate reach
the core with an embedding: a refused frame becomes `NoFace` with the refusal's
reason, which the core turns into a voice prompt ("one person at a time"). The pose
tag is left to the core's own classifier of yaw/pitch.
"""

from __future__ import annotations

from smartlock.device.core.inputs import FaceSeen, NoFace
from smartlock.face.engine import FaceReading
from smartlock.face.quality import UNLOCK_POLICY, QualityMeasure, QualityPolicy
from smartlock.vocab import FaceRefusal


def to_input(reading: FaceReading, *, still: bool = True) -> FaceSeen | NoFace:
    """The core input for one reading; `still` comes from the runtime's frame history."""
    if not reading.usable or reading.embedding is None or reading.quality is None:
        refusal = reading.refusal
        return NoFace(None if refusal in (None, FaceRefusal.NO_FACE) else refusal)
    q = reading.quality
    return FaceSeen(
        embedding=reading.embedding,
        yaw=q.yaw,
        pitch=q.pitch,
        quality=quality_score(q),
        near=True,  # the gate refused any face not at arm's length
        still=still,
        pose=None,  # the core classifies yaw/pitch with its own prompt ranges
    )


def quality_score(q: QualityMeasure, policy: QualityPolicy = UNLOCK_POLICY) -> float:
    """0.5 = just at one of the gate's limits, 1.0 = comfortably clear of all of them.

    Every frame that passed the gate scores ≥ 0.5, which is what the core's enrolment
    asks for (`smartlock.device.core.enrol.MIN_QUALITY`).
    """
    parts = (
        0.5 * q.sharpness / policy.min_sharpness if policy.min_sharpness > 0 else 1.0,
        1.0 - 0.5 * abs(q.yaw) / policy.max_yaw,
        1.0 - 0.5 * abs(q.pitch) / policy.max_pitch,
        0.5 + 0.5 * (q.score - policy.min_score),
    )
    return max(0.0, min(1.0, *parts))
