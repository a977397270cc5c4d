"""Five landmarks and the aligned 150×150 chip the embedding network expects.

The chip geometry (size 150, padding 0.25) is the one dlib's ResNet was trained on;
changing it silently degrades every distance, so it lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartlock.face import models
from smartlock.face.detect import FaceBox

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

CHIP_SIZE = 150
CHIP_PADDING = 0.25


@dataclass(frozen=True, slots=True)
class Landmarks:
    """dlib's 5 points in frame pixels: the two corners of each eye, then the nose base.

    Points 0-1 are the eye on the image's right (the person's left eye in an
    unmirrored camera image), 2-3 the eye on the image's left, 4 the nose base.
    """

    box: FaceBox
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.points) != 5:
            raise ValueError(f"expected 5 landmarks, got {len(self.points)}")

    def inside(self, width: int, height: int) -> bool:
        return all(0 <= x < width and 0 <= y < height for x, y in self.points)


def find_landmarks(frame: NDArray[np.uint8], box: FaceBox) -> Landmarks:
    """Fit the 5-point model inside a detected box."""
    import dlib

    rect = dlib.rectangle(box.left, box.top, box.right - 1, box.bottom - 1)
    shape = models.landmarker()(frame, rect)
    points = tuple((float(p.x), float(p.y)) for p in shape.parts())
    return Landmarks(box=box, points=points)


def face_chip(frame: NDArray[np.uint8], landmarks: Landmarks) -> NDArray[np.uint8]:
    """The aligned, scaled RGB chip for the embedding network."""
    import dlib
    import numpy as np

    box = landmarks.box
    rect = dlib.rectangle(box.left, box.top, box.right - 1, box.bottom - 1)
    parts = [dlib.point(round(x), round(y)) for x, y in landmarks.points]
    shape = dlib.full_object_detection(rect, parts)
    chip = dlib.get_face_chip(frame, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
    return np.asarray(chip, dtype=np.uint8)
