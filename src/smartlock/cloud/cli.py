"""``smartlock cloud …``: serve the API (with the MQTT worker), create users, migrate."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("cloud", help="the companion cloud (API + MQTT worker)")
    sub = parser.add_subparsers(dest="cloud_command", metavar="ACTION")
    sub.required = True

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, help="data directory (SMARTLOCK_DATA_DIR)")
        p.add_argument("--database-url", help="SQLAlchemy URL (SMARTLOCK_DATABASE_URL)")

    serve = sub.add_parser("serve", help="run the JSON API and the MQTT worker")
    common(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--broker", help="mqtt://user:password@host:port (SMARTLOCK_BROKER_URL)")
    serve.add_argument(
        "--http-only",
        action="store_true",
        help="serve the API only; `cloud worker` processes read the locks (fleet)",
    )
    serve.set_defaults(handler=_serve)

    worker = sub.add_parser("worker", help="run only the MQTT worker (no HTTP)")
    common(worker)
    worker.add_argument("--broker", help="mqtt://user:password@host:port (SMARTLOCK_BROKER_URL)")
    worker.add_argument(
        "--processes", type=int, default=1, help="worker processes to run (one per core)"
    )
    worker.add_argument(
        "--session",
        help="keep a named broker session per worker (NAME-0, NAME-1, ...; unique per "
        "host), so messages sent while a worker restarts wait for it "
        "(SMARTLOCK_WORKER_SESSION)",
    )
    worker.add_argument(
        "--retire",
        action="store_true",
        help="end the named sessions NAME-0 .. NAME-(processes-1) on the broker and exit "
        "(after scaling down, so no retired session keeps a share of the messages)",
    )
    worker.set_defaults(handler=_worker)

    create = sub.add_parser("create-user", help="create an account; prints its password once")
    common(create)
    create.add_argument("email")
    create.set_defaults(handler=_create_user)

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    common(migrate)
    migrate.set_defaults(handler=_migrate)


def _settings(args: argparse.Namespace) -> Any:
    from smartlock.cloud.core.config import Settings

    overrides: dict[str, Any] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.database_url:
        overrides["database_url"] = args.database_url
    if getattr(args, "broker", None):
        overrides["broker_url"] = args.broker
    return Settings(**overrides)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from smartlock.cloud.app import create_app, server_config

    settings = _settings(args)
    if args.http_only:
        settings.ingest = False
    app = create_app(settings)
    uvicorn.Server(server_config(app, host=args.host, port=args.port)).run()
    return 0


def _worker(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.broker_url:
        print("error: no broker (--broker or SMARTLOCK_BROKER_URL)")
        return 2
    name = args.session or settings.worker_session
    if args.retire:
        import asyncio

        from smartlock.cloud.app import build_services
        from smartlock.cloud.mqtt_client import retire_sessions

        if not name:
            print("error: --retire needs --session NAME")
            return 2
        services = build_services(settings)
        names = [f"{name}-{i}" for i in range(max(1, args.processes))]
        asyncio.run(retire_sessions(services.settings, names))
        services.engine.dispose()
        print("retired:", " ".join(names))
        return 0
    if args.processes <= 1:
        settings.worker_session = f"{name}-0" if name else ""
        return _run_worker(settings)
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    children = []
    for i in range(args.processes):
        own = settings.model_copy(update={"worker_session": f"{name}-{i}" if name else ""})
        children.append(spawn.Process(target=_run_worker, args=(own,)))
    for child in children:
        child.start()

    def stop(*_: Any) -> None:
        for child in children:
            child.terminate()  # each leaves its broker session cleanly (SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        for child in children:
            child.join()
    except KeyboardInterrupt:
        stop()
        for child in children:
            child.join(10)
    return max((child.exitcode or 0) for child in children)


def _run_worker(settings: Any) -> int:
    """One stateless worker: the locks' messages (a share of them), derived app data,
    outbound notifications and scenes.
    """
    import asyncio
    import logging

    from smartlock.cloud.app import build_services
    from smartlock.cloud.features_worker import run_features
    from smartlock.cloud.link_worker import run_link

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    services = build_services(settings)

    async def forever() -> None:
        # SIGTERM (systemd, the process group) stops cleanly, like Ctrl-C.
        main = asyncio.current_task()
        assert main is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
        async with run_link(services, ingest=True), run_features(services):
            await asyncio.Event().wait()

    try:
        asyncio.run(forever())
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        services.engine.dispose()
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from smartlock.cloud import crud
    from smartlock.cloud.app import build_services
    from smartlock.cloud.core.security import generate_password
    from smartlock.cloud.errors import CloudError

    services = build_services(_settings(args))
    password = generate_password()
    try:
        with services.sessionmaker() as session:
            account = crud.create_account(
                session, email=args.email, password=password, settings=services.settings
            )
    except CloudError as exc:
        print(f"error: {exc.message}")
        return 1
    finally:
        services.engine.dispose()
    if account is None:
        print(f"error: {args.email} has an account already")
        return 1
    print(f"created {account.email}")
    print(f"password (shown once, change it after signing in): {password}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from smartlock.cloud.db import make_engine, upgrade

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    engine.dispose()
    print("database is up to date")
    return 0
