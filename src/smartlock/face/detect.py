"""Find faces in a frame with dlib's HOG detector, scaled for speed.

A face at arm's length in a 640×480 frame is 100-200 px wide, so the lock never
needs dlib's upsampling (which quadruples the work); HOG finds faces of 80 px and up
in the image it is given, and a frame is shrunk before detection when the smallest
face worth finding is larger than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartlock.face import models

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

HOG_WINDOW_PX = 80  # the smallest face dlib's HOG detector sees without upsampling


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A detected face in frame pixels; `score` is the HOG detector's confidence."""

    left: int
    top: int
    right: int
    bottom: int
    score: float

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def inside(self, width: int, height: int, margin: int = 0) -> bool:
        """True when the box (plus `margin`) lies wholly within a width×height frame."""
        return (
            self.left >= margin
            and self.top >= margin
            and self.right <= width - margin
            and self.bottom <= height - margin
        )


def detect_faces(
    frame: NDArray[np.uint8],
    *,
    min_face_px: int = HOG_WINDOW_PX,
    upsample: int = 0,
    min_score: float = 0.0,
) -> list[FaceBox]:
    """Faces in an RGB frame, largest first, in the frame's own pixel coordinates.

    `min_face_px` is the smallest face (in frame pixels) the caller cares about: the
    frame is shrunk so that such a face just fills the detector window, which makes
    detection cheaper on high-resolution frames.
    """
    import cv2

    scale = 1.0
    if upsample == 0 and min_face_px > HOG_WINDOW_PX:
        scale = HOG_WINDOW_PX / min_face_px
    small: NDArray[np.generic] = frame
    if scale < 1.0:
        size = (max(1, round(frame.shape[1] * scale)), max(1, round(frame.shape[0] * scale)))
        small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    rects, scores, _ = models.detector().run(small, upsample, min_score)
    boxes = [
        FaceBox(
            left=round(r.left() / scale),
            top=round(r.top() / scale),
            right=round((r.right() + 1) / scale),
            bottom=round((r.bottom() + 1) / scale),
            score=float(s),
        )
        for r, s in zip(rects, scores, strict=True)
    ]
    return sorted(boxes, key=lambda b: b.width * b.height, reverse=True)
