"""`smartlock broker`: run the embedded MQTT broker for single-machine use."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any


def register(subparsers: Any) -> None:
    """Add the link's sub-commands to the `smartlock` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "broker",
        help="run an embedded MQTT broker (amqtt) on this machine",
        description="Embedded MQTT 3.1.1 broker; uses 1883 if free, else a free port.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 1883 or any free)")
    p.set_defaults(handler=_broker)


def _broker(args: argparse.Namespace) -> int:
    from smartlock.link.broker import serve_forever

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.host, args.port))
    return 0
