"""`smartlock`: one command, sub-commands contributed by each part of the system.

Each part keeps its own sub-commands in a small module exposing
`register(subparsers)`; heavy imports (dlib, FastAPI, aiomqtt) happen inside the
handlers, so `smartlock console` starts fast and needs none of them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules that contribute sub-commands, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "smartlock.device.console_cli",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result = args.handler(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
