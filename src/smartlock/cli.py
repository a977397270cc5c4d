"""`smartlock`: one command, sub-commands contributed by each part of the system.

Each part keeps its own sub-commands in a small module exposing
`register(subparsers)`; heavy imports (dlib, FastAPI, aiomqtt) happen inside the
handlers, so `smartlock console` starts fast and needs none of them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Modules that contribute sub-commands, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "smartlock.console_cli",
    "smartlock.face.cli",
    "smartlock.link.cli",
    "smartlock.cloud.cli",
    "smartlock.cloud.firmware_cli",
    "smartlock.demo.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smartlock", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    _register_bench(sub)
    return parser


BENCHES = {"fleet": "fleet_bench.py", "faults": "faults.py"}  # name -> bench/ script


def _register_bench(subparsers: Any) -> None:
    bench = subparsers.add_parser(
        "bench",
        help="run a benchmark from the source tree's bench/ (fleet: issue 11; faults: 12)",
    )
    bench.add_argument("name", choices=sorted(BENCHES))
    bench.add_argument("options", nargs=argparse.REMAINDER, help="passed to the bench")
    bench.set_defaults(handler=_run_bench)


def _run_bench(args: argparse.Namespace) -> int:
    """Load ``bench/<script>`` of this checkout and call its ``main(options)``."""
    script = Path(__file__).resolve().parents[2] / "bench" / BENCHES[args.name]
    if not script.exists():
        print(f"error: {script} not found; benches run from a source checkout")
        return 2
    spec = importlib.util.spec_from_file_location(f"smartlock_bench_{args.name}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return int(module.main(args.options) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result = args.handler(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
