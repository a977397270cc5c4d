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


def _paste(frame: np.ndarray, photo: np.ndarray, cx: float, cy: float, scale: float, angle: float):
    """Paste an LFW photo turned and scaled; returns its eyes-to-mouth corners in the frame."""
    import cv2

    h, w = photo.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[0, 2] += cx - w / 2
    m[1, 2] += cy - h / 2
    size = (frame.shape[1], frame.shape[0])
    inside = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, size) > 127
    frame[inside] = cv2.warpAffine(photo, m, size)[inside]
    corners = np.array([[85, 85, 1], [165, 85, 1], [165, 165, 1], [85, 165, 1]], float)
    return corners @ m.T


def _covered(corners: np.ndarray, regions: list[tuple[int, int, int, int]]) -> bool:
    (x0, y0), (x1, y1) = corners.min(0), corners.max(0)
    return any(lt <= x0 and t <= y0 and r >= x1 and b >= y1 for lt, t, r, b in regions)


def test_turned_small_and_grouped_faces_are_all_masked_D_PRIV(lfw: Path) -> None:
    """±30° heads, a face far away and three people: every face inside a masked area,
    and dlib's HOG detector (not the one that masks) finds no face in the result."""
    from smartlock.face.snapshot import mask_faces, mask_regions

    people = ["Aaron_Sorkin", "AJ_Cook", "Abdel_Aziz_Al-Hakim"]
    shots = [load_image(photos(lfw, name, 1)[0]) for name in people]
    scenes = [
        [(shots[0], 320, 240, 1.0, 30.0)],
        [(shots[1], 320, 240, 1.0, -30.0)],
        [(shots[2], 150, 330, 0.38, 0.0)],  # a face ≈ 30 px wide: someone far away
        [(s, x, 240, 0.8, 0.0) for s, x in zip(shots, (110, 320, 530), strict=True)],
    ]
    for scene in scenes:
        frame = np.full((480, 640, 3), 128, np.uint8)
        faces = [_paste(frame, *spec) for spec in scene]
        regions = mask_regions(frame)
        assert all(_covered(face, regions) for face in faces), scene
        assert detect_faces(mask_faces(frame), upsample=1, min_score=-0.5) == []
        _no_face_left(masked_snapshot(frame))


def test_the_mask_leaves_the_figure_visible_A_LIVE(lfw: Path) -> None:
    """The owner still sees who is at the door as a figure: one face masks a patch,
    not the picture."""
    from smartlock.face.snapshot import mask_regions

    frame = frame_of(photos(lfw, "Aaron_Sorkin", 1)[0])
    regions = mask_regions(frame)
    area = np.zeros(frame.shape[:2], bool)
    for left, top, right, bottom in regions:
        area[top:bottom, left:right] = True
    assert 0.05 < area.mean() < 0.4
