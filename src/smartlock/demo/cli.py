"""`smartlock demo` and `smartlock lock run`: the whole system, or one lock, on this machine."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path("smartlock-demo")


def register(subparsers: Any) -> None:
    """Add `demo` and `lock run` to the `smartlock` parser."""
    _add_demo(subparsers)
    _add_lock_run(subparsers)


def _add_demo(subparsers: Any) -> None:
    demo: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run broker + cloud + web app + virtual locks with web panels",
        description="Everything on this machine; data persists in --data-dir.",
    )
    demo.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--http-port", type=int, default=None, help="default 8000, else free")
    demo.add_argument("--mqtt-port", type=int, default=None, help="default 1883, else free")
    demo.add_argument(
        "--embedded-broker",
        action="store_true",
        help="use the embedded MQTT 3.1.1 broker even when Mosquitto (MQTT 5) is installed",
    )
    demo.add_argument("--locks", type=int, default=1, help="number of virtual locks (1-9)")
    demo.add_argument("--lang", choices=("zh", "en"), default="en", help="lock prompt language")
    demo.add_argument(
        "--reset-password", action="store_true", help="give the demo account a new password"
    )
    demo.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    demo.set_defaults(handler=_demo)


def _add_lock_run(subparsers: Any) -> None:
    lock = subparsers.add_parser("lock", help="run one virtual lock on the link")
    sub = lock.add_subparsers(dest="lock_command", metavar="ACTION")
    sub.required = True
    run = sub.add_parser("run", help="run one virtual lock (pairs when its settings key is held)")
    run.add_argument("--data-dir", type=Path, required=True, help="the lock's own folder")
    run.add_argument("--broker", required=True, help="mqtt://host:port")
    run.add_argument("--mqtt5", action="store_true", help="the broker speaks MQTT v5")
    run.add_argument("--panel-port", type=int, default=None, help="serve its panel here")
    run.add_argument("--host", default="127.0.0.1", help="panel address (default 127.0.0.1)")
    run.add_argument("--lang", choices=("zh", "en"), default="en")
    _add_hardware_options(run)
    run.add_argument(
        "--vendor-key",
        default=None,
        help="firmware vendor public key(s), ed25519:base64url or PEM, several comma "
        "separated while the vendor rotates its key (A-OTA; default: "
        "$SMARTLOCK_VENDOR_PUBLIC_KEY or DATA_DIR/vendor.pub; none: updates refused)",
    )
    run.add_argument(
        "--factory-reset",
        action="store_true",
        help="start as a new lock: a store that will not open is moved aside "
        "(lock.db.broken-<time>); users, binding and journal are gone (D-RESET)",
    )
    run.add_argument("-v", "--verbose", action="store_true")
    run.set_defaults(handler=_lock_run)


def _add_hardware_options(run: argparse.ArgumentParser) -> None:
    """Which parts the lock drives: virtual ones, or a Raspberry Pi's pins and sensor."""
    run.add_argument(
        "--hal",
        choices=("virtual", "rpi"),
        default="virtual",
        help="virtual parts (default) or a Raspberry Pi's pins (docs/hardware.md)",
    )
    run.add_argument(
        "--fingerprint-port",
        default=None,
        help="with --hal rpi: the serial port of an R30x/R503/AS608 fingerprint module, "
        "e.g. /dev/ttyUSB0 (docs/fingerprint.md; default: none)",
    )
    run.add_argument(
        "--fingerprint-presses",
        type=int,
        choices=(2, 3),
        default=2,
        help="presses an enrolment takes on that module (AS608: 2; R503: 2 or 3)",
    )
    run.add_argument(
        "--fingerprint-touch-pin",
        type=int,
        default=None,
        help="BCM pin of an R503's touch output: a finger is read at once, not each second",
    )


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )


def _demo(args: argparse.Namespace) -> int:
    from smartlock.demo.orchestrator import DemoOptions, run_demo

    if not 1 <= args.locks <= 9:
        print("error: --locks must be 1-9")
        return 2
    _logging(args.verbose)
    options = DemoOptions(
        data_dir=args.data_dir,
        host=args.host,
        http_port=args.http_port,
        mqtt_port=args.mqtt_port,
        locks=args.locks,
        lang=args.lang,
        reset_password=args.reset_password,
        mosquitto=not args.embedded_broker,
    )
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run_demo(options))
    return 0


def _lock_run(args: argparse.Namespace) -> int:
    _logging(args.verbose)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_run_one_lock(args))
    return 0


async def _run_one_lock(args: argparse.Namespace) -> int:
    from smartlock.demo.lockproc import LockProcess
    from smartlock.errors import StoreError

    hardware = None
    if args.hal == "rpi":
        if args.panel_port is not None:
            print("error: the panel drives the virtual lock; use it without --hal rpi")
            return 2
        hardware = _rpi_hardware(args)
        if hardware is None:
            return 2
    try:
        lock = LockProcess(
            args.data_dir,
            _broker(args),
            name=f"lock {args.data_dir.name}",
            lang=args.lang,
            hardware=hardware,
            vendor_key=args.vendor_key,
            factory_reset=args.factory_reset,
        )
    except StoreError as exc:  # a damaged store: say so, never start over silently
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    stop = _stop_on_signals()
    tasks = [asyncio.create_task(lock.run(stop))]
    print(f"lock {lock.serial} (code {lock.label.code}) on {args.broker}", flush=True)
    if args.panel_port is not None:
        from smartlock.demo.panel import new_panel_key

        key = new_panel_key()  # per run: the printed link is the only way in
        serve = _serve_panel(lock, args.host, args.panel_port, stop, key)
        tasks.append(asyncio.create_task(serve))
        print(f"panel: http://{args.host}:{args.panel_port}/panel/1?key={key}", flush=True)
    await asyncio.gather(*tasks)
    return 0


def _broker(args: argparse.Namespace) -> Any:
    """The broker of `--broker mqtt://host:port` (one lock: no shared subscriptions)."""
    from urllib.parse import urlsplit

    from smartlock.link.connection import BrokerConfig

    url = urlsplit(args.broker)
    return BrokerConfig(
        url.hostname or "127.0.0.1",
        url.port or 1883,
        mqtt5=args.mqtt5,
        shared_subscriptions=False,
    )


def _rpi_hardware(args: argparse.Namespace) -> Any:
    """The Pi's parts, or None once it has said why they cannot be opened."""
    try:
        from smartlock.hal.rpi import RpiPins, build_rpi_hardware
        from smartlock.hal.voice import EspeakVoice

        return build_rpi_hardware(
            RpiPins(finger_touch=args.fingerprint_touch_pin),
            tts=EspeakVoice(),
            fingerprint_port=args.fingerprint_port,
            fingerprint_presses=args.fingerprint_presses,
        )
    except Exception as exc:  # gpiozero says why: no pins, no SPI, not a Pi
        print(f"error: cannot open the Raspberry Pi hardware: {exc}")
        return None


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, where the loop can take signal handlers."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def _serve_panel(lock: Any, host: str, port: int, stop: asyncio.Event, key: str) -> None:
    import uvicorn
    from fastapi import FastAPI

    from smartlock.demo.orchestrator import _quiet_server
    from smartlock.demo.panel import panel_router

    app = FastAPI(title="smartlock lock panel")
    app.include_router(panel_router([lock], key))
    server = _quiet_server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False)
    )
    task = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await task
