"""Real face photos for the face tests, from ../shared/faces beside the repository.

The folder is never copied into the repo. Without it the tests skip, except under CI
(env CI set), where a missing folder is a failure: CI must test real faces.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"


@pytest.fixture(scope="session")
def faces() -> Path:
    if not FACES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"face photos missing at {FACES} (required in CI)")
        pytest.skip(f"face photos not found at {FACES}")
    return FACES


@pytest.fixture(scope="session")
def lfw(faces: Path) -> Path:
    return faces / "lfw-dev"


@pytest.fixture(scope="session")
def camera(faces: Path) -> Path:
    return faces / "camera"


def photos(lfw: Path, name: str, count: int, start: int = 0) -> list[Path]:
    return sorted((lfw / name).iterdir())[start : start + count]


def frame_of(path: Path) -> np.ndarray:
    """An LFW photo as the lock's camera would see it: inside a 640×480 frame."""
    from smartlock.face.dataset import place_in_frame
    from smartlock.face.decode import load_image

    return place_in_frame(load_image(path))
