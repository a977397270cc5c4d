"""Turn a file, bytes or a camera array into an 8-bit RGB frame, or refuse clearly.

Camera frames and user-supplied photos arrive in every shape: greyscale, 16-bit,
CMYK, with alpha, truncated, empty, or not images at all. Each of those becomes a
plain RGB `uint8` array or an `ImageError` with a reason; nothing here crashes or
decodes a huge file before its header has been checked.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from smartlock.face.errors import ImageError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# A 4K camera frame is 8.3 MP; anything far above that is not a camera frame and
# would take seconds and hundreds of MB to decode on the lock.
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 8192
MIN_SIDE = 16


def load_image(source: str | Path | bytes) -> NDArray[np.uint8]:
    """Decode a path or encoded bytes into an H×W×3 RGB uint8 array."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = _read(source)
    if not data:
        raise ImageError("the image is empty (0 bytes)", kind="empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            _check_size(opened.width, opened.height)  # header only: nothing decoded yet
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageError("not an image file Pillow can read", kind="not_an_image") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"image too large to decode safely: {exc}", kind="too_large") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"image data is corrupt or truncated: {exc}", kind="corrupt") from exc
    return to_rgb(image)


def as_frame(array: object) -> NDArray[np.uint8]:
    """Validate a camera array (H×W, H×W×3 or H×W×4, any int/float dtype) as RGB uint8."""
    import numpy as np

    if not isinstance(array, np.ndarray):
        raise ImageError(f"a frame must be a numpy array, not {type(array).__name__}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ImageError(f"a frame must be H×W, H×W×3 or H×W×4, got shape {array.shape}")
    _check_size(array.shape[1], array.shape[0])
    out = _to_uint8(array)
    if out.ndim == 2:
        out = np.repeat(out[:, :, None], 3, axis=2)
    elif out.shape[2] == 4:
        out = _flatten_alpha(out)
    return np.ascontiguousarray(out)


def to_rgb(image: object) -> NDArray[np.uint8]:
    """Convert a decoded Pillow image of any mode to RGB uint8 (alpha over mid-grey)."""
    import numpy as np
    from PIL import Image

    assert isinstance(image, Image.Image)
    mode = image.mode
    if mode in ("RGB", "L"):
        return as_frame(np.asarray(image))
    if mode in ("RGBA", "LA", "PA", "P") or "transparency" in image.info:
        return as_frame(np.asarray(image.convert("RGBA")))
    if mode.startswith("I") or mode == "F":
        return as_frame(np.asarray(image))  # 16/32-bit or float greyscale
    return as_frame(np.asarray(image.convert("RGB")))  # CMYK, YCbCr, LAB, 1, ...


def _read(source: str | Path | bytes) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ImageError(f"no such image file: {path}", kind="missing") from exc
    except IsADirectoryError as exc:
        raise ImageError(f"is a directory, not an image: {path}", kind="not_an_image") from exc
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror}", kind="unreadable") from exc


def _check_size(width: int, height: int) -> None:
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageError(f"image too small ({width}×{height}) to hold a face", kind="too_small")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageError(
            f"image too large ({width}×{height}); at most {MAX_PIXELS // 1_000_000} MP "
            f"and {MAX_SIDE} px a side",
            kind="too_large",
        )


def _to_uint8(array: NDArray[np.generic]) -> NDArray[np.uint8]:
    import numpy as np

    if array.dtype == np.uint8:
        return array  # type: ignore[return-value]
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        finite = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=1.0, neginf=0.0)
        top = 1.0 if finite.max(initial=0.0) <= 1.0 else 255.0
        return np.clip(finite / top * 255.0, 0, 255).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        wide = array.astype(np.int64)
        peak = int(wide.max(initial=0))
        # 16-bit sensors often fill only 10-12 bits: scale by the used range, not 65535.
        bits = max(8, peak.bit_length())
        return np.clip(wide >> (bits - 8), 0, 255).astype(np.uint8)  # type: ignore[no-any-return]
    raise ImageError(f"unsupported pixel type {array.dtype}")


def _flatten_alpha(rgba: NDArray[np.uint8]) -> NDArray[np.uint8]:
    import numpy as np

    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
    rgb = rgba[:, :, :3].astype(np.float32)
    return (rgb * alpha + 128.0 * (1.0 - alpha)).round().astype(np.uint8)  # type: ignore[no-any-return]
