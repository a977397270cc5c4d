"""QR codes of the lock's label (D-PAIR): drawn with segno, read with OpenCV.

The label's text is ``smartlock:<serial>:<code>`` (``link.pairing.Label.qr_text``).
Reading happens on the server so every browser can pair from a photo of the label,
also the many without ``BarcodeDetector`` (Chromium on Linux, Firefox, Safari).
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import segno

MAX_PHOTO = 8 * 1024 * 1024  # a phone photo; larger is refused before decoding


@functools.lru_cache(maxsize=64)
def svg_data_uri(text: str) -> str:
    """The QR as an SVG data URI (error correction M: survives a scuffed label)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=6, border=4))


def decode(photo: bytes) -> str | None:
    """The text of the first QR code in the photo, or None."""
    if not photo or len(photo) > MAX_PHOTO:
        return None
    image = cv2.imdecode(np.frombuffer(photo, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        return None
    # Phone photos are large; the detector is faster and no worse at ~1000 px.
    scale = 1000 / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    detector = cv2.QRCodeDetector()
    text, _, _ = detector.detectAndDecode(image)
    if text:
        return str(text)
    # A dim or low-contrast photo: try once more, binarised.
    _, sharp = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    text, _, _ = detector.detectAndDecode(sharp)
    return str(text) or None
