"""The quality gate: is this frame good enough to decide on, and if not, why not.

A lock that decides on a blurred, half-visible or sideways face produces false
accepts (poor embeddings drift towards an "average face") and useless rejections.
The gate measures each frame and names the first reason to refuse; the reason is
what the lock announces ("move closer", "one person at a time").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartlock.face.align import Landmarks
from smartlock.face.detect import FaceBox
from smartlock.face.pose import HeadPose
from smartlock.vocab import FaceRefusal

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

REFERENCE_WIDTH = 640  # face sizes are judged as if the frame were 640 px wide


# The lock's own list of reasons (one vocabulary: a reason cannot be lost on the way).
Refusal = FaceRefusal

_EXPLANATIONS = {
    Refusal.NO_FACE: "no face found",
    Refusal.TWO_FACES: "more than one face in view: one person at a time",
    Refusal.TOO_FAR: "face too small: come closer (arm's length)",
    Refusal.TOO_CLOSE: "face too large: step back to arm's length",
    Refusal.PARTIAL: "face not wholly in view",
    Refusal.BLURRY: "image too blurred: hold still",
    Refusal.NOT_FRONTAL: "face turned too far: look at the camera",
    Refusal.TOO_DARK: "face too dark",
    Refusal.TOO_BRIGHT: "face over-exposed",
    Refusal.UNCLEAR: "face not clear enough",
}


def explain(refusal: Refusal) -> str:
    """The sentence the console or voice prompt gives for a refusal."""
    return _EXPLANATIONS[refusal]


@dataclass(frozen=True, slots=True)
class QualityMeasure:
    """What the gate looks at, measured once per frame (no embedding inside: D-PRIV)."""

    faces: int
    second_face_ratio: float  # width of the rival face / the subject's (0 if no rival)
    rival_offset: float  # how much further from the centre the rival is, in face widths
    subject_offset: float  # the subject's distance from the centre of view, in face widths
    face_px: float  # main face width as if the frame were 640 px wide
    inside: bool  # face box and landmarks wholly within the frame
    sharpness: float  # re-blur measure of the chip centre: ~0.5 crisp, ≤ 0.1 smeared
    brightness: float  # mean grey level of the chip centre, 0-255
    yaw: float
    pitch: float
    score: float  # HOG detector confidence


@dataclass(frozen=True, slots=True)
class QualityPolicy:
    """Limits of the gate; the unlock and enrolment policies differ only in pose."""

    # Gate limits below marked "tuning half" were chosen with the lock protocol on the
    # tuning half of lfw-dev only (session 4, `split`); the others are product rules.
    min_face_px: float = 70.0  # about 1.1 m from a 640×480 camera with a 60° lens (tuning half)
    max_face_px: float = 420.0  # closer than about 20 cm
    max_second_face: float = 0.8  # a second face this close to the door is a 2nd person
    # With a second person that near, the lock reads the subject only when it stands
    # squarely in front of the lens and the other clearly to one side; otherwise it
    # cannot tell who is presenting, and refuses ("one person at a time").
    max_subject_offset: float = 0.5  # face widths from the centre of view
    min_rival_offset: float = 0.5  # face widths further out than the subject
    min_sharpness: float = 0.12  # (tuning half) 0.15 refused 0.35 % more genuine, no FAR gained
    min_brightness: float = 40.0
    max_brightness: float = 220.0
    max_yaw: float = 50.0  # as far as enrolment's turned poses; wider costs no FAR on LFW
    max_pitch: float = 45.0
    min_score: float = 0.0

    def refusal(self, m: QualityMeasure) -> Refusal | None:
        """The first reason to refuse this frame, or None when it may be used."""
        checks = (
            (m.faces == 0, Refusal.NO_FACE),
            (
                m.second_face_ratio >= self.max_second_face
                and (
                    m.subject_offset > self.max_subject_offset
                    or m.rival_offset < self.min_rival_offset
                ),
                Refusal.TWO_FACES,
            ),
            (not m.inside, Refusal.PARTIAL),
            (m.face_px < self.min_face_px, Refusal.TOO_FAR),
            (m.face_px > self.max_face_px, Refusal.TOO_CLOSE),
            (m.brightness < self.min_brightness, Refusal.TOO_DARK),
            (m.brightness > self.max_brightness, Refusal.TOO_BRIGHT),
            (abs(m.yaw) > self.max_yaw or abs(m.pitch) > self.max_pitch, Refusal.NOT_FRONTAL),
            (m.sharpness < self.min_sharpness, Refusal.BLURRY),
            (m.score < self.min_score, Refusal.UNCLEAR),
        )
        return next((reason for failed, reason in checks if failed), None)


UNLOCK_POLICY = QualityPolicy()
# Enrolment asks for turned poses on purpose; each prompt checks its own pose range.
ENROL_POLICY = QualityPolicy()


def sharpness(grey: NDArray[np.float64]) -> float:
    """Share of fine detail that a slight extra blur removes (re-blur measure).

    A sharp face loses much of its pixel-to-pixel variation when blurred again; an
    already blurred one loses little. Unlike Laplacian energy this does not depend on
    contrast and keeps falling as blur grows.
    """
    import cv2
    import numpy as np

    def variation(x: NDArray[np.generic]) -> float:
        return float(np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean())

    before = variation(grey)
    after = variation(cv2.GaussianBlur(grey, (0, 0), 1.5))
    return (before - after) / (before + 1e-6)


COMPARABLE_FACE = 0.8  # faces at least this wide (× the largest) are about as near
NO_RIVAL = 1e6  # rival_offset when the subject is alone (finite: it goes into JSON)


@dataclass(frozen=True, slots=True)
class Presenting:
    """Who stands in front of the lock: the subject, and the nearest rival if any."""

    subject: FaceBox
    rival: FaceBox | None

    def ratio(self) -> float:
        """The rival's width over the subject's (0 when there is no rival)."""
        if self.rival is None or not self.subject.width:
            return 0.0
        return self.rival.width / self.subject.width

    def subject_offset(self, frame_size: tuple[int, int]) -> float:
        """The subject's distance from the centre of view, in its own face widths."""
        return _off_centre(self.subject, frame_size) / max(1, self.subject.width)

    def rival_offset(self, frame_size: tuple[int, int]) -> float:
        """How much further from the centre of view the rival is, in subject face widths."""
        if self.rival is None or not self.subject.width:
            return NO_RIVAL
        out = _off_centre(self.rival, frame_size) - _off_centre(self.subject, frame_size)
        return out / self.subject.width


