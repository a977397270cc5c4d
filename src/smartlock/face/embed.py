"""128-d face embeddings from aligned chips (dlib ResNet, Euclidean metric).

Distances below about 0.6 mean "probably the same person" for this network; the
lock's thresholds are calibrated on top of that in `calibration`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from smartlock.face import models

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

EMBEDDING_SIZE = 128


def embed_chip(chip: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Embedding of one aligned chip."""
    import numpy as np

    vector = models.embedder().compute_face_descriptor(np.ascontiguousarray(chip))
    return np.asarray(vector, dtype=np.float32)


def embed_chips(chips: Sequence[NDArray[np.uint8]]) -> NDArray[np.float32]:
    """Embeddings of several chips in one call (N×128)."""
    import numpy as np

    if not chips:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    vectors = models.embedder().compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
    return np.asarray([np.asarray(v) for v in vectors], dtype=np.float32)


def mirrored(chip: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The chip flipped left-right: a second view of the same face for templates."""
    import numpy as np

    return np.ascontiguousarray(chip[:, ::-1])
