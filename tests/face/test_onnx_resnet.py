"""The lock's face network is dlib's, run faster: same weights, same embeddings.

The embeddings feed thresholds calibrated on dlib's own network (issue 3), so the
onnxruntime rebuild must agree with `dlib.face_recognition_model_v1` on real photos.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smartlock.face import models
from smartlock.face.dataset import place_in_frame
from smartlock.face.decode import load_image
from smartlock.face.dlib_weights import Conv, Fc, Input, WeightsFormatError, read_layers
from smartlock.face.embed import dlib_embed_chip, embed_chips, mirrored
from smartlock.face.engine import FaceEngine
from smartlock.face.errors import ModelMissingError
from smartlock.face.onnx_resnet import build_model

from .conftest import photos


def test_weights_file_holds_dlibs_29_convolutions_and_128d_projection() -> None:
    layers = read_layers(models.model_path(models.RESNET))
    assert isinstance(layers[0], Input)
    assert layers[0].means == pytest.approx((122.782, 117.001, 104.298), abs=1e-3)
    convs = [layer for layer in layers if isinstance(layer, Conv)]
    assert len(convs) == 29
    assert convs[0].weight.shape == (32, 3, 7, 7)
    assert isinstance(layers[-1], Fc) and layers[-1].weight.shape == (256, 128)


def test_onnx_embeddings_equal_dlibs_on_real_photos(lfw: Path) -> None:
    engine = FaceEngine()
    chips = []
    for name in ("Colin_Powell", "George_W_Bush", "Gerhard_Schroeder"):
        for path in photos(lfw, name, 3):
            analysis = engine.analyse(place_in_frame(load_image(path)))
            assert analysis.chip is not None
            chips += [analysis.chip, mirrored(analysis.chip)]
    ours = embed_chips(chips)
    theirs = np.stack([dlib_embed_chip(c) for c in chips])
    assert ours.shape == (18, 128)
    assert np.abs(ours - theirs).max() < 1e-4


def test_truncated_model_file_is_a_clear_error(tmp_path: Path) -> None:
    data = models.model_path(models.RESNET).read_bytes()
    broken = tmp_path / "resnet.dat"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelMissingError):
        build_model(read_layers(broken))


def test_a_file_that_is_not_the_model_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.dat"
    junk.write_bytes(b"\x00" * 1000)
    with pytest.raises(WeightsFormatError):
        build_model(read_layers(junk))
