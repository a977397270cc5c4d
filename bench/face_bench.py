"""Face unlock bench with defaults: the lock protocol (5 and 50 residents) and latency.

Run from the repository root:  .venv/bin/python bench/face_bench.py [--json]
The first run embeds all of lfw-dev (tens of minutes on 2 cores) and caches the
readings under ~/.cache/smartlock/face; later runs take seconds plus the latency part.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from smartlock.face.bench import format_report, run_bench

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "lfw-dev"


def main() -> int:
    as_json = "--json" in sys.argv[1:]
    results = {}
    for residents in (5, 50):
        result = run_bench(DATA, residents=residents, latency_frames=100 if residents == 5 else 0)
        results[residents] = result
        if not as_json:
            print(format_report(result), end="\n\n")
    if as_json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
