"""Face unlock bench with defaults: the lock protocol (5 and 50 residents) and latency.

Run from the repository root:
    .venv/bin/python bench/face_bench.py [--json]     # the table of docs/face.md
    .venv/bin/python bench/face_bench.py --ablation   # "where each step helps"
Both report the *report* half of lfw-dev (people no threshold was chosen on); the
ablation runs on the tuning half. The first run embeds lfw-dev (≈ 7 min on one core)
and caches the readings under ~/.cache/smartlock/face; later runs take seconds plus
the latency part; the baseline's accuracy rows need its slow readings
(`smartlock face bench --baseline`).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from smartlock.face.bench import format_report, run_bench

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "lfw-dev"


def ablation(residents: int = 5) -> None:
    """Each decision step added in turn, thresholds searched per row."""
    import numpy as np

    from smartlock.face.bench import half_images
    from smartlock.face.calibration import DecisionRule
    from smartlock.face.dataset import BaselineCache, ReadingsCache
    from smartlock.face.protocol import Attempts, load_dataset, run_protocol
    from smartlock.face.quality import ENROL_POLICY, UNLOCK_POLICY, QualityPolicy
    from smartlock.face.split import Half

    data = load_dataset(half_images(DATA, Half.TUNING), ReadingsCache(), baseline=BaselineCache())
    off = QualityPolicy(
        min_face_px=0,
        max_face_px=1e9,
        max_second_face=9,
        min_sharpness=-1,
        min_brightness=-1,
        max_brightness=999,
        max_yaw=999,
        max_pitch=999,
        min_score=-99,
    )
    no_pair = dataclasses.replace(UNLOCK_POLICY, max_second_face=9)
    no_pair_enrol = dataclasses.replace(ENROL_POLICY, max_second_face=9)
    strict = dataclasses.replace(UNLOCK_POLICY, max_subject_offset=-1.0)
    g = residents
    variants = {
        "baseline (HOG x1, nearest raw template)": run_protocol(data, residents=g, baseline=True),
        "+ unit length, nearest template": run_protocol(
            data,
            residents=g,
            unlock_policy=off,
            enrol_policy=off,
            centroid_weight=0.0,
            flip_average=False,
        ),
        "+ flip-averaged embeddings": run_protocol(
            data, residents=g, unlock_policy=off, enrol_policy=off, centroid_weight=0.0
        ),
        "+ user centroid, no gate": run_protocol(
            data, residents=g, unlock_policy=off, enrol_policy=off
        ),
        "+ gate without the two-person rule": run_protocol(
            data, residents=g, unlock_policy=no_pair, enrol_policy=no_pair_enrol
        ),
        "+ session 2's rule (any second face ≥ 0.8× refused)": run_protocol(
            data, residents=g, unlock_policy=strict, enrol_policy=strict
        ),
        "shipped (full gate)": run_protocol(data, residents=g),
    }
    grid = [DecisionRule(float(t)) for t in np.arange(0.15, 0.65, 0.0025)]

    def best(att: Attempts, far_max: float = 1.0, frr_max: float = 1.0) -> str:
        rates = [(r, *att.rates(r)) for r in grid]
        ok = [x for x in rates if x[1] <= far_max and x[2] <= frr_max]
        if not ok:
            return "n/a"
        if frr_max < 1.0:
            r, far, frr = min(ok, key=lambda x: x[1])
            return f"FAR {far:.1e} (t {r.threshold:.3f})"
        r, far, frr = min(ok, key=lambda x: x[2])
        return f"FRR {frr:.1%} (t {r.threshold:.3f})"

    print(f"{residents} residents | variant | FRR<=5% | FAR<=1e-4 | FAR<=1e-5 | gate pass")
    for name, att in variants.items():
        passed = att.usable[att.genuine].mean()
        print(
            f"| {name} | {best(att, frr_max=0.05)} | {best(att, far_max=1e-4)} "
            f"| {best(att, far_max=1e-5)} | {passed:.1%} |"
        )


def main() -> int:
    args = sys.argv[1:]
    if "--ablation" in args:
        ablation(50 if "50" in args else 5)
        return 0
    results = {}
    for residents in (5, 50):
        result = run_bench(DATA, residents=residents, latency_frames=100 if residents == 5 else 0)
        results[residents] = result
        if "--json" not in args:
            print(format_report(result), end="\n\n")
    if "--json" in args:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
