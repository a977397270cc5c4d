"""One running lock: core + store + virtual hardware + runtime + face + link, wired.

The lock keeps everything in its data directory: `label.json` (serial and the
verification code printed on the label), `lock.db` (users, journal, binding with
the link credentials, installed firmware version), `link-state.json` (the applied
settings version), `vendor.pub` (optional: the firmware vendor's public key, A-OTA)
and `firmware/` (installed images). The
link follows the binding: while the lock is in pairing mode (settings key held 3 s,
D-PAIR) it announces itself with the provisioning identity and, when the cloud's
sealed answer opens, binds the core (`Bind`) and connects with its own identity;
an unbind or factory reset in the core stops the client. Both sessions use the serial
as MQTT client id, so a bound lock's own session is stopped for the pairing window and
started again after it (issue 12, item 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smartlock.demo.offline import BindingCodeBook
from smartlock.device import DurableLock, open_lock
from smartlock.device.core import effects as fx
from smartlock.device.core.inputs import Bind
from smartlock.device.core.records import Binding
from smartlock.device.runtime import FaceObserver, LockRuntime
from smartlock.hal.parts import Hardware
from smartlock.hal.virtual import VirtualLock
from smartlock.link.camera_feed import CameraFeed, Mask
from smartlock.link.connection import BrokerConfig
from smartlock.link.firmware_install import OtaConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.pairing import Label, LockCredentials, load_or_create_label
from smartlock.link.pairing_client import pair
from smartlock.link.runtime_adapter import RuntimeLockSide

log = logging.getLogger(__name__)

PROVISION_PASSWORD = "provisioning"  # noqa: S105  (a default for a broker without logins)
UNBIND_GRACE_S = 1.0  # let the client answer the `unbind` command before it stops
VENDOR_KEY_ENV = "SMARTLOCK_VENDOR_PUBLIC_KEY"
SUPERVISOR_MIN_S, SUPERVISOR_MAX_S = 0.5, 60.0  # backoff of the link task's restarts
PAIRING_GRACE_S = 2.0  # pair()'s own limit, after the core's window


def vendor_key_for(data_dir: Path, given: str | None = None) -> str | None:
    """The firmware vendor's public key (A-OTA): given, else `$SMARTLOCK_VENDOR_PUBLIC_KEY`,
    else `<data dir>/vendor.pub`; None: this lock refuses every update.
    """
    if given:
        return given
    if os.environ.get(VENDOR_KEY_ENV):
        return os.environ[VENDOR_KEY_ENV]
    path = data_dir / "vendor.pub"
    return path.read_text("ascii").strip() if path.is_file() else None


def face_parts() -> tuple[Any, FaceObserver | None]:
    """The face engine's matcher and observer if it is installed, else the reference."""
    try:
        from smartlock.face.matching import GalleryMatcher
    except ImportError as err:  # no face package: keypad-only lock
        log.info("face engine not available (%s): reference matcher, no camera", err)
        from smartlock.device import EuclideanMatcher

        return EuclideanMatcher(), None
    engine: list[Any] = []

    def observe(frame: Any) -> Any:
        # dlib and the models load on the first frame, so start-up stays quick.
        from smartlock.face.engine import FaceEngine
        from smartlock.face.observation import to_input

        if not engine:
            engine.append(FaceEngine())
        return to_input(engine[0].read(frame))

    return GalleryMatcher(), observe


def snapshot_masker() -> Mask | None:
    """What makes a picture safe to send (A-LIVE, D-PRIV), or None without the face
    engine: a lock that cannot find faces sends no pictures at all.
    """
    try:
        from smartlock.face.snapshot import masked_snapshot
    except ImportError as err:
        log.info("face engine not available (%s): no doorbell snapshots or live view", err)
        return None
    return masked_snapshot


def credentials_of(serial: str, binding: Binding | None) -> LockCredentials | None:
    """The link identity stored in the core's binding (None while unbound)."""
    if binding is None or not binding.lock_key:
        return None
    return LockCredentials(
        lock_id=serial,
        broker_username=binding.broker_username,
        broker_password=binding.broker_password,
        lock_key=binding.lock_key,
        owner=binding.owner[:128],
    )


HARDWARE_KEY_FILE = "hardware.key"


def virtual_hardware_key(data_dir: Path) -> bytes | None:
    """The virtual lock's stand-in for a secure element: 32 random bytes in their own
    0600 file, never in lock.db. With it the store keeps the per-lock secret (which
    keys the PIN hashes) and the face templates sealed, so a copy of lock.db alone
    does not give the PINs (issue 13). Made only with a new lock.db: an older store
    was sealed without one and keeps working as it was (docs/security.md).
    """
    path = data_dir / HARDWARE_KEY_FILE
    if path.exists():
        return path.read_bytes()
    if (data_dir / "lock.db").exists():
        return None
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


