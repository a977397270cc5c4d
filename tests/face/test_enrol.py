"""Guided five-pose enrolment with real photos of one person (D-FACE-ENROL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartlock.face.engine import FaceEngine
from smartlock.face.enrol import PoseEnrolment
from smartlock.face.errors import EnrolmentError
from smartlock.face.matching import GalleryMatcher
from smartlock.vocab import Pose, Sensitivity

from .conftest import frame_of

# Photos of one person checked by eye: straight, turned to his right, head raised,
# turned to his left, head lowered.
POSE_PHOTOS = {
    Pose.FRONT: "Hugo_Chavez_0011.jpg",
    Pose.RIGHT: "Hugo_Chavez_0006.jpg",
    Pose.UP: "Hugo_Chavez_0039.jpg",
    Pose.LEFT: "Hugo_Chavez_0049.jpg",
    Pose.DOWN: "Hugo_Chavez_0063.jpg",
}


def _frame(lfw: Path, pose: Pose):
    return frame_of(lfw / "Hugo_Chavez" / POSE_PHOTOS[pose])


def test_pose_estimates_order_the_five_photos(lfw: Path) -> None:
    engine = FaceEngine()
    q = {pose: engine.analyse(_frame(lfw, pose)).quality for pose in Pose}
    assert all(v is not None for v in q.values())
    yaw = {p: v.yaw for p, v in q.items() if v}
    pitch = {p: v.pitch for p, v in q.items() if v}
    assert yaw[Pose.RIGHT] > yaw[Pose.FRONT] + 10 > yaw[Pose.LEFT] + 20
    assert pitch[Pose.UP] > pitch[Pose.FRONT] + 10 > pitch[Pose.DOWN] + 20


def test_five_poses_enrol_in_order_then_unlock(lfw: Path) -> None:
    enrol = PoseEnrolment(user_no=4)
    assert enrol.expected is Pose.FRONT
    wrong = enrol.offer(_frame(lfw, Pose.LEFT))
    assert wrong.captured is None and "look straight" in wrong.reason
    for pose in Pose:
        frame = _frame(lfw, pose)
        first = enrol.offer(frame)
        assert first.captured is None and first.reason == "hold still"  # not yet steady
        assert enrol.offer(frame).captured is pose
    assert enrol.done and enrol.expected is None
    templates = enrol.templates()
    assert [t.pose for t in templates] == [p.value for p in Pose]  # one template a pose
    assert len(templates) == 5 and {t.user_no for t in templates} == {4}
    probe = FaceEngine().read(frame_of(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg"))
    assert probe.embedding is not None
    match = GalleryMatcher().identify(probe.embedding, templates, Sensitivity.MEDIUM)
    assert match is not None and match.user_no == 4


def test_unfinished_enrolment_gives_no_templates_and_says_why(lfw: Path, camera: Path) -> None:
    from smartlock.face.decode import load_image

    enrol = PoseEnrolment(user_no=2, steady_frames=1)
    assert enrol.offer(_frame(lfw, Pose.FRONT)).captured is Pose.FRONT
    refused = enrol.offer(load_image(camera / "two_people.jpg"))
    assert refused.captured is None and "one person" in refused.reason
    with pytest.raises(EnrolmentError, match="waiting for 'right'"):
        enrol.templates()
