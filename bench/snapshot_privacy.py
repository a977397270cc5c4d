"""How often a doorbell picture would show the face it should mask (A-LIVE, D-PRIV).

Run from the repository root:
    .venv/bin/python bench/snapshot_privacy.py [--photos N] [--seed S]
Every LFW photo has its subject's face at the centre, so the question can be asked
without trusting the detector that does the masking: place N random lfw-dev photos in a
640×480 camera frame, find faces as `masked_snapshot` does, and count the photos whose
central face (eyes to mouth) is not wholly inside a masked area. Also prints the time
`masked_snapshot` takes per frame.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

LFW = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "lfw-dev"
# The subject's eyes-to-mouth area in a 250 px LFW photo pasted at a 640×480 frame's centre.
CENTRE_FACE = (280, 200, 360, 280)  # left, top, right, bottom


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from smartlock.face.dataset import list_people, place_in_frame
    from smartlock.face.decode import load_image
    from smartlock.face.snapshot import MARGIN, find_faces, masked_snapshot

    photos = [p for images in list_people(LFW).values() for p in images]
    sample = random.Random(args.seed).sample(photos, min(args.photos, len(photos)))
    left, top, right, bottom = CENTRE_FACE
    exposed: list[str] = []
    times: list[float] = []
    for n, path in enumerate(sample):
        frame = place_in_frame(load_image(path))
        covered = False
        for box in find_faces(frame):
            mx, my = box.width * MARGIN, box.height * MARGIN
            covered |= (
                box.left - mx <= left
                and box.right + mx >= right
                and box.top - my <= top
                and box.bottom + my >= bottom
            )
        if not covered:
            exposed.append(path.name)
        if n < 50:
            started = time.perf_counter()
            masked_snapshot(frame)
            times.append((time.perf_counter() - started) * 1000)
    print(
        f"{len(sample)} lfw-dev photos in a 640×480 frame: central face left unmasked in "
        f"{len(exposed)} ({len(exposed) / len(sample):.2%})"
    )
    if exposed:
        print("  " + ", ".join(exposed[:20]))
    print(
        f"masked_snapshot per 640×480 frame: median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms ({len(times)} frames)"
    )


if __name__ == "__main__":
    main()
