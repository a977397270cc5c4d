"""Video files (e.g. mp4) as a source of camera frames, through OpenCV.

The virtual camera and the bench feed recorded clips to the same engine as live
frames; OpenCV hands out BGR, the engine wants RGB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from smartlock.face.errors import ImageError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"}


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def video_frames(path: Path, *, every: int = 1) -> Iterator[tuple[int, NDArray[np.uint8]]]:
    """Yield (frame index, RGB frame) for every `every`-th frame of a video file."""
    import cv2
    import numpy as np

    if every < 1:
        raise ValueError("every must be ≥ 1")
    if not path.is_file():
        raise ImageError(f"no such video file: {path}", kind="missing")
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise ImageError(f"cannot open video {path}", kind="not_a_video")
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            if index % every == 0:
                rgb = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                yield index, rgb
            index += 1
        if index == 0:
            raise ImageError(f"video {path} holds no readable frame", kind="corrupt")
    finally:
        capture.release()
