"""dlib's ResNet face network, rebuilt as an ONNX graph and run by onnxruntime.

Why: same weights, same maths, same 128-d embeddings as `dlib.face_recognition_model_v1`
(a test checks they agree to 1e-4 on real photos), but onnxruntime's kernels make the
network several times faster than the BLAS-less dlib-bin wheel on the lock's CPU.

The graph is built in memory from the packaged `.dat` file at first use (≈ 1 s); it is
never written to disk. The structure is dlib's published face model
(dlib/examples/dnn_face_recognition_ex.cpp): a 7×7 stem, max pool, then residual units
`relu(x + affine(con(relu(affine(con(x))))))`; a down unit averages its input 2×2
(stride 2) for the shortcut. dlib adds tensors of different shapes by zero-padding
the smaller at the end, which is reproduced with explicit Pad nodes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smartlock.face import models
from smartlock.face.dlib_weights import (
    Affine,
    Conv,
    Fc,
    Input,
    Layer,
    Marker,
    Pool,
    WeightsFormatError,
    read_layers,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

CHIP_SIZE = 150
OPSET = 17


@dataclass
class _Graph:
    """Accumulates ONNX nodes while tracking each tensor's (channels, rows, cols)."""

    nodes: list[Any] = field(default_factory=list)
    weights: list[Any] = field(default_factory=list)
    shapes: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    count: int = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, array: NDArray[Any], prefix: str) -> str:
        from onnx import numpy_helper

        name = self.name(prefix)
        self.weights.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], shape: tuple[int, int, int], **attrs: Any) -> str:
        from onnx import helper

        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        self.shapes[out] = shape
        return out


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return 1 + (size + 2 * padding - kernel) // stride


def _conv(g: _Graph, x: str, conv: Conv, affine: Affine) -> str:
    """Convolution with the following affine (inference-time batch norm) folded in."""
    import numpy as np

    weight = conv.weight * affine.gamma[:, None, None, None]
    bias = conv.bias * affine.gamma + affine.beta
    c_in, rows, cols = g.shapes[x]
    if conv.weight.shape[1] != c_in:
        raise WeightsFormatError("convolution input channels disagree in the face model")
    k = conv.weight.shape[2]
    shape = (
        conv.weight.shape[0],
        _out_size(rows, k, conv.stride, conv.padding),
        _out_size(cols, k, conv.stride, conv.padding),
    )
    return g.node(
        "Conv",
        [x, g.const(weight.astype(np.float32), "w"), g.const(bias.astype(np.float32), "b")],
        shape,
        kernel_shape=[k, k],
        strides=[conv.stride] * 2,
        pads=[conv.padding] * 4,
    )


def _pool(g: _Graph, x: str, pool: Pool) -> str:
    c, rows, cols = g.shapes[x]
    k, stride, pad = pool.size, pool.stride, pool.padding
    shape = (c, _out_size(rows, k, stride, pad), _out_size(cols, k, stride, pad))
    return g.node(
        "MaxPool" if pool.kind == "max" else "AveragePool",
        [x],
        shape,
        kernel_shape=[k, k],
        strides=[stride, stride],
        pads=[pad] * 4,
    )


def _pad_to(g: _Graph, x: str, shape: tuple[int, int, int]) -> str:
    import numpy as np

    have = g.shapes[x]
    if have == shape:
        return x
    pads = [0, 0, 0, 0, 0, shape[0] - have[0], shape[1] - have[1], shape[2] - have[2]]
    return g.node("Pad", [x, g.const(np.array(pads, dtype=np.int64), "pads")], shape)


def _add(g: _Graph, a: str, b: str) -> str:
    """Dlib's add_prev: shapes may differ; the smaller is zero-padded at the end."""
    shape = tuple(max(p, q) for p, q in zip(g.shapes[a], g.shapes[b], strict=True))
    full = (shape[0], shape[1], shape[2])
    return g.node("Add", [_pad_to(g, a, full), _pad_to(g, b, full)], full)


