"""Memory of the lock's face engine: resident set size once its models are loaded.

Run from the repository root:
    .venv/bin/python bench/face_memory.py
Prints the process's RSS before the face engine is touched, after its first frame
(models loaded: dlib's HOG detector and 5-point landmarks, the ResNet on onnxruntime)
and after 50 more frames (a leak would show as growth), plus the frame time.
"""

from __future__ import annotations

import time
from pathlib import Path

LFW = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "lfw-dev"


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(row for row in status if row.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def main() -> None:
    before = rss_mb()
    from smartlock.face.dataset import place_in_frame
    from smartlock.face.decode import load_image
    from smartlock.face.engine import FaceEngine

    engine = FaceEngine()
    frame = place_in_frame(load_image(sorted((LFW / "Colin_Powell").iterdir())[0]))
    assert engine.read(frame).usable
    loaded = rss_mb()
    times = []
    for _ in range(50):
        start = time.perf_counter()
        engine.read(frame)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"face engine RSS: {before:.0f} MB at start, {loaded:.0f} MB with models loaded, "
        f"{rss_mb():.0f} MB after 50 more frames; {frame.shape[1]}x{frame.shape[0]} frame "
        f"p50 {times[25]:.1f} ms"
    )


if __name__ == "__main__":
    main()
