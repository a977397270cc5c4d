"""Every kind of bad or unusual image gives a clear error or a usable RGB frame."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from smartlock.face.decode import as_frame, load_image
from smartlock.face.engine import FaceEngine
from smartlock.face.errors import FaceError, ImageError


def _png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _claim_size(png: bytes, width: int, height: int) -> bytes:
    """Rewrite a PNG's IHDR to claim another size (with a valid CRC), data unchanged."""
    ihdr = png[12:29]
    body = b"IHDR" + struct.pack(">II", width, height) + ihdr[12:17]
    return png[:8] + struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body)) + png[33:]


def test_empty_file_is_refused_with_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ImageError) as err:
        load_image(empty)
    assert err.value.kind == "empty" and "empty" in err.value.reason


def test_non_image_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("this is not a photo\n" * 20)
    with pytest.raises(ImageError) as err:
        load_image(text)
    assert err.value.kind == "not_an_image"


def test_truncated_jpeg_is_corrupt_not_a_crash(lfw: Path, tmp_path: Path) -> None:
    data = (lfw / "Colin_Powell" / "Colin_Powell_0001.jpg").read_bytes()
    with pytest.raises(ImageError) as err:
        load_image(data[: len(data) // 3])
    assert err.value.kind == "corrupt"
    garbage = data[:200] + bytes(range(256)) * 20
    with pytest.raises(ImageError):
        load_image(garbage)


def test_huge_image_refused_from_header_before_decoding() -> None:
    # The file is tiny; only its header claims 8000×8000. Refusing it proves the
    # size check runs before any pixel is decoded.
    claim = _claim_size(_png_bytes(Image.new("L", (16, 16))), 8000, 8000)
    assert len(claim) < 200
    with pytest.raises(ImageError) as err:
        load_image(claim)
    assert err.value.kind == "too_large" and "8000×8000" in err.value.reason


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as err:
        load_image(tmp_path / "nope.png")
    assert err.value.kind == "missing"
    with pytest.raises(ImageError):
        load_image(tmp_path)


def test_errors_share_one_root_with_a_code() -> None:
    with pytest.raises(FaceError) as err:
        load_image(b"")
    assert err.value.code == "bad_image"


@pytest.mark.parametrize("kind", ["grey", "grey16", "cmyk", "alpha", "palette"])
def test_unusual_pixel_formats_still_find_the_face(lfw: Path, tmp_path: Path, kind: str) -> None:
    """A real face saved as 16-bit, CMYK, alpha, palette or greyscale is still read."""
    rgb = Image.open(lfw / "Colin_Powell" / "Colin_Powell_0001.jpg").convert("RGB")
    rgb = rgb.resize((500, 500))  # a face of ~220 px, well above the detector window
    if kind == "grey":
        image, fmt = rgb.convert("L"), "PNG"
    elif kind == "grey16":
        wide = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        image, fmt = Image.fromarray(wide), "PNG"
    elif kind == "cmyk":
        image, fmt = rgb.convert("CMYK"), "JPEG"
    elif kind == "alpha":
        image = rgb.convert("RGBA")
        image.putalpha(200)
        fmt = "PNG"
    else:
        image, fmt = rgb.convert("P"), "PNG"
    path = tmp_path / f"face.{fmt.lower()}"
    image.save(path, format=fmt)
    if kind == "grey16":
        assert Image.open(path).mode.startswith("I")
    frame = load_image(path)
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    assert 40 < frame.mean() < 220  # not blown out or crushed by a bad bit-depth scaling
    reading = FaceEngine().read(frame)
    assert reading.usable, reading.reason


def test_32bit_png_from_a_camera_is_read(camera: Path) -> None:
    frame = load_image(camera / "test_images" / "32bit.png")
    assert frame.shape[2] == 3
    assert FaceEngine().read(frame).usable


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(ImageError):
        as_frame(np.zeros((10, 10, 2), dtype=np.uint8))
    with pytest.raises(ImageError):
        as_frame([[1, 2], [3, 4]])
    with pytest.raises(ImageError):
        as_frame(np.zeros((5000, 5000), dtype=np.uint8))
    float_frame = as_frame(np.full((32, 32, 3), 0.5, dtype=np.float32))
    assert float_frame.dtype == np.uint8 and int(float_frame[0, 0, 0]) == 127