def _off_centre(box: FaceBox, frame_size: tuple[int, int]) -> float:
    width, height = frame_size
    dx = (box.left + box.right) / 2 - width / 2
    dy = (box.top + box.bottom) / 2 - height / 2
    return float((dx * dx + dy * dy) ** 0.5)


def presenting(boxes: list[FaceBox], frame_size: tuple[int, int]) -> Presenting:
    """The face presenting itself to the lock, among detected `boxes` (none empty).

    The camera is aimed where one stands at the door, so among the faces at about the
    same distance (at least COMPARABLE_FACE × the largest one's width; smaller faces are
    people further back) the one nearest the centre of view is the subject, and the
    next nearest is its rival. The gate (QualityPolicy) reads the subject only when it
    stands squarely in front of the lens and the rival clearly to one side: a resident
    with a companion beside them is let in, two people side by side or both off to one
    side are refused ("one person at a time"). (Chosen in session 3; before, any second
    face ≥ 0.8× was refused, which turned away a resident with a companion at their
    shoulder: see docs/face.md.)
    """
    largest = max(box.width for box in boxes)
    near = [box for box in boxes if box.width >= COMPARABLE_FACE * largest]
    near.sort(key=lambda box: _off_centre(box, frame_size))
    return Presenting(near[0], near[1] if len(near) > 1 else None)


def measure(
    frame_size: tuple[int, int],
    faces: int,
    front: Presenting,
    landmarks: Landmarks,
    chip: NDArray[np.uint8],
    pose: HeadPose,
) -> QualityMeasure:
    """Measure the presenting face (`landmarks` of `front.subject`) of a frame of
    `frame_size` = (width, height) in which `faces` faces were found.
    """
    import cv2
    import numpy as np

    width, height = frame_size
    main = landmarks.box
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY).astype(np.float64)
    centre = grey[30:120, 30:120]  # eyes, nose and mouth; little background
    return QualityMeasure(
        faces=faces,
        second_face_ratio=front.ratio(),
        rival_offset=front.rival_offset(frame_size),
        subject_offset=front.subject_offset(frame_size),
        face_px=main.width * REFERENCE_WIDTH / width,
        inside=main.inside(width, height) and landmarks.inside(width, height),
        sharpness=sharpness(centre),
        brightness=float(centre.mean()),
        yaw=pose.yaw,
        pitch=pose.pitch,
        score=main.score,
    )
