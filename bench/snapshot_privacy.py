"""Does a doorbell / live-view picture ever show a face it should mask (A-LIVE, D-PRIV)?

Run from the repository root:
    .venv/bin/python bench/snapshot_privacy.py [--photos N] [--seed S] [--json]

Frames are composed from lfw-dev photos, so where every face is, is known without
trusting any detector: a deep-funnelled LFW photo has its subject's eyes-to-mouth area
at a fixed place, which moves with the photo when it is scaled, turned or pasted. Cases:
frontal; turned +30° and -30°; the most turned-away faces of lfw-dev (profile, by the
5-point yaw); half covered (lower half: a scarf; one side: a door frame); small (a face
≈ 30 px wide in 640, a person ≈ 4 m away); two and three people side by side.

A face counts as *unmasked* when any pixel of its eyes-to-mouth area lies outside the
masked boxes of `snapshot.mask_faces` (BlazeFace). As a check by a different detector,
dlib's HOG detector (one upsample, score > -0.5) is run on each masked frame: every box
it finds over a face's area is also counted unmasked. The HOG column gives how many of
the faces HOG finds on the *unmasked* frame, i.e. how much that check can see.
Also printed: the share of the frame masked (the owner must still see a figure) and the
time of `masked_snapshot` per 640×480 frame.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

LFW = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "lfw-dev"
FRAME = (640, 480)
# The subject's eyes-to-mouth area in a 250×250 deep-funnelled LFW photo.
FACE_AREA = (85.0, 85.0, 165.0, 165.0)
HOG_CHECK_SCORE = -0.5

Face = np.ndarray  # 4×2 corners of a face's eyes-to-mouth area, frame pixels


def compose(
    photos: list[np.ndarray],
    places: list[tuple[float, float, float, float]],
    cover: Callable[[np.ndarray], tuple[np.ndarray, tuple[float, float, float, float]]]
    | None = None,
) -> tuple[np.ndarray, list[Face]]:
    """Paste photos into a grey 640×480 frame: (centre x, centre y, scale, angle°) each."""
    import cv2

    frame = np.full((FRAME[1], FRAME[0], 3), 128, np.uint8)
    faces: list[Face] = []
    for photo, (cx, cy, scale, angle) in zip(photos, places, strict=True):
        area = FACE_AREA
        if cover is not None:
            photo, area = cover(photo)
        h, w = photo.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        m[0, 2] += cx - w / 2
        m[1, 2] += cy - h / 2
        warped = cv2.warpAffine(photo, m, FRAME, flags=cv2.INTER_AREA)
        inside = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, FRAME) > 127
        frame[inside] = warped[inside]
        x0, y0, x1, y1 = area
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], float)
        faces.append(corners @ m.T)
    return frame, faces


def scarf(photo: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The lower half of the face under a flat scarf; the eyes and nose stay."""
    out = photo.copy()
    out[140:] = (70, 40, 90)
    return out, (FACE_AREA[0], FACE_AREA[1], FACE_AREA[2], 140.0)


