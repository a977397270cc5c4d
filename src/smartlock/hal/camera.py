"""The front camera on a real device, through OpenCV's `VideoCapture`.

OpenCV delivers BGR; the lock's frames are RGB (what the face engine expects), so
frames are converted here once. The device opens on first use and a missing camera
is a `CameraUnavailable` error with the device index in the message, not a hang.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from smartlock.hal.base import CameraUnavailable
from smartlock.hal.parts import Camera, Frame


class OpenCvCamera(Camera):
    """`/dev/video<index>` (a Pi camera under libcamera's V4L2 bridge, or a USB webcam)."""

    def __init__(self, index: int = 0, *, width: int = 640, height: int = 480) -> None:
        self.index = index
        self._size = (width, height)
        self._capture: Any = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        import cv2

        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(f"no camera at /dev/video{self.index}")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
        return capture

    def capture(self) -> Frame | None:
        """The latest frame as H x W x 3 RGB, or None when the camera gave no frame."""
        import cv2

        with self._lock:
            if self._capture is None:
                self._capture = self._open()
            ok, bgr = self._capture.read()
        if not ok or bgr is None:
            return None
        rgb: Frame = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        return rgb

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None
