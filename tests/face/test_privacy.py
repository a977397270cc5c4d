"""D-PRIV: face templates never appear in what the face module logs or prints."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from smartlock.face.cli import describe
from smartlock.face.decode import load_image
from smartlock.face.engine import FaceEngine
from smartlock.face.enrol import templates_from_photos
from smartlock.face.matching import GalleryMatcher
from smartlock.vocab import Sensitivity


def _fragments(vector: tuple[float, ...]) -> list[str]:
    """Text forms an embedding component would take if printed (repr, %.4f, %.3g)."""
    out = []
    for v in vector[:32]:
        out += [repr(v)[:8], f"{v:.4f}", f"{v:.3g}"]
    return [f for f in out if len(f.strip("-0.")) >= 3]


def test_embeddings_never_logged_D_PRIV(camera: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="smartlock")
    engine = FaceEngine()
    templates = templates_from_photos(3, [load_image(camera / "obama.jpg")])
    reading = engine.read(load_image(camera / "obama-720p.jpg"))
    refused = engine.read(load_image(camera / "two_people.jpg"))
    assert reading.embedding is not None
    GalleryMatcher().identify(reading.embedding, templates, Sensitivity.MEDIUM)
    assert caplog.records, "the engine should log its decisions (without templates)"
    text = caplog.text + describe(reading) + describe(refused) + repr(reading)
    secrets = _fragments(reading.embedding) + [
        f for t in templates for f in _fragments(t.embedding)
    ]
    leaked = [f for f in secrets if f in text]
    assert leaked == [], f"embedding fragments found in logs: {leaked[:5]}"
    assert not re.search(r"embedding=\(", text)
