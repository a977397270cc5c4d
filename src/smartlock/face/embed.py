"""128-d face embeddings from aligned chips (dlib's ResNet weights, Euclidean metric).

The network runs on onnxruntime (`onnx_resnet`), which gives dlib's own embeddings
(to 1e-6) several times faster than the dlib-bin wheel. `dlib_embed_chip` keeps dlib's
implementation for the bench's baseline pipeline.

Distances below about 0.6 mean "probably the same person" for this network; the
lock's thresholds are calibrated on top of that in `calibration`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from smartlock.face import models
from smartlock.face.onnx_resnet import face_net

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

EMBEDDING_SIZE = 128


def embed_chip(chip: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Embedding of one aligned 150×150 RGB chip."""
    import numpy as np

    return np.asarray(embed_chips([chip])[0], dtype=np.float32)


def embed_chips(chips: Sequence[NDArray[np.uint8]]) -> NDArray[np.float32]:
    """Embeddings of several chips in one call (N×128)."""
    import numpy as np

    if not chips:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    batch: NDArray[np.uint8] = np.stack([np.asarray(c, dtype=np.uint8) for c in chips])
    return face_net().embed(batch)


def flip_averaged(
    views: NDArray[np.floating], flipped: NDArray[np.floating]
) -> NDArray[np.float32]:
    """Unit-length mean of each chip's embedding and its mirror image's (rows).

    Why: averaging the two views cancels part of the network's left/right noise; on
    the lock protocol it lowers FRR at the same FAR (docs/face.md, ablation). Every
    probe and every template the lock uses is one of these.
    """
    import numpy as np

    def unit(x: NDArray[np.floating]) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=np.float64)
        norms = np.linalg.norm(x, axis=-1, keepdims=True)
        return x / np.where(norms > 0, norms, 1.0)

    return unit(unit(views) + unit(flipped)).astype(np.float32)


def embed_face(chip: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The lock's embedding of one chip: both views, averaged (one network call)."""
    both = embed_chips([chip, mirrored(chip)])
    return flip_averaged(both[0], both[1])


def dlib_embed_chip(chip: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The same embedding computed by dlib itself (the bench's baseline pipeline)."""
    import numpy as np

    vector = models.embedder().compute_face_descriptor(np.ascontiguousarray(chip))
    return np.asarray(vector, dtype=np.float32)


def mirrored(chip: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The chip flipped left-right: a second view of the same face for templates."""
    import numpy as np

    return np.ascontiguousarray(chip[:, ::-1])
