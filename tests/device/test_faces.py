"""Face enrolment, face unlock and the watch window (D-FACE-*, D-USER-5, D-LOCKOUT).

Rules proved here (named in the tests' names): D-FACE-ENROL, D-FACE-SENS, D-FACE-WIN.
"""

from __future__ import annotations

import pytest

from smartlock.device.core.effects import FaceWatch
from smartlock.device.core.inputs import DoorSensor, FaceSeen, NoFace, RemoteAction
from smartlock.device.core.prompts import PromptId
from smartlock.errors import InputError
from smartlock.vocab import CredentialType, EventKind, FaceRefusal, Method, Pose

from .rig import MASTER_PIN, Rig, events, face_vec, prompts, unlocks

POSES = [Pose.FRONT, Pose.RIGHT, Pose.UP, Pose.LEFT, Pose.DOWN]


@pytest.fixture
def rig() -> Rig:
    r = Rig()
    r.first_master()
    r.enrol_face(1, "2001#11")  # person 1 is user 001's face
    r.wait(31)
    return r


def test_enrolment_walks_five_poses_with_prompts_D_FACE_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    out = rig.keys("2001#11")
    assert prompts(out)[-1] is PromptId.FACE_FRONT and FaceWatch(True) in out
    said = []
    for pose in POSES:
        said += prompts(rig.feed(FaceSeen(face_vec(1), pose=pose)))
    assert said[:4] == [
        PromptId.FACE_RIGHT,
        PromptId.FACE_UP,
        PromptId.FACE_LEFT,
        PromptId.FACE_DOWN,
    ]
    assert PromptId.FACE_ENROLLED in said
    creds = rig.core.users()[0].credentials
    assert [c.cred_type for c in creds] == [CredentialType.PIN, CredentialType.FACE]
    assert len(rig.core.state.faces[creds[1].cred_id]) == 5


def test_enrolment_classifies_yaw_and_pitch_when_untagged_D_FACE_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#11")
    angles = [(0, 0), (20, 0), (0, 20), (-20, 0), (0, -20)]
    out = []
    for yaw, pitch in angles:
        out += rig.feed(FaceSeen(face_vec(1), yaw=yaw, pitch=pitch))
    assert PromptId.FACE_ENROLLED in prompts(out)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (FaceSeen(face_vec(1), pose=Pose.LEFT), "wrong_pose"),
        (FaceSeen(face_vec(1), pose=Pose.RIGHT, near=False), "too_far"),
        (FaceSeen(face_vec(1), pose=Pose.RIGHT, still=False), "moving"),
        (FaceSeen(face_vec(1), pose=Pose.RIGHT, quality=0.2), "low_quality"),
        (NoFace(), "no_face"),
        (NoFace(FaceRefusal.TWO_FACES), "two_faces"),
        (NoFace(FaceRefusal.TOO_FAR), "too_far"),
    ],
)
def test_enrolment_times_out_with_a_reason_D_FACE_ENROL(
    bad: FaceSeen | NoFace, reason: str
) -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#11")
    rig.feed(FaceSeen(face_vec(1), pose=Pose.FRONT))
    rig.feed(bad)
    out = rig.wait(10)
    failed = [e for e in out if getattr(e, "prompt_id", None) is PromptId.FACE_FAILED]
    assert failed and failed[0].args["reason"] == reason
    assert [c.cred_type for c in rig.core.users()[0].credentials] == [CredentialType.PIN]


def test_face_of_another_user_is_refused_D_USER_5(rig: Rig) -> None:
    rig.menu_login()
    out = rig.keys("121")  # new normal user, face
    out += rig.feed(FaceSeen(face_vec(1, jitter=0.1), pose=Pose.FRONT))
    assert PromptId.FACE_EXISTS in prompts(out)
    assert len(rig.core.users()) == 1