def build_model(layers: list[Layer]) -> Any:
    """The ONNX model (input "chips": N×3×150×150, (RGB − mean) / 256; output N×128)."""
    from onnx import TensorProto, checker, helper

    if not layers or not isinstance(layers[0], Input):
        raise WeightsFormatError("face model does not start with an RGB input layer")
    g = _Graph()
    x = "chips"
    g.shapes[x] = (3, CHIP_SIZE, CHIP_SIZE)
    unit_input: str | None = None  # the tensor a residual unit's shortcut starts from
    shortcut: str | None = None
    i = 1
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, Conv):
            following = layers[i + 1] if i + 1 < len(layers) else None
            if not isinstance(following, Affine):
                raise WeightsFormatError("convolution without its affine in the face model")
            if unit_input is None:
                unit_input = x
            x = _conv(g, x, layer, following)
            i += 2
            continue
        if isinstance(layer, Marker) and layer.kind == "relu":
            x = g.node("Relu", [x], g.shapes[x])
        elif isinstance(layer, Pool) and layer.size == 0:
            x = g.node("GlobalAveragePool", [x], (g.shapes[x][0], 1, 1))
        elif isinstance(layer, Pool) and layer.kind == "avg" and unit_input is not None:
            shortcut = _pool(g, unit_input, layer)  # a down unit's shortcut
        elif isinstance(layer, Pool) and layer.kind == "max":  # the stem's pool
            x = _pool(g, x, layer)
            unit_input = None
        elif isinstance(layer, Marker) and layer.kind == "add_prev":
            if unit_input is None:
                raise WeightsFormatError("residual add without a unit in the face model")
            x = _add(g, x, shortcut or unit_input)
            unit_input = shortcut = None
        elif isinstance(layer, Fc):
            flat = g.node("Flatten", [x], (g.shapes[x][0], 1, 1), axis=1)
            if layer.weight.shape[0] != g.shapes[x][0]:
                raise WeightsFormatError("fc input size disagrees in the face model")
            x = g.node("MatMul", [flat, g.const(layer.weight, "fc")], (layer.weight.shape[1], 1, 1))
        else:
            raise WeightsFormatError(f"unexpected layer in the face model: {layer}")
        i += 1
    if not isinstance(layers[-1], Fc):
        raise WeightsFormatError("face model does not end with its 128-d projection")
    graph = helper.make_graph(
        g.nodes,
        "dlib_face_resnet",
        [helper.make_tensor_value_info("chips", TensorProto.FLOAT, ["n", 3, CHIP_SIZE, CHIP_SIZE])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["n", layers[-1].weight.shape[1]])],
        initializer=g.weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    checker.check_model(model)
    return model


class OnnxFaceNet:
    """Embeds 150×150 RGB chips with dlib's weights on onnxruntime."""

    def __init__(self) -> None:
        import numpy as np
        import onnxruntime as ort

        layers = read_layers(models.model_path(models.RESNET))
        first = layers[0]
        assert isinstance(first, Input)
        self._means = np.array(first.means, dtype=np.float32)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads must not spin: the next frame's detection (dlib, one
        # thread) needs the other core the moment the network is done.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            build_model(layers).SerializeToString(),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        self._output = self._session.get_outputs()[0].name

    def embed(self, chips: NDArray[np.uint8]) -> NDArray[np.float32]:
        """N×150×150×3 uint8 RGB chips → N×128 float32 embeddings."""
        import numpy as np

        batch = (chips.astype(np.float32) - self._means) / 256.0
        batch = np.ascontiguousarray(batch.transpose(0, 3, 1, 2))
        (out,) = self._session.run([self._output], {"chips": batch})
        return np.asarray(out, dtype=np.float32)


@functools.cache
def face_net() -> OnnxFaceNet:
    """The process-wide network (building the graph costs about a second)."""
    return OnnxFaceNet()
