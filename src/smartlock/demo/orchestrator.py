"""`smartlock demo`: broker, cloud, web app, N virtual locks and their panels, one process.

Everything runs in one asyncio loop (the locks tick in their own threads), so it
starts in about a second and Ctrl-C stops it in order: HTTP server (and with it the
cloud's MQTT worker), locks, broker. All state is in the data folder, so the next
run finds the same account, locks and binding.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import secrets
import signal
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartlock.demo.account import DemoAccount, ensure_account
from smartlock.demo.lockproc import LockProcess
from smartlock.hardware import ButtonId

log = logging.getLogger(__name__)

DEVICE_NAME = "Front door"
PAIR_TIMEOUT_S = 30.0
HELLO_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class DemoOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    http_port: int | None = None  # None: 8000 if free, else any free port
    mqtt_port: int | None = None  # None: 1883 if free, else any free port
    locks: int = 1
    lang: str = "en"
    reset_password: bool = False
    mosquitto: bool = True  # False: the embedded MQTT 3.1.1 broker even if Mosquitto exists


def web_routers() -> list[Any]:
    """The web app's router(s), if the web package provides them (`smartlock.web`)."""
    try:
        web = importlib.import_module("smartlock.web")
    except ImportError:
        return []
    for name in ("create_router", "build_router"):
        factory = getattr(web, name, None)
        if callable(factory):
            return [factory()]
    router = getattr(web, "router", None)
    return [] if router is None else [router]


def _cloud_settings(broker: Any, data: Path, vendor_key: str, host: str) -> Any:
    """The cloud's settings for the demo's broker, folder and firmware vendor."""
    from pydantic import SecretStr

    from smartlock.cloud.core.config import Settings

    return Settings(
        data_dir=data / "cloud",
        broker_url=broker.url,
        broker_username="cloud",
        broker_password=SecretStr(broker.credentials["cloud"]),
        broker_mqtt5=broker.mqtt5,
        shared_subscriptions=broker.mqtt5,
        broker_password_file=broker.password_file,
        broker_reload_command=broker.reload_command,
        firmware_vendor_key=vendor_key,
        # Plain http: a Secure cookie would never come back. Only on loopback;
        # elsewhere the default (Secure) stands and the demo wants HTTPS in front.
        cookie_secure=not _loopback(host),
    )


async def _started(server: Any, task: asyncio.Task[Any]) -> None:
    """Until the HTTP server listens; its own error if it stops first."""
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the HTTP server did not start")
        await asyncio.sleep(0.05)


def _quiet_server(config: Any) -> Any:
    """A uvicorn server that leaves Ctrl-C to the demo (which stops things in order)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    return Server(config)


async def first_use(lock: LockProcess) -> str:
    """D-FIRST at the keypad, as a person does it: wake, #, password twice."""
    pin = f"{secrets.randbelow(10**8):08d}"
    keypad = lock.hardware.keypad
    for keys in ("*", "#", f"{pin}#", f"{pin}#"):
        await asyncio.to_thread(keypad.type, keys)
    return pin


async def pair_with_account(services: Any, account: DemoAccount, lock: LockProcess) -> bool:
    """D-PAIR as a person does it: settings key held 3 s, then bind by serial + code.

    Returns False when the lock was already bound to this account (nothing to do).
    """
    from smartlock.cloud import crud, lockops

    with services.sessionmaker() as session:
        owner = crud.get_account_by_email(session, email=account.email)
        device = crud.get_device_by_serial(session, serial=lock.serial)
        if owner is None:
            raise RuntimeError(f"no account {account.email}")
        if device is not None and device.owner_id == owner.id and lock.bound:
            return False
    await asyncio.to_thread(lock.hardware.press, ButtonId.SETTINGS, 3.0)
    async with asyncio.timeout(HELLO_TIMEOUT_S):  # wait for the hello, so no failure counts
        while True:
            with services.sessionmaker() as session:
                if crud.fresh_hello(session, serial=lock.serial) is not None:
                    break
            await asyncio.sleep(0.1)
    with services.sessionmaker() as session:
        owner = crud.get_account_by_email(session, email=account.email)
        assert owner is not None  # checked above; accounts are never deleted here
        await lockops.bind_lock(
            services,
            session,
            account=owner,
            serial=lock.serial,
            code=lock.label.code,
            name=DEVICE_NAME,
        )
    async with asyncio.timeout(PAIR_TIMEOUT_S):
        while not (lock.bound and lock.link_connected):
            await asyncio.sleep(0.1)
    return True