def test_face_unlocks_in_a_watch_window_D_FACE_WIN(rig: Rig) -> None:
    assert unlocks(rig.face(1)) == []  # window closed: the camera is off
    rig.keys("*")
    out = rig.face(1, jitter=0.2)
    [unlock] = unlocks(out)
    assert (unlock.user_no, unlock.method) == (1, Method.FACE)
    assert FaceWatch(False) in out


def test_two_faces_are_refused_with_one_person_at_a_time_once_a_window(rig: Rig) -> None:
    """Issue 3: two faces in frame → refused with a reason the person hears; a refused
    frame is not a failed attempt (D-LOCKOUT counts faces judged, not frames)."""
    two = NoFace(FaceRefusal.TWO_FACES)
    assert prompts(rig.feed(two)) == []  # no window: the camera is off, nothing said
    rig.keys("*")
    assert prompts(rig.feed(two)) == [PromptId.FACE_ONE_PERSON]
    assert prompts(rig.feed(two, two)) == []  # said once per window, not per frame
    assert prompts(rig.feed(NoFace(FaceRefusal.TOO_FAR))) == [PromptId.FACE_COME_CLOSER]
    assert prompts(rig.feed(NoFace(FaceRefusal.TOO_DARK))) == []  # nothing quick to do
    out = rig.wait(31)
    assert events(out, EventKind.UNLOCK_FAILED) == []
    rig.keys("*")  # a new window may say it again
    assert prompts(rig.feed(two)) == [PromptId.FACE_ONE_PERSON]
    [unlock] = unlocks(rig.face(1))  # the person alone in view is then recognised
    assert unlock.user_no == 1


def test_refusal_reason_must_be_a_face_refusal() -> None:
    with pytest.raises(InputError):
        NoFace("two_faces")  # type: ignore[arg-type]


def test_no_face_recognition_while_open_and_2_s_after_close_D_FACE_WIN(rig: Rig) -> None:
    rig.keys(f"{MASTER_PIN}#")
    rig.feed(DoorSensor(True))
    rig.keys("*")
    assert unlocks(rig.face(1)) == []
    rig.feed(DoorSensor(False))
    rig.wait(1)
    assert unlocks(rig.face(1)) == []
    assert FaceWatch(True) in rig.wait(1)
    assert unlocks(rig.face(1))


def test_watch_window_length_is_configurable_5_to_60_D_FACE_WIN(rig: Rig) -> None:
    assert rig.remote(RemoteAction.CHANGE_SETTING, name="watch_window_s", value=5).ok
    assert not rig.remote(RemoteAction.CHANGE_SETTING, name="watch_window_s", value=61).ok
    rig.keys("*")
    assert FaceWatch(False) in rig.wait(5)
    assert unlocks(rig.face(1)) == []


def test_sensitivity_sets_the_threshold_and_face_unlock_can_be_off_D_FACE_SENS(rig: Rig) -> None:
    rig.keys("*")
    rig.remote(RemoteAction.CHANGE_SETTING, name="sensitivity", value="high")
    assert unlocks(rig.face(1, jitter=0.45)) == []
    rig.remote(RemoteAction.CHANGE_SETTING, name="sensitivity", value="low")
    assert unlocks(rig.face(1, jitter=0.45))
    rig.wait(10)
    rig.remote(RemoteAction.CHANGE_SETTING, name="face_unlock", value=False)
    rig.keys("*")
    assert unlocks(rig.face(1)) == []


def test_face_failure_is_one_window_not_one_frame_D_LOCKOUT(rig: Rig) -> None:
    rig.keys("*")
    for _ in range(20):
        rig.face(5)  # a stranger, many frames
    assert not events(rig.history, EventKind.UNLOCK_FAILED)
    out = rig.wait(30)
    assert len(events(out, EventKind.UNLOCK_FAILED)) == 1
    for _ in range(4):
        rig.keys("*")
        rig.face(5)
        rig.wait(30)
    assert rig.core.locked_out
    rig.keys("*")
    assert unlocks(rig.face(1)) == []  # face unlock is locked too
