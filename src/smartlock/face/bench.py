"""`smartlock face bench`: FAR/FRR per sensitivity and per-frame latency, vs the baseline.

Accuracy follows the lock protocol (`protocol`) on cached readings; latency times the
real pipeline on LFW photos pasted into 640×480 frames: detect + embed + match against
a 1,000-template gallery (50 users × 20), for ours and for the plain baseline (HOG with
one upsample, 5-point landmarks, nearest template, no gate) in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smartlock.device.core.ports import FaceTemplate
from smartlock.face.calibration import DecisionRule, rule_for
from smartlock.face.dataset import (
    BaselineCache,
    ReadingsCache,
    bench_order,
    list_people,
    place_in_frame,
)
from smartlock.face.protocol import Attempts, Dataset, load_dataset, run_protocol, upper_bound
from smartlock.face.split import Half, in_half
from smartlock.vocab import Sensitivity

# The README's thresholds for the plain dlib pipeline, one per sensitivity.
BASELINE_RULES = {
    Sensitivity.LOW: DecisionRule(0.55),
    Sensitivity.MEDIUM: DecisionRule(0.50),
    Sensitivity.HIGH: DecisionRule(0.45),
}


def accuracy(attempts: Attempts, rules: dict[Sensitivity, DecisionRule]) -> dict[str, Any]:
    """FAR (with its count and 95 % upper bound) and FRR of each rule."""
    impostors = int((~attempts.genuine).sum())
    out: dict[str, Any] = {}
    for sens, rule in rules.items():
        far, frr = attempts.rates(rule)
        accepted = round(far * impostors)
        out[sens.value] = {
            "threshold": rule.threshold,
            "margin": rule.margin,
            "far": far,
            "far_accepted": accepted,
            "far_upper95": upper_bound(accepted, impostors),
            "frr": frr,
        }
    return out


def half_images(data_dir: Path, half: Half, subset: int | None = None) -> list[Path]:
    """The images of one half of a folder (likely residents first), optionally cut."""
    people = {n: imgs for n, imgs in list_people(data_dir).items() if in_half(n, half)}
    if not people:
        raise ValueError(f"no people of {data_dir} fall in the {half.value} half")
    return bench_order(people)[:subset]


def latency(
    data_dir: Path, data: Dataset, frames: int, seed: int = 0
) -> dict[str, dict[str, float]]:
    """p50/p95 ms per 640×480 frame for ours and the baseline, on the same frames."""
    import numpy as np

    from smartlock.face.align import face_chip, find_landmarks
    from smartlock.face.decode import load_image
    from smartlock.face.detect import detect_faces
    from smartlock.face.embed import dlib_embed_chip
    from smartlock.face.engine import FaceEngine
    from smartlock.face.matching import GalleryMatcher

    rng = np.random.default_rng(seed)
    usable = np.flatnonzero(~np.isnan(data.embedding).any(axis=1))
    rows = rng.choice(usable, size=1000, replace=len(usable) < 1000)
    templates = [
        FaceTemplate(user_no=1 + i // 20, embedding=tuple(map(float, data.embedding[r])))
        for i, r in enumerate(rows)
    ]
    gallery = np.asarray([t.embedding for t in templates])
    people = list_people(data_dir)
    paths = [p for imgs in people.values() for p in imgs]
    picks = rng.choice(len(paths), size=min(frames, len(paths)), replace=False)
    shots = [place_in_frame(load_image(paths[i])) for i in picks]
    engine, matcher = FaceEngine(), GalleryMatcher()

    def ours(frame: Any) -> None:
        reading = engine.read(frame)
        if reading.embedding is not None:
            matcher.identify(reading.embedding, templates, Sensitivity.MEDIUM)

    def base(frame: Any) -> None:
        boxes = detect_faces(frame, upsample=1)
        if boxes:
            vector = dlib_embed_chip(face_chip(frame, find_landmarks(frame, boxes[0])))
            float(np.linalg.norm(gallery - vector, axis=1).min())

    ours(shots[0])  # warm up: load models, build the gallery matrix
    base(shots[0])
    return {"ours": _time(ours, shots), "baseline": _time(base, shots)}


def _time(step: Callable[[Any], None], shots: list[Any]) -> dict[str, float]:
    import numpy as np

    times = []
    for frame in shots:
        start = time.perf_counter()
        step(frame)
        times.append((time.perf_counter() - start) * 1000.0)
    return {
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
        "frames": len(times),
    }


def run_bench(
    data_dir: Path,
    *,
    residents: int = 5,
    trials: int = 20,
    subset: int | None = None,
    cache_dir: Path | None = None,
    latency_frames: int = 100,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
    half: Half = Half.REPORT,
    baseline_accuracy: bool | None = None,
) -> dict[str, Any]:
    """Everything `smartlock face bench` prints, as one JSON-able dict.

    `half`: which people of the folder (`split`): the report half by default, whose
    people no threshold has seen. `baseline_accuracy`: also run the protocol on the
    plain dlib pipeline (True: compute its slow readings; None: only when cached).
    `jobs` > 1 fills the readings caches in that many processes first (a cold cache is
    thousands of images; the latency part always runs in this process, alone).
    """
    images = half_images(data_dir, half, subset)
    base_cache = BaselineCache(cache_dir)
    if baseline_accuracy is None:
        baseline_accuracy = base_cache.complete(images)
    data = _readings(
        images, ReadingsCache(cache_dir), base_cache if baseline_accuracy else None, jobs, progress
    )
    ours = run_protocol(data, residents=residents, trials=trials)
    base = (
        run_protocol(data, residents=residents, trials=trials, baseline=True)
        if (baseline_accuracy)
        else None
    )
    times = latency(data_dir, data, latency_frames) if latency_frames else {}
    return {
        "half": half.value,
        "data": str(data_dir),
        "residents": residents,
        "trials": trials,
        "images": len(images),
        "people": len(data.people),
        "genuine_attempts": int(ours.genuine.sum()),
        "impostor_attempts": int((~ours.genuine).sum()),
        "sensitivities": accuracy(ours, {s: rule_for(s, residents) for s in Sensitivity}),
        "latency_ms": times.get("ours", {}),
        # The gate refuses photos where a second person as near stands about as central
        # ("one person at a time"); they count as false rejects above. How much that is:
        "two_faces": _two_faces(ours, residents),
        "baseline": {
            "sensitivities": accuracy(base, BASELINE_RULES) if base else None,
            "latency_ms": times.get("baseline", {}),
        },
    }


def _readings(
    images: list[Any],
    cache: ReadingsCache,
    base_cache: BaselineCache | None,
    jobs: int,
    progress: Callable[[int, int], None] | None,
) -> Any:
    """The dataset's readings (and the baseline's, given its cache), from the caches."""
    if jobs > 1:
        cache.fill(images, jobs=jobs)
        if base_cache is not None:
            base_cache.fill(images, jobs=jobs)
    return load_dataset(
        images,
        cache,
        (lambda n: progress(n, len(images))) if progress else None,
        baseline=base_cache,
    )


def _two_faces(ours: Any, residents: int) -> dict[str, Any]:
    """How many genuine attempts the one-person gate refused, and the FRR without them."""
    return {
        "share_of_genuine": float(ours.two_faces[ours.genuine].mean()),
        "sensitivities_without_them": accuracy(
            ours.without(ours.two_faces), {s: rule_for(s, residents) for s in Sensitivity}
        ),
    }


def format_report(result: dict[str, Any]) -> str:
    """The human-readable table of a bench result."""
    imp = result["impostor_attempts"]
    lines = [
        f"{result['half']} half of {result['data']}"
        + (" (people no threshold was chosen on)" if result["half"] == "report" else "")
        + (" (the half the thresholds were chosen on)" if result["half"] == "tuning" else ""),
        f"lock protocol: {result['residents']} residents, {result['trials']} trials, "
        f"{result['images']} images of {result['people']} people; "
        f"{result['genuine_attempts']} genuine / {imp} impostor attempts",
        f"{'sensitivity':12}{'thr':>6}{'margin':>7}{'FAR':>10}{'accepted':>14}"
        f"{'FAR ≤ (95 %)':>14}{'FRR':>8}",
    ]
    for name, ours in result["sensitivities"].items():
        lines.append(
            f"{name:12}{ours['threshold']:6.3f}{ours['margin']:7.3f}{ours['far']:10.1e}"
            f"{ours['far_accepted']:>7} of {imp:<6}{ours['far_upper95']:12.1e}"
            f"{ours['frr']:8.1%}"
        )
    if min(1.0, 3.0 / max(imp, 1)) > 1e-5:
        lines.append(
            f"  ({imp} impostor attempts cannot show FAR ≤ 1e-5: even 0 accepted bounds it "
            f"only at {upper_bound(0, imp):.1e})"
        )
    base = result["baseline"]["sensitivities"]
    if base:
        lines.append(
            "baseline (HOG ×1, 5 points, nearest raw template, no gate): "
            + "; ".join(
                f"{name} thr {b['threshold']:.2f} FAR {b['far']:.1e} FRR {b['frr']:.1%}"
                for name, b in base.items()
            )
        )
    else:
        lines.append("baseline accuracy: not cached (run with --baseline to compute it)")
    pair = result["two_faces"]
    alone = pair["sensitivities_without_them"]
    lines.append(
        f"two people presenting (refused by design: one person at a time): "
        f"{pair['share_of_genuine']:.1%} of genuine attempts; without them FRR is "
        + ", ".join(f"{name} {v['frr']:.1%} (FAR {v['far']:.1e})" for name, v in alone.items())
    )
    lat, blat = result["latency_ms"], result["baseline"]["latency_ms"]
    if lat:
        lines.append(
            f"latency per 640×480 frame (detect+align+embed face and mirror+match 1,000 "
            f"templates, {lat['frames']} frames): ours p50 {lat['p50']:.1f} ms p95 "
            f"{lat['p95']:.1f} ms; plain dlib pipeline p50 {blat['p50']:.1f} ms p95 "
            f"{blat['p95']:.1f} ms: {blat['p50'] / lat['p50']:.1f}× faster at p50, "
            f"{blat['p95'] / lat['p95']:.1f}× at p95"
        )
    return "\n".join(lines)