class Demo:
    """The running system; `await run()` until Ctrl-C (or `stop()`)."""

    def __init__(self, options: DemoOptions) -> None:
        self.options = options
        self.stopping = asyncio.Event()
        self.base_url = ""
        self.locks: list[LockProcess] = []
        self.broker: Any = None
        self.account: DemoAccount | None = None
        self.first_pin: str | None = None
        self.ready = asyncio.Event()
        self.panel_key = ""

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> int:
        from smartlock.cloud.app import build_services, create_app, server_config
        from smartlock.demo.broker import DemoBroker
        from smartlock.demo.panel import new_panel_key, panel_router
        from smartlock.link.broker import pick_port

        opts = self.options
        data = opts.data_dir.resolve()
        data.mkdir(parents=True, exist_ok=True)
        broker = DemoBroker(data / "broker", opts.host, opts.mqtt_port, opts.mosquitto)
        await broker.start()
        self.broker = broker
        vendor_key = demo_vendor_key(data / "vendor")
        settings = _cloud_settings(broker, data, vendor_key, opts.host)
        services = build_services(settings)
        self.locks = self._open_locks(broker, data, vendor_key)
        web = web_routers()
        self.panel_key = new_panel_key()  # per run: only whoever reads the banner drives
        routers = [panel_router(self.locks, self.panel_key), *web]
        app = create_app(settings, services=services, extra_routers=routers)

        port = pick_port(opts.host, 8000 if opts.http_port is None else opts.http_port)
        server = _quiet_server(
            server_config(
                app, host=opts.host, port=port, log_level="warning", timeout_graceful_shutdown=2
            )
        )
        self.base_url = f"http://{opts.host}:{port}"
        lock_stop = asyncio.Event()
        lock_tasks = [asyncio.create_task(lock.run(lock_stop)) for lock in self.locks]
        server_task = asyncio.create_task(server.serve())
        try:
            await _started(server, server_task)
            await self._greet(services, broker, data, web_app=bool(web))
            self.ready.set()
            await self.stopping.wait()
        finally:
            print("\nstopping ...", flush=True)
            server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server_task, 10)
            lock_stop.set()
            await asyncio.gather(*lock_tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(broker.stop(), 5)
            print("stopped; data kept in", data, flush=True)
        return 0

    def _open_locks(self, broker: Any, data: Path, vendor_key: str) -> list[LockProcess]:
        """The demo's locks; those paired on an earlier run get their broker login back."""
        from smartlock.demo.broker import register_login

        locks = [
            LockProcess(
                data / "locks" / str(n),
                broker.config,
                name=f"lock {n}",
                lang=self.options.lang,
                vendor_key=vendor_key,
                provision_password=broker.credentials["provision"],
            )
            for n in range(1, self.options.locks + 1)
        ]
        for lock in locks:  # locks paired before the broker asked for logins
            binding = lock.durable.core.state.binding
            if binding is not None and binding.broker_username:
                register_login(broker.folder, binding.broker_username, binding.broker_password)
        broker.reload()
        return locks

    async def _greet(self, services: Any, broker: Any, data: Path, *, web_app: bool) -> None:
        """The demo account, lock 1's first user and pairing, then the banner."""
        account = await asyncio.to_thread(
            ensure_account, services, data, reset=self.options.reset_password
        )
        self.account = account
        pin = None
        if self.locks and self.locks[0].status().get("users", 0) == 0:
            pin = await first_use(self.locks[0])
            self.first_pin = pin  # for a test that drives the lock (tests/ha)
        paired = bool(self.locks) and await pair_with_account(services, account, self.locks[0])
        self._banner(account, pin, paired, broker.url, data, web_app=web_app)
        self._ha_banner(broker)

    def _ha_banner(self, broker: Any) -> None:
        """What Home Assistant's MQTT setup asks for (docs/home-assistant.md)."""
        protocol = "5 (Home Assistant's default)" if broker.mqtt5 else "3.1.1"
        lines = [
            f"  Home Assistant: MQTT broker {broker.host}, port {broker.bound_port}, "
            f"username homeassistant, password {broker.credentials['homeassistant']}",
            f"            protocol {protocol}; then allow it in the app: lock settings > "
            "security > 'Home Assistant may lock and unlock' (docs/home-assistant.md)",
        ]
        if broker.warning:
            lines.append(f"  WARNING:  {broker.warning}")
        print("\n".join(lines), flush=True)

    def _banner(
        self,
        account: DemoAccount,
        pin: str | None,
        paired: bool,
        broker_url: str,
        data: Path,
        *,
        web_app: bool,
    ) -> None:
        base = self.base_url
        lines = ["", "smartlock demo is running (Ctrl-C stops it)"]
        app_url = f"{base}/app/" if web_app else f"{base}/docs   (JSON API; no web app)"
        lines.append(f"  app:      {app_url}")
        for n, lock in enumerate(self.locks, start=1):
            state = "bound" if lock.bound else "not paired"
            lines.append(
                f"  panel:    {base}/panel/{n}?key={self.panel_key}   "
                f"lock {n}: serial {lock.serial}, "
                f"code {lock.label.code}, {state}"
            )
        lines.append(f"  broker:   {broker_url}")
        if account.password is not None:
            lines.append(f"  account:  {account.email}  password: {account.password}")
            lines.append(" " * 12 + "(shown once; `smartlock demo --reset-password` for a new one)")
        else:
            lines.append(
                f"  account:  {account.email} exists; forgot the password? "
                "`smartlock demo --reset-password`"
            )
        if pin is not None:
            lines.append(f"  lock 1:   master user 001 password: {pin}  (shown once)")
        if paired:
            lines.append(f"  lock 1 was paired to {account.email} (settings key held 3 s)")
        lines.append(
            f"  firmware: vendor key {data / 'vendor' / 'vendor.key'} (docs/firmware-updates.md)"
        )
        lines.append(f"  data:     {data}   (delete it to start over)")
        print("\n".join(lines), flush=True)


async def run_demo(options: DemoOptions) -> int:
    """Run until SIGINT/SIGTERM."""
    demo = Demo(options)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, demo.stop)
    return await demo.run()


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - thin wrapper
    from smartlock.cli import main as cli_main

    return cli_main(["demo", *(argv or [])])


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def demo_vendor_key(folder: Path) -> str:
    """The demo's own firmware vendor key (A-OTA), made on the first run (0600): the
    cloud and the demo locks trust its public key, so `smartlock firmware sign` with it
    and `publish --data-dir <demo>/cloud` offers an update in the app.
    """
    from smartlock.link import firmware as fw

    folder.mkdir(parents=True, exist_ok=True)
    private = folder / "vendor.key"
    if not private.exists():
        fw.write_private_key(fw.new_private_key(), private)
    public = fw.public_key_text(fw.read_private_key(private))
    (folder / "vendor.pub").write_text(public + "\n", "ascii")
    return public