def door_frame(photo: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The image's right half of the face hidden behind a door frame."""
    out = photo.copy()
    out[:, 125:] = (200, 190, 170)
    return out, (FACE_AREA[0], FACE_AREA[1], 125.0, FACE_AREA[3])


def cases(
    photos: list[Path], profiles: list[Path], n: int, rng: random.Random
) -> Iterator[tuple[str, list[Path], list[tuple[float, float, float, float]], Any]]:
    """(case, photos, places, cover) for every frame of every case."""
    centre = (320.0, 240.0)

    def pick(k: int) -> list[Path]:
        return rng.sample(photos, k)

    for _ in range(n):
        yield "frontal", pick(1), [(*centre, 1.0, 0.0)], None
    for angle in (30.0, -30.0):
        for _ in range(n):
            yield f"turned {angle:+.0f}°", pick(1), [(*centre, 1.0, angle)], None
    for path in profiles[:n]:
        yield "profile (most turned lfw-dev)", [path], [(*centre, 1.0, 0.0)], None
    for _ in range(n):
        yield "half covered (scarf)", pick(1), [(*centre, 1.0, 0.0)], scarf
    for _ in range(n):
        yield "half covered (door frame)", pick(1), [(*centre, 1.0, 0.0)], door_frame
    for _ in range(n):
        x, y = rng.uniform(80, 560), rng.uniform(80, 400)
        yield "small (face ≈ 30 px)", pick(1), [(x, y, 0.38, 0.0)], None
    for _ in range(n):
        yield "two people", pick(2), [(180, 240, 0.9, 0.0), (460, 250, 0.85, 0.0)], None
    for _ in range(n):
        places = [(110, 250, 0.8, 0.0), (320, 230, 0.8, 0.0), (530, 260, 0.75, 0.0)]
        yield "three people", pick(3), places, None


def covered(face: Face, boxes: list[tuple[int, int, int, int]]) -> bool:
    """Every pixel of the face's area lies inside some masked box."""
    import cv2

    x0, y0 = np.floor(face.min(0)).astype(int)
    x1, y1 = np.ceil(face.max(0)).astype(int)
    w, h = x1 - x0 + 1, y1 - y0 + 1
    need = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(need, np.round(face - (x0, y0)).astype(np.int32), 1)
    have = np.zeros((h, w), np.uint8)
    for left, top, right, bottom in boxes:
        have[max(0, top - y0) : max(0, bottom - y0), max(0, left - x0) : max(0, right - x0)] = 1
    # Parts of the area outside the frame cannot show.
    ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
    on_frame = (xs >= 0) & (xs < FRAME[0]) & (ys >= 0) & (ys < FRAME[1])
    return not bool((need.astype(bool) & ~have.astype(bool) & on_frame).any())


def overlaps(face: Face, box: Any) -> bool:
    x0, y0 = face.min(0)
    x1, y1 = face.max(0)
    return box.left < x1 and box.right > x0 and box.top < y1 and box.bottom > y0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100, help="frames per case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from smartlock.face.dataset import QUALITY_FIELDS, ReadingsCache, list_people
    from smartlock.face.decode import load_image
    from smartlock.face.detect import detect_faces
    from smartlock.face.snapshot import SnapshotError, mask_regions, masked_snapshot

    people = list_people(LFW)
    photos = [p for images in people.values() for p in images]
    cache, yaw_at = ReadingsCache(), QUALITY_FIELDS.index("yaw")
    yaws = []
    for p in photos:
        got = cache.get(p)
        if got is not None and not np.isnan(got.quality[yaw_at]):
            yaws.append((abs(float(got.quality[yaw_at])), p))
    profiles = [p for _, p in sorted(yaws, key=lambda t: -t[0])]
    rng = random.Random(args.seed)
    stats: dict[str, dict[str, Any]] = {}
    times: list[float] = []
    for case, paths, places, cover in cases(photos, profiles, args.photos, rng):
        frame, faces = compose([load_image(p) for p in paths], places, cover)
        row = stats.setdefault(
            case,
            {
                "frames": 0,
                "faces": 0,
                "unmasked": 0,
                "hog_sees": 0,
                "hog_after": 0,
                "masked_share": [],
            },
        )
        row["frames"] += 1
        row["faces"] += len(faces)
        boxes = mask_regions(frame)
        if len(times) < 200:
            started = time.perf_counter()
            try:
                masked_snapshot(frame)
            except SnapshotError:
                row["refused"] += 1  # fails closed: no picture, which is safe
            times.append((time.perf_counter() - started) * 1000)
        masked = frame.copy()
        area = np.zeros(frame.shape[:2], bool)
        for left, top, right, bottom in boxes:
            masked[top:bottom, left:right] = 0
            area[top:bottom, left:right] = True
        row["masked_share"].append(float(area.mean()))
        before = detect_faces(frame, upsample=1, min_score=HOG_CHECK_SCORE)
        after = detect_faces(masked, upsample=1, min_score=HOG_CHECK_SCORE)
        for face in faces:
            row["hog_sees"] += any(overlaps(face, b) for b in before)
            found_after = any(overlaps(face, b) for b in after)
            row["hog_after"] += found_after
            if not covered(face, boxes) or found_after:
                row["unmasked"] += 1
    report = {
        case: {
            **{k: v for k, v in row.items() if k != "masked_share"},
            "masked_share_median": statistics.median(row["masked_share"]),
            "masked_share_max": max(row["masked_share"]),
        }
        for case, row in stats.items()
    }
    timing = {
        "median_ms": statistics.median(times),
        "p95_ms": float(np.percentile(times, 95)),
        "frames": len(times),
    }
    if args.json:
        print(json.dumps({"cases": report, "masked_snapshot": timing}))
        return
    print(
        f"{'case':32}{'faces':>6}{'unmasked':>10}{'HOG sees':>10}{'HOG after':>10}"
        f"{'masked (median/max)':>22}"
    )
    for case, row in report.items():
        print(
            f"{case:32}{row['faces']:6}{row['unmasked']:10}{row['hog_sees']:10}"
            f"{row['hog_after']:10}{row['masked_share_median']:>14.0%} /"
            f"{row['masked_share_max']:4.0%}"
        )
    total = sum(r["unmasked"] for r in report.values())
    faces = sum(r["faces"] for r in report.values())
    print(f"unmasked faces: {total} of {faces}")
    print(
        f"masked_snapshot per 640×480 frame: median {timing['median_ms']:.1f} ms, "
        f"p95 {timing['p95_ms']:.1f} ms ({timing['frames']} frames)"
    )


if __name__ == "__main__":
    main()
