"""On-device face recognition: frames in, core inputs and match decisions out.

Importing this package is cheap: dlib, OpenCV and the models load on first use.
See docs/face.md for the pipeline, the decision policy and the measured FAR/FRR.
"""

from __future__ import annotations

from smartlock.face.agreement import FrameAgreement
from smartlock.face.decode import as_frame, load_image
from smartlock.face.engine import FaceEngine, FaceReading
from smartlock.face.enrol import PoseEnrolment, templates_from_photos
from smartlock.face.errors import EnrolmentError, FaceError, ImageError, ModelMissingError
from smartlock.face.matching import GalleryMatcher
from smartlock.face.observation import to_input
from smartlock.face.quality import ENROL_POLICY, UNLOCK_POLICY, QualityPolicy, Refusal

__all__ = [
    "ENROL_POLICY",
    "UNLOCK_POLICY",
    "EnrolmentError",
    "FaceEngine",
    "FaceError",
    "FaceReading",
    "FrameAgreement",
    "GalleryMatcher",
    "ImageError",
    "ModelMissingError",
    "PoseEnrolment",
    "QualityPolicy",
    "Refusal",
    "as_frame",
    "load_image",
    "templates_from_photos",
    "to_input",
]
