"""The quality gate refuses frames a lock should not decide on, and says why."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from smartlock.face.decode import load_image
from smartlock.face.engine import FaceEngine
from smartlock.face.quality import Refusal


def test_two_people_refused_one_person_at_a_time(camera: Path) -> None:
    reading = FaceEngine().read(load_image(camera / "two_people.jpg"))
    assert reading.refusal is Refusal.TWO_FACES
    assert "one person" in reading.reason
    assert reading.embedding is None


def test_partial_face_refused(camera: Path) -> None:
    for name in ("obama_partial_face.jpg", "obama_partial_face2.jpg"):
        reading = FaceEngine().read(load_image(camera / "test_images" / name))
        assert reading.refusal is Refusal.PARTIAL, name
        assert "not wholly in view" in reading.reason


def test_tiny_face_far_from_the_door_is_told_to_come_closer(camera: Path) -> None:
    face = load_image(camera / "obama.jpg")  # face 256 px wide in a 910 px photo
    # In a 1080p frame a 210 px face is 70 px at the 640 px reference: beyond arm's length.
    small = cv2.resize(face, (746, 932), interpolation=cv2.INTER_AREA)
    frame = np.full((1080, 1920, 3), 128, dtype=np.uint8)
    frame[74:1006, 587:1333] = small
    reading = FaceEngine().read(frame)
    assert reading.refusal is Refusal.TOO_FAR, reading
    assert "closer" in reading.reason


def test_no_face_in_a_blank_frame() -> None:
    reading = FaceEngine().read(np.full((480, 640, 3), 90, dtype=np.uint8))
    assert reading.refusal is Refusal.NO_FACE and reading.quality is None


def test_blurred_face_refused(camera: Path) -> None:
    frame = load_image(camera / "obama-720p.jpg")
    assert FaceEngine().read(frame).usable
    blurred = cv2.GaussianBlur(frame, (0, 0), 6)
    reading = FaceEngine().read(blurred)
    assert reading.refusal in (Refusal.BLURRY, Refusal.NO_FACE)
    assert not reading.usable


def test_dark_and_overexposed_faces_refused(camera: Path) -> None:
    frame = load_image(camera / "obama-720p.jpg").astype(np.float32)
    dark = FaceEngine().read((frame * 0.22).astype(np.uint8))
    bright = FaceEngine().read(np.clip(frame * 1.9 + 60, 0, 255).astype(np.uint8))
    assert dark.refusal in (Refusal.TOO_DARK, Refusal.NO_FACE), dark
    assert bright.refusal in (Refusal.TOO_BRIGHT, Refusal.NO_FACE), bright


def test_camera_resolutions_from_240p_to_1080p_are_usable(camera: Path) -> None:
    """The same person at arm's length reads at every camera resolution."""
    for res in ("240p", "480p", "720p", "1080p"):
        reading = FaceEngine().read(load_image(camera / f"obama-{res}.jpg"))
        assert reading.usable, (res, reading.reason)
