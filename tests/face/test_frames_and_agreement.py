"""Video clips as frame sources, and several frames agreeing before an unlock.

Rules proved here (named in the tests' names): D-LOCKOUT.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartlock.device.core.ports import FaceMatch
from smartlock.face.agreement import FrameAgreement
from smartlock.face.engine import FaceEngine
from smartlock.face.errors import ImageError
from smartlock.face.frames import is_video, video_frames


def test_video_clip_frames_are_read_as_rgb(camera: Path) -> None:
    clip = camera / "short_hamilton_clip.mp4"
    assert is_video(clip)
    frames = list(video_frames(clip, every=15))
    assert len(frames) >= 3
    index, frame = frames[0]
    assert index == 0 and frame.ndim == 3 and frame.shape[2] == 3
    readings = [FaceEngine().read(f) for _, f in frames]
    assert any(r.quality is not None for r in readings)  # faces are seen in the clip


def test_bad_video_gives_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"not a video at all" * 10)
    with pytest.raises(ImageError):
        list(video_frames(fake))
    with pytest.raises(ImageError, match="no such video"):
        list(video_frames(tmp_path / "missing.mp4"))


def _m(user: int, d: float = 0.3) -> FaceMatch:
    return FaceMatch(user_no=user, distance=d)


def test_two_agreeing_frames_unlock_one_lucky_frame_does_not_D_LOCKOUT() -> None:
    agree = FrameAgreement(needed=2, window=3)
    assert agree.add(_m(3, 0.40)) is None  # one frame is not enough
    assert agree.add(None) is None
    match = agree.add(_m(3, 0.35))
    assert match is not None and match.user_no == 3 and match.distance == 0.35
    assert not agree.seen_face  # reset after an agreement: one unlock per agreement


def test_disagreeing_users_never_unlock() -> None:
    agree = FrameAgreement(needed=2, window=3)
    assert agree.add(_m(1)) is None
    assert agree.add(_m(2)) is None
    assert agree.add(_m(1)) is None  # user 2 is still in the window
    assert agree.seen_face  # a face was seen: a window ending now is a failed attempt
    with pytest.raises(ValueError):
        FrameAgreement(needed=4, window=3)
