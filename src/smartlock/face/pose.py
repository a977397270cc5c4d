"""Head pose (yaw, pitch) from the 5 landmarks, good enough to guide enrolment.

Five points cannot give a precise 3-D pose, but the nose base moves sideways when the
head turns and towards the eye line when it is raised, which is what the enrolment
prompts ("turn slightly right", "raise head slightly") need. Angles are in degrees:
yaw > 0 means the person turned to *their* right (unmirrored camera), pitch > 0
means the head is raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from smartlock.face.align import Landmarks

# Face geometry in units of the distance between the eye centres (average adult):
# how far the nose base sits in front of and below the eye line.
NOSE_DEPTH = 0.45
NOSE_DROP = 0.79  # puts the median LFW face (mostly frontal) at pitch 0


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Estimated head rotation in degrees, and the in-plane roll for information."""

    yaw: float
    pitch: float
    roll: float


def estimate_pose(landmarks: Landmarks) -> HeadPose:
    """Yaw and pitch from eye corners and nose base (rotation-normalised)."""
    p = landmarks.points
    right_eye = ((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2)  # image right
    left_eye = ((p[2][0] + p[3][0]) / 2, (p[2][1] + p[3][1]) / 2)  # image left
    mid = ((right_eye[0] + left_eye[0]) / 2, (right_eye[1] + left_eye[1]) / 2)
    ex, ey = right_eye[0] - left_eye[0], right_eye[1] - left_eye[1]
    eye_dist = math.hypot(ex, ey)
    if eye_dist < 1e-6:
        return HeadPose(yaw=0.0, pitch=0.0, roll=0.0)
    roll = math.atan2(ey, ex)
    # Nose offset from the eye midpoint, in the face's own (de-rolled) axes.
    dx, dy = p[4][0] - mid[0], p[4][1] - mid[1]
    cos_r, sin_r = math.cos(-roll), math.sin(-roll)
    nx = (dx * cos_r - dy * sin_r) / eye_dist
    ny = (dx * sin_r + dy * cos_r) / eye_dist
    # Turning right moves the nose towards the image's left: x = depth·tan(yaw).
    yaw = -math.degrees(math.atan2(nx, NOSE_DEPTH))
    # Lowering the head by t: drop·cos t + depth·sin t = ny (solve for t).
    radius = math.hypot(NOSE_DROP, NOSE_DEPTH)
    phase = math.atan2(NOSE_DEPTH, NOSE_DROP)
    down = phase - math.acos(max(-1.0, min(1.0, ny / radius)))
    return HeadPose(yaw=yaw, pitch=-math.degrees(down), roll=math.degrees(roll))
