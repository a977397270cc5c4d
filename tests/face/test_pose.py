"""Head pose from the 5 landmarks orders enrolment poses sensibly (D-FACE-ENROL)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from smartlock.face.align import Landmarks
from smartlock.face.decode import load_image
from smartlock.face.detect import FaceBox
from smartlock.face.engine import FaceEngine
from smartlock.face.pose import NOSE_DROP, estimate_pose


def _pose(frame: np.ndarray) -> tuple[float, float]:
    quality = FaceEngine().analyse(frame).quality
    assert quality is not None
    return quality.yaw, quality.pitch


def test_mirrored_photo_turns_the_other_way(camera: Path) -> None:
    frame = load_image(camera / "obama2.jpg")  # head visibly turned
    yaw, pitch = _pose(frame)
    mirror_yaw, mirror_pitch = _pose(np.ascontiguousarray(frame[:, ::-1]))
    assert abs(yaw) > 8
    assert np.sign(yaw) == -np.sign(mirror_yaw)
    assert abs(yaw + mirror_yaw) < 5 and abs(pitch - mirror_pitch) < 5


def test_front_photo_is_frontal(camera: Path) -> None:
    yaw, pitch = _pose(load_image(camera / "obama.jpg"))
    assert abs(yaw) < 8 and abs(pitch) < 15


def _landmarks(nose_dx: float, nose_dy: float) -> Landmarks:
    """A face 60 px between eye centres; the nose offset models a head rotation."""
    box = FaceBox(100, 100, 260, 260, 1.0)
    eyes = ((230.0, 150.0), (200.0, 150.0), (140.0, 150.0), (170.0, 150.0))
    return Landmarks(box, (*eyes, (185.0 + nose_dx, 150.0 + 60 * NOSE_DROP + nose_dy)))


def test_pose_order_front_right_up_left_down() -> None:
    """Nose moves left in the image when the person turns right; up when they look up."""
    front = estimate_pose(_landmarks(0, 0))
    right = estimate_pose(_landmarks(-12, 0))
    left = estimate_pose(_landmarks(12, 0))
    up = estimate_pose(_landmarks(0, -12))
    down = estimate_pose(_landmarks(0, 10))
    assert abs(front.yaw) < 1 and abs(front.pitch) < 1
    assert right.yaw > 15 > front.yaw > -15 > left.yaw
    assert up.pitch > 10 > front.pitch > -10 > down.pitch
    assert abs(up.yaw) < 1 and abs(right.pitch) < 3


def test_roll_does_not_fake_a_turn() -> None:
    """A tilted (rolled) but frontal head reads as frontal."""
    base = _landmarks(0, 0)
    angle = np.radians(20)
    c, s = np.cos(angle), np.sin(angle)
    rolled = tuple(
        (185 + (x - 185) * c - (y - 170) * s, 170 + (x - 185) * s + (y - 170) * c)
        for x, y in base.points
    )
    pose = estimate_pose(Landmarks(base.box, rolled))
    assert abs(pose.yaw) < 1 and abs(pose.pitch) < 1 and abs(pose.roll - 20) < 1
