"""Find faces in a frame: BlazeFace (CNN) for the lock, dlib's HOG for the baseline.

`find_faces` is what the lock uses (unlock, enrolment, masking): BlazeFace's short-range
model, then the full-range one when the short one sees nothing (a face further away);
its boxes are scaled to dlib's HOG box geometry, so the 5-point landmark model and the
gate's pixel limits see the boxes they were made for. `detect_faces` keeps dlib's HOG
detector: the plain baseline, and the independent check that a masked picture shows
no face (a different detector from the one that masked it).

For HOG: a face at arm's length in a 640×480 frame is 100-200 px wide, so the lock never
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

    from smartlock.face.blazeface import Detection

HOG_WINDOW_PX = 80  # the smallest face dlib's HOG detector sees without upsampling
# A BlazeFace box scaled by `scale` about its centre, moved down by `down` of its width,
# is dlib's HOG box for the same face (medians over 300 tuning-half LFW frames).
BLAZE_TO_HOG = {"short": (0.965, 0.0), "full": (0.936, 0.05)}
MIN_BLAZE_SCORE = 0.5  # mediapipe's own threshold for the short-range model


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


def find_faces(
    frame: NDArray[np.uint8],
    *,
    min_score: float = MIN_BLAZE_SCORE,
    models_: tuple[str, ...] = ("full",),
    every_model: bool = False,
) -> list[FaceBox]:
    """Faces in an RGB frame (BlazeFace), largest first, as HOG-geometry boxes.

    The models in `models_` are tried in turn until one finds a face (`every_model`:
    all of them, boxes merged). The lock reads faces with the full-range model alone:
    the short-range one misses faces under about a fifth of the frame's width (an
    87 px face in a 640 px frame next to a larger one, tuning half of lfw-dev).
    """
    from smartlock.face.blazeface import blazeface

    found: list[FaceBox] = []
    for kind in models_:
        boxes = [_hog_box(kind, d) for d in blazeface(kind).detect(frame, min_score)]
        found = merge_boxes(found, boxes)
        if found and not every_model:
            break
    return sorted(found, key=lambda b: b.width * b.height, reverse=True)


def _hog_box(kind: str, d: Detection) -> FaceBox:
    scale, down = BLAZE_TO_HOG[kind]
    width = d.right - d.left
    cx, cy = (d.left + d.right) / 2, (d.top + d.bottom) / 2 + down * width
    half_w, half_h = width * scale / 2, (d.bottom - d.top) * scale / 2
    return FaceBox(
        left=round(cx - half_w),
        top=round(cy - half_h),
        right=round(cx + half_w),
        bottom=round(cy + half_h),
        score=d.score,
    )


def merge_boxes(a: list[FaceBox], b: list[FaceBox], iou_limit: float = 0.3) -> list[FaceBox]:
    """`a` plus the boxes of `b` that overlap none of `a` (IoU ≤ `iou_limit`)."""
    out = list(a)
    for box in b:
        if all(_iou(box, other) <= iou_limit for other in out):
            out.append(box)
    return out


def _iou(a: FaceBox, b: FaceBox) -> float:
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (a.width * a.height + b.width * b.height - inter)
