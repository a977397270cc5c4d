"""BlazeFace: Google's CNN face detector, from the `.tflite` files the mediapipe wheel ships.

Why: dlib's HOG detector wants an upright, frontal face of 80 px and more and costs
≈ 40 ms on a 640×480 frame; BlazeFace finds turned, tilted, partly covered and small
faces in a few milliseconds. The weights are the ones inside the `mediapipe` 0.10.14
wheel (Apache-2.0, installed without its dependencies: only the files are used) and
run on LiteRT (`ai-edge-litert`, Apache-2.0); nothing is downloaded at run time.

Two models: *short range* (128×128 input, faces within about 2 m, i.e. a face at least
≈ 1/6 of the frame) and *full range* (192×192, faces up to about 5 m). Decoding follows
mediapipe's graphs (`face_detection_short_range.pbtxt`, `face_detection_full_range.pbtxt`):
SSD anchors, sigmoid scores, weighted non-maximum suppression, letterboxed input.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartlock.face.errors import ModelMissingError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_FILES = {
    "short": "face_detection/face_detection_short_range.tflite",
    "full": "face_detection/face_detection_full_range_sparse.tflite",
}


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Input size and anchor layout of one BlazeFace model (mediapipe's options)."""

    size: int
    strides: tuple[int, ...]
    anchors_per_layer: int  # 2 with interpolated scale aspect ratio 1.0, else 1


SPECS = {
    "short": ModelSpec(128, (8, 16, 16, 16), 2),
    "full": ModelSpec(192, (4,), 1),
}


@dataclass(frozen=True, slots=True)
class Detection:
    """One face in frame pixels: box, score 0-1, and BlazeFace's six keypoints.

    Keypoints: the person's right eye, left eye, nose tip, mouth centre, right ear
    tragion, left ear tragion (the right eye is on the image's left).
    """

    left: float
    top: float
    right: float
    bottom: float
    score: float
    keypoints: tuple[tuple[float, float], ...]


def model_file(kind: str) -> Path:
    """Path of a BlazeFace model inside the installed mediapipe wheel."""
    spec = importlib.util.find_spec("mediapipe")  # locates the files; never imports it
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(
            "BlazeFace models not installed: pip install --no-deps mediapipe==0.10.14"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "modules" / _FILES[kind]
    if not path.is_file():
        raise ModelMissingError(f"BlazeFace model file missing from mediapipe: {path.name}")
    return path


@functools.cache
def anchors(kind: str) -> NDArray[np.float32]:
    """Anchor centres (N×2, x y in 0-1) in the order of the model's outputs."""
    import numpy as np

    spec = SPECS[kind]
    rows: list[NDArray[np.float32]] = []
    i = 0
    strides = spec.strides
    while i < len(strides):
        j = i
        while j < len(strides) and strides[j] == strides[i]:
            j += 1
        per_cell = (j - i) * spec.anchors_per_layer
        cells = -(-spec.size // strides[i])
        ys, xs = np.mgrid[0:cells, 0:cells]
        centres = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        rows.append(np.repeat(centres, per_cell, axis=0).astype(np.float32))
        i = j
    return np.concatenate(rows)


class BlazeFace:
    """One BlazeFace model on LiteRT; `detect` is safe to call from several threads."""

    def __init__(self, kind: str = "full", threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.kind = kind
        self.spec = SPECS[kind]
        self._interpreter: Any = Interpreter(model_path=str(model_file(kind)), num_threads=threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = sorted(self._interpreter.get_output_details(), key=lambda d: -int(d["shape"][-1]))
        self._boxes, self._scores = outputs[0]["index"], outputs[1]["index"]
        self._anchors = anchors(kind)
        self._lock = threading.Lock()

    def raw(self, frame: NDArray[np.uint8]) -> tuple[NDArray[np.float32], float, float, float]:
        """Scores (logits, N) and regressors (N×16) for a letterboxed RGB frame.

        Returns (outputs, scale, pad_x, pad_y): model pixels = (frame px · scale) + pad.
        """
        import cv2
        import numpy as np

        size = self.spec.size
        h, w = frame.shape[:2]
        scale = size / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA)
        canvas = np.zeros((size, size, 3), dtype=np.float32)
        px, py = (size - nw) // 2, (size - nh) // 2
        canvas[py : py + nh, px : px + nw] = small.astype(np.float32) / 127.5 - 1.0
        with self._lock:
            self._interpreter.set_tensor(self._input, canvas[None])
            self._interpreter.invoke()
            boxes = self._interpreter.get_tensor(self._boxes)[0].copy()
            logits = self._interpreter.get_tensor(self._scores)[0, :, 0].copy()
        out = np.concatenate([logits[:, None], boxes], axis=1)
        return out, scale, float(px), float(py)

    def detect(self, frame: NDArray[np.uint8], min_score: float = 0.5) -> list[Detection]:
        """Faces in an RGB frame, best first, in the frame's own pixel coordinates."""
        import numpy as np

        out, scale, px, py = self.raw(frame)
        logits = np.clip(out[:, 0].astype(np.float64), -100.0, 100.0)
        scores = 1.0 / (1.0 + np.exp(-logits))
        keep = np.flatnonzero(scores >= min_score)
        if not len(keep):
            return []
        size = float(self.spec.size)
        reg = out[keep, 1:] / size
        anc = self._anchors[keep]
        cx, cy = reg[:, 0] + anc[:, 0], reg[:, 1] + anc[:, 1]
        bw, bh = reg[:, 2], reg[:, 3]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
        kps = reg[:, 4:16].reshape(-1, 6, 2) + anc[:, None, :]
        found = _weighted_nms(boxes, kps, scores[keep])

        def back_x(v: float) -> float:
            return (v * size - px) / scale

        def back_y(v: float) -> float:
            return (v * size - py) / scale

        return [
            Detection(
                left=back_x(b[0]),
                top=back_y(b[1]),
                right=back_x(b[2]),
                bottom=back_y(b[3]),
                score=float(s),
                keypoints=tuple((back_x(x), back_y(y)) for x, y in k),
            )
            for b, k, s in found
        ]


def _weighted_nms(
    boxes: NDArray[np.floating],
    keypoints: NDArray[np.floating],
    scores: NDArray[np.floating],
    iou_limit: float = 0.3,
) -> list[tuple[NDArray[np.floating], NDArray[np.floating], float]]:
    """Mediapipe's WEIGHTED suppression: overlapping boxes are averaged by score."""
    import numpy as np

    order = np.argsort(-scores)
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    left = np.ones(len(scores), dtype=bool)
    out = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    for i in range(len(scores)):
        if not left[i]:
            continue
        x0 = np.maximum(boxes[i, 0], boxes[:, 0])
        y0 = np.maximum(boxes[i, 1], boxes[:, 1])
        x1 = np.minimum(boxes[i, 2], boxes[:, 2])
        y1 = np.minimum(boxes[i, 3], boxes[:, 3])
        inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
        iou = inter / np.maximum(area[i] + area - inter, 1e-9)
        group = left & (iou > iou_limit)
        group[i] = True
        w = scores[group][:, None]
        box = (boxes[group] * w).sum(0) / w.sum()
        kp = (keypoints[group] * w[:, :, None]).sum(0) / w.sum()
        out.append((box, kp, float(scores[i])))
        left &= ~group
    return out


@functools.cache
def blazeface(kind: str = "full") -> BlazeFace:
    """The process-wide model of that kind (loading takes a few milliseconds)."""
    return BlazeFace(kind)
