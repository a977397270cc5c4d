"""Pictures that leave the lock have every face masked (A-LIVE under D-PRIV)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smartlock.face.decode import load_image
from smartlock.face.detect import detect_faces
from smartlock.face.errors import ImageError
from smartlock.face.snapshot import MAX_JPEG_BYTES, OUT_SIZE, masked_snapshot
from smartlock.link.schemas import MAX_SNAPSHOT_JPEG

from .conftest import frame_of, photos


def _no_face_left(jpeg: bytes) -> np.ndarray:
    assert jpeg[:2] == b"\xff\xd8"
    assert len(jpeg) <= MAX_JPEG_BYTES
    back = load_image(jpeg)
    assert back.shape[1] <= OUT_SIZE[0] and back.shape[0] <= OUT_SIZE[1]
    assert detect_faces(back, upsample=1) == []
    return back


@pytest.mark.parametrize("name", ["obama.jpg", "two_people.jpg", "obama-1080p.jpg", "biden.jpg"])
def test_camera_photos_leave_the_lock_without_a_face_A_LIVE_D_PRIV(camera: Path, name: str) -> None:
    frame = load_image(camera / name)
    assert detect_faces(frame, upsample=1)  # there is a face to hide
    _no_face_left(masked_snapshot(frame))


def test_lfw_photos_in_a_camera_frame_are_masked_D_PRIV(lfw: Path) -> None:
    for path in photos(lfw, "Aaron_Sorkin", 2) + photos(lfw, "Abdel_Aziz_Al-Hakim", 1):
        frame = frame_of(path)
        assert detect_faces(frame, upsample=1), path
        _no_face_left(masked_snapshot(frame))
    for path in photos(lfw, "AJ_Cook", 1) + photos(lfw, "Aaron_Pena", 1):
        _no_face_left(masked_snapshot(load_image(path)))  # the bare 250×250 photo too


def test_a_frame_without_faces_is_still_a_picture_A_LIVE() -> None:
    rng = np.random.default_rng(7)
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:, :320] = (40, 90, 160)  # a door and a wall
    frame[300:420, 400:520] = (150, 110, 60)  # a parcel
    frame += rng.integers(0, 12, frame.shape, dtype=np.uint8)
    back = _no_face_left(masked_snapshot(frame))
    assert back.shape[:2] == (240, 320)
    # The picture is the scene, not a blank: the parcel is still where it was.
    assert abs(int(back[180, 230, 0]) - 150) < 30 and abs(int(back[100, 50, 2]) - 160) < 30


def test_the_budget_fits_the_link_and_is_kept_even_for_noise_A_LIVE() -> None:
    assert MAX_JPEG_BYTES == MAX_SNAPSHOT_JPEG
    noise = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    jpeg = masked_snapshot(noise)  # the worst case for JPEG: quality, then size, go down
    assert len(jpeg) <= MAX_JPEG_BYTES
    assert len(masked_snapshot(noise, max_bytes=3000)) <= 3000


@pytest.mark.parametrize(
    "frame",
    [
        np.zeros((4, 4, 3), np.uint8),  # too small
        np.zeros((480, 640, 5), np.uint8),  # not RGB
        np.zeros((480,), np.uint8),  # not an image
        "not a frame",
        None,
    ],
)
def test_odd_frames_are_refused_clearly(frame: object) -> None:
    with pytest.raises(ImageError):
        masked_snapshot(frame)


def test_corrupt_bytes_are_refused_clearly(camera: Path) -> None:
    data = (camera / "obama.jpg").read_bytes()
    with pytest.raises(ImageError):
        masked_snapshot(load_image(data[: len(data) // 3] + b"\x00" * 10))
