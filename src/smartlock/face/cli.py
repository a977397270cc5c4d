"""`smartlock face …` sub-commands: bench, calibrate, and reading a photo or video.

Heavy imports (dlib, numpy, OpenCV) happen inside the handlers so that the rest of
the `smartlock` command starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("../shared/faces/lfw-dev")


def register(subparsers: Any) -> None:
    face = subparsers.add_parser("face", help="on-device face recognition: bench, calibrate, read")
    sub = face.add_subparsers(dest="face_command", metavar="ACTION")
    sub.required = True

    bench = sub.add_parser("bench", help="FAR/FRR per sensitivity and latency, vs the baseline")
    _data_args(bench, default_half="report")
    bench.add_argument(
        "--baseline",
        action="store_true",
        help="also compute the plain dlib pipeline's accuracy (slow on a cold cache)",
    )
    bench.add_argument(
        "--latency-frames",
        type=int,
        default=100,
        metavar="N",
        help="frames to time (0: skip latency)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(handler=_bench)

    cal = sub.add_parser("calibrate", help="search each sensitivity's threshold and margin")
    _data_args(cal, default_half="tuning")
    cal.set_defaults(handler=_calibrate)

    read = sub.add_parser("read", help="read the face in a photo or each frame of a video")
    read.add_argument("path", type=Path)
    read.add_argument("--every", type=int, default=5, help="video: read every Nth frame")
    read.set_defaults(handler=_read)


def _data_args(parser: argparse.ArgumentParser, default_half: str) -> None:
    parser.add_argument(
        "--half",
        choices=("report", "tuning", "all"),
        default=default_half,
        help=f"which people of the folder (split by a hash of the name; default "
        f"{default_half}): thresholds are chosen on 'tuning', figures quoted on 'report'; "
        f"'all' for a folder no choice has seen",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder laid out like lfw-dev/ (<Name>/<image>)",
    )
    parser.add_argument("--residents", type=int, default=5, choices=(5, 50))
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument(
        "--subset",
        type=int,
        default=None,
        metavar="N",
        help="quick run: only the first N images (likely residents first)",
    )
    parser.add_argument(
        "--cache", type=Path, default=None, help="readings cache (default ~/.cache/smartlock/face)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that fill a cold readings cache (default: one per CPU)",
    )


def _progress(done: int, total: int) -> None:
    if done % 250 == 0 or done == total:
        print(f"\rreading images {done}/{total}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def _bench(args: argparse.Namespace) -> int:
    from smartlock.face.bench import format_report, run_bench
    from smartlock.face.split import Half

    try:
        result = run_bench(
            args.data,
            residents=args.residents,
            trials=args.trials,
            subset=args.subset,
            cache_dir=args.cache,
            latency_frames=args.latency_frames,
            progress=_progress,
            jobs=args.jobs,
            half=Half(args.half),
            baseline_accuracy=True if args.baseline else None,
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else format_report(result))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    import numpy as np

    from smartlock.face.bench import half_images
    from smartlock.face.calibration import TARGETS, search_rules
    from smartlock.face.dataset import ReadingsCache
    from smartlock.face.protocol import load_dataset, run_protocol
    from smartlock.face.split import Half

    if args.half == "report":
        print(
            "warning: calibrating on the report half makes its figures optimistic; "
            "calibrate on --half tuning",
            file=sys.stderr,
        )
    images = half_images(args.data, Half(args.half), args.subset)
    cache = ReadingsCache(args.cache)
    cache.fill(images, jobs=args.jobs)
    data = load_dataset(images, cache, lambda n: _progress(n, len(images)))
    attempts = run_protocol(data, residents=args.residents, trials=args.trials)
    rules = search_rules(
        attempts.rates,
        thresholds=[round(t, 4) for t in np.arange(0.15, 0.50, 0.0025)],
        margins=[0.0, 0.01, 0.02, 0.04],
    )
    for sens, rule in rules.items():
        far, frr = attempts.rates(rule)
        print(
            f"{sens.value:7} threshold {rule.threshold:.3f} margin {rule.margin:.3f}  "
            f"FAR {far:.1e}  FRR {frr:.2%}   target: {TARGETS[sens]}"
        )
    return 0


def _read(args: argparse.Namespace) -> int:
    from smartlock.face.decode import load_image
    from smartlock.face.engine import FaceEngine
    from smartlock.face.errors import FaceError
    from smartlock.face.frames import is_video, video_frames

    engine = FaceEngine()
    try:
        if is_video(args.path):
            for index, frame in video_frames(args.path, every=args.every):
                print(f"frame {index}: {describe(engine.read(frame))}")
        else:
            print(describe(engine.read(load_image(args.path))))
    except FaceError as exc:
        print(f"error ({exc.code}): {exc.reason}", file=sys.stderr)
        return 2
    return 0


def describe(reading: Any) -> str:
    """One line about a reading, never its embedding (D-PRIV)."""
    q = reading.quality
    where = (
        f" (face {q.face_px:.0f} px at 640 wide, yaw {q.yaw:+.0f}°, pitch {q.pitch:+.0f}°, "
        f"sharpness {q.sharpness:.2f}, brightness {q.brightness:.0f})"
        if q is not None
        else ""
    )
    return ("usable face" if reading.usable else f"refused: {reading.reason}") + where