class LockProcess:
    """A virtual lock with its link; `await run(stop)` until `stop` is set."""

    def __init__(
        self,
        data_dir: Path,
        broker: BrokerConfig,
        *,
        name: str = "lock",
        lang: str = "en",
        hello_every_s: float = 5.0,
        link_options: LinkOptions | None = None,
        hardware: Hardware | None = None,
        vendor_key: str | None = None,
        factory_reset: bool = False,
        provision_password: str = PROVISION_PASSWORD,
        pairing_window_s: float | None = None,
    ) -> None:
        """`hardware`: real parts (e.g. `hal.rpi.build_rpi_hardware()`); the virtual lock
        (and its panel) is used when none is given. `vendor_key`: see `vendor_key_for`.
        `factory_reset`: a person asked to start over (a damaged store is set aside);
        without it a damaged store raises `StoreError` (see `open_lock`).
        `pairing_window_s`: how long pairing mode stays open (D-PAIR's 3 minutes unless
        a test or a bench says otherwise).
        """
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.broker = broker
        self.hello_every_s = hello_every_s
        self.provision_password = provision_password
        self.link_options = link_options or LinkOptions(poll_s=1.0, ack_timeout_s=3.0)
        self.label: Label = load_or_create_label(self.data_dir)
        matcher, observe = face_parts()
        self.durable = self._open_store(matcher, factory_reset, pairing_window_s)
        # The panel's lock (idle when real parts are given); its fingerprint module keeps
        # its templates in the data dir, as a real module keeps them in its flash.
        self.hardware = VirtualLock(finger_flash=self.data_dir / "fingerprint-module.json")
        self.runtime = LockRuntime(
            core=self.durable,
            hardware=hardware or self.hardware.hardware,
            lang=lang,
            observe_face=observe,
        )
        self.camera = self._camera_feed()
        self.side = self._link_side(vendor_key)
        self.client: LockClient | None = None
        self._client_task: asyncio.Task[None] | None = None
        self._client_key = ""
        self._unwatch: Callable[[], None] | None = None
        self._pairing: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_pairing = False  # the pairing session holds the serial's client id
        self._stopping = False

    def _open_store(
        self, matcher: Any, factory_reset: bool, pairing_window_s: float | None
    ) -> DurableLock:
        """The core on its store; offline codes follow whatever binding it holds."""
        codes = BindingCodeBook()
        durable = open_lock(
            self.data_dir / "lock.db",
            serial=self.label.serial,
            verification_code=self.label.code,
            matcher=matcher,
            offline_codes=codes,
            factory_reset=factory_reset,
            hardware_key=virtual_hardware_key(self.data_dir),
        )
        codes.binding = lambda: durable.core.state.binding
        if pairing_window_s is not None:
            durable.core.pairing_window_s = pairing_window_s
        return durable

    def _camera_feed(self) -> CameraFeed | None:
        """The masked snapshot feed, or None where no masker can be had."""
        mask = snapshot_masker()
        return None if mask is None else CameraFeed(self.runtime.capture, mask)

    def _link_side(self, vendor_key: str | None) -> RuntimeLockSide:
        """What the link drives: the runtime, its settings file, updates and camera."""
        vendor = vendor_key_for(self.data_dir, vendor_key)
        ota = None if vendor is None else OtaConfig(vendor, image_dir=self.data_dir / "firmware")
        return RuntimeLockSide(
            self.runtime,
            self.durable,
            self.data_dir / "link-state.json",
            ota=ota,
            camera=self.camera,
        )

    @property
    def serial(self) -> str:
        return self.label.serial

    def status(self) -> dict[str, Any]:
        """The core's status (A-STATUS shape) as plain data."""
        return self.durable.core.status().to_dict()

    @property
    def bound(self) -> bool:
        return self.durable.core.state.binding is not None

    @property
    def link_connected(self) -> bool:
        return self.client is not None and self.client.connected.is_set()

    async def run(self, stop: asyncio.Event) -> None:
        """Boot the lock, follow its binding with the link, until `stop`."""
        self._loop = asyncio.get_running_loop()
        remove = self.runtime.add_listener(self._from_thread)
        await asyncio.to_thread(self.runtime.start)
        self._sync_link()
        try:
            await stop.wait()
        finally:
            self._stopping = True
            remove()
            await self._stop_pairing()
            await self._stop_client()
            await asyncio.to_thread(self.runtime.stop)
            self.durable.store.close()

    # -- effects → link ---------------------------------------------------------------

    def _from_thread(self, effect: fx.Effect) -> None:
        if isinstance(effect, fx.PairingWindow | fx.StatusChanged) and self._loop is not None:
            self._loop.call_soon_threadsafe(self._on_effect, effect)

    def _on_effect(self, effect: fx.Effect) -> None:
        if isinstance(effect, fx.PairingWindow):
            if effect.until is not None and (self._pairing is None or self._pairing.done()):
                self._pairing = asyncio.create_task(
                    self._pair(effect.until), name=f"pair-{self.serial}"
                )
            elif effect.until is None and self._pairing is not None:
                self._pairing.cancel()
        elif isinstance(effect, fx.StatusChanged):
            asyncio.get_running_loop().call_later(UNBIND_GRACE_S, self._sync_link)

    async def _pair(self, until: float) -> None:
        """D-PAIR, lock side, for the window that closes at `until` (the core's clock).

        The pairing session's MQTT client id is the serial (the broker's ACL gives the
        provisioning login the pairing topics of its client id), and so is the lock's
        own session's: the two must never be connected at once (issue 12, item 7). On
        Mosquitto each connect took the other's session over, so the lock's reconnect
        ended the pairing session within a second; on amqtt the two connections shared
        one session, and the pairing session's clean end took the lock's subscriptions
        with it: connected, sending events, deaf to every command and ack. So a bound
        lock's own session stops for the window (it says `offline` first) and starts
        again when the window ends, with or without a bind.
        """
        self._in_pairing = True
        try:
            await self._stop_client()
            self._client_key = ""  # the session is stopped: `_sync_link` starts it again
            creds = await self._pairing_session(until)
            if creds is not None:
                self._pairing = None  # the bind closes pairing mode: do not cancel ourselves
                await self._bind(creds)
        finally:
            self._in_pairing = False
            self._sync_link()

    async def _pairing_session(self, until: float) -> LockCredentials | None:
        """Hellos until the cloud answers (its credentials), or None when it did not."""
        # The core closes the window (PairingWindow(None) cancels this task); pair()'s
        # own limit is only a backstop a little after it.
        window_s = max(0.0, until - self.runtime.clock()) + PAIRING_GRACE_S
        try:
            return await pair(
                self.broker,
                self.label,
                username="provision",  # the shared pairing identity (deploy/mosquitto/acl)
                password=self.provision_password,
                firmware=str(self.status().get("firmware", "")),
                window_s=window_s,
                hello_every_s=self.hello_every_s,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # broker away, window over: the person can try again
            log.warning("%s: pairing ended without a binding: %s", self.name, exc)
            return None

    async def _bind(self, creds: LockCredentials) -> None:
        if creds.name:
            self.side.set_device_name(creds.name)  # Home Assistant's device name (A-HA)
        bind = Bind(
            request_id=f"bind-{uuid.uuid4().hex}",
            serial=self.serial,
            verification_code=self.label.code,
            owner=creds.owner or "cloud",
            broker_username=creds.broker_username,
            broker_password=creds.broker_password,
            lock_key=creds.lock_key,
        )
        effects = await self.runtime.asubmit(bind)
        ok = any(isinstance(e, fx.CommandResult) and e.ok for e in effects)
        log.info("%s: paired with the cloud: %s", self.name, "bound" if ok else "refused")

    def _sync_link(self) -> None:
        """Run the link client exactly while the core holds a binding (with its key),
        except while the pairing session has the serial's client id (see `_pair`).
        """
        if self._in_pairing or self._stopping:
            return
        creds = credentials_of(self.serial, self.durable.core.state.binding)
        key = "" if creds is None else creds.lock_key
        if key == self._client_key:
            return
        self._client_key = key
        task = asyncio.create_task(self._restart_client(creds), name=f"link-{self.serial}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart_client(self, creds: LockCredentials | None) -> None:
        await self._stop_client()
        if creds is None or self._loop is None or self._in_pairing or self._stopping:
            return  # `_pair` starts it again after the window
        client = LockClient(self.broker, creds, self.side, self.link_options)
        self._unwatch = self.side.watch(client.notify, self._loop)
        if self.camera is not None:
            self.camera.attach(client.publish_snapshot)
        self.client = client
        self._client_task = asyncio.create_task(
            self._supervise(client), name=f"lock-client-{self.serial}"
        )

    async def _supervise(self, client: LockClient) -> None:
        """Keep the link alive: `run()` only ends when cancelled, but should it ever
        return or raise (a bug), say so and start it again with backoff.
        """
        delay = SUPERVISOR_MIN_S
        while True:
            try:
                await client.run()
                log.error("%s: link task ended on its own; restarting", self.name)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: link task died; restarting in %.1f s", self.name, delay)
            await asyncio.sleep(delay)
            delay = min(SUPERVISOR_MAX_S, delay * 2)

    async def _stop_client(self) -> None:
        if self.camera is not None:
            self.camera.attach(None)
            self.camera.stop_live()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        task, self._client_task, self.client = self._client_task, None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _stop_pairing(self) -> None:
        task, self._pairing = self._pairing, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
