"""The real lock as the link's `LockSide`: `LockRuntime` + `DurableLock` (core + store).

Commands go through the runtime (so the motor and prompts play) as `RemoteCommand`s
and come back as the core's `CommandResult` effect; events come from the store's
journal, converted to link `Event`s with details made safe for the wire (scalars
only, secret-looking keys dropped: D-PRIV), so one odd event can never block the
journal. Settings from the shadow run as `change_setting` commands, one per name,
and the applied desired version is kept in a small file beside the lock's database,
with `device_name` (the app's name for the lock, which Home Assistant shows: A-HA).

`firmware_update` commands (A-OTA) are the shell's own (`LinkAction`): with an
`OtaConfig` it verifies the vendor's Ed25519 signature with the lock's vendor public
key, refuses another model, the same version or a downgrade the vendor did not sign
(D-OTA-DOWNGRADE), fetches the image and checks its size and SHA-256, then hands it
to `slot_update.SlotUpdater`: inactive slot, read-back check, trial boot, confirmation
or rollback (D-OTA-AB). The core (`device.inputs.FirmwareUpdate`) journals each step
and keeps the version. The command is answered with the trial's outcome; the state
report carries progress and the outcome (`firmware_update`, A-OTA-STATUS).

With a `CameraFeed` (A-LIVE), the core's `TakeSnapshot` effect (a doorbell press)
and the `live_view` command (`LinkAction`) send pictures with every face masked on
the lock (D-PRIV); without one, `live_view` is refused `unknown_action`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartlock.device import effects as fx
from smartlock.device.durable import DurableLock
from smartlock.device.errors import LockError
from smartlock.device.inputs import FirmwareStage as Stage
from smartlock.device.inputs import FirmwareUpdate, RemoteAction, RemoteCommand
from smartlock.device.journal_chain import wire_details
from smartlock.device.records import FIRMWARE_VERSION
from smartlock.device.runtime import LockRuntime
from smartlock.device.slots import SlotStore
from smartlock.errors import ErrorCode
from smartlock.link import firmware as fw
from smartlock.link import slot_update
from smartlock.link.camera_feed import CameraFeed
from smartlock.link.schemas import (
    MAX_LIVE_VIEW_S,
    Command,
    CommandResult,
    Event,
    LinkAction,
    Scalar,
    ShadowReported,
    StateReport,
)
from smartlock.vocab import Mode

log = logging.getLogger(__name__)
_MODES = {m.value: m for m in Mode}
DEVICE_NAME = "device_name"  # not a core setting: the app's name, kept beside the version
MAX_NAME = 100
_CLAIMED = re.compile(r"^[0-9A-Za-z.+-]{1,32}$")


@dataclass(frozen=True, slots=True)
class OtaConfig:
    """Firmware updates (A-OTA): the vendor's public keys (`ed25519:` base64url or PEM;
    several, comma or space separated, while the vendor rotates its key) are the only
    keys the lock trusts for images; `image_dir` receives installed images.
    """

    vendor_key: str
    model: str = fw.DEFAULT_MODEL
    image_dir: Path | None = None  # the slots (default: `firmware/` beside the link state)
    fetch: Callable[[str, fw.Manifest], bytes] = fw.fetch_image
    confirm_within_s: float = slot_update.CONFIRM_WITHIN_S
    self_test: slot_update.SelfTest = slot_update.virtual_self_test

    def __post_init__(self) -> None:
        fw.load_trusted_keys(self.vendor_key)  # ValueError at start-up, not at first update


def to_link_event(event: fx.JournalEvent) -> Event:
    """A journal event in wire shape: scalar details, secrets dropped (D-PRIV), with
    the hash of the event before it (the chain, `device.journal_chain`).
    """
    return Event(
        seq=event.seq,
        at=event.at,
        kind=event.kind,
        user_no=event.user_no,
        method=event.method,
        source=event.source,
        details=wire_details(event.details),
        prev_hash=event.prev_hash,
    )


class RuntimeLockSide:
    """LockSide over the running lock. `watch(notify)` wires change notifications."""

    def __init__(
        self,
        runtime: LockRuntime,
        lock: DurableLock,
        state_file: Path,
        *,
        result_timeout_s: float = 10,
        ota: OtaConfig | None = None,
        camera: CameraFeed | None = None,
    ) -> None:
        self.runtime = runtime
        self.camera = camera
        self.lock = lock
        self.state_file = Path(state_file)
        self.result_timeout_s = result_timeout_s
        self.ota = ota
        self._updating = False
        self._notifiers: list[Callable[[], None]] = []
        self.slots: slot_update.SlotUpdater | None = None
        if ota is not None:  # power-on: the bootloader's decision (D-OTA-BOOT)
            where = ota.image_dir or self.state_file.parent / "firmware"
            self.slots = slot_update.SlotUpdater(
                SlotStore(where),
                runtime,
                lock,
                confirm_within_s=ota.confirm_within_s,
                self_test=ota.self_test,
                changed=self._changed,
            )
            self.slots.boot()

    def _changed(self) -> None:
        for notify in list(self._notifiers):
            notify()

    def watch(
        self, notify: Callable[[], None], loop: asyncio.AbstractEventLoop
    ) -> Callable[[], None]:
        """Call `notify` (on `loop`) whenever the lock journals or its status changes."""
        camera = self.camera

        def listener(effect: fx.Effect) -> None:
            if isinstance(effect, fx.JournalEvent | fx.StatusChanged):
                loop.call_soon_threadsafe(notify)
            elif isinstance(effect, fx.TakeSnapshot) and camera is not None:
                loop.call_soon_threadsafe(camera.doorbell)

        def progress() -> None:  # update progress (A-OTA-STATUS), from any thread
            loop.call_soon_threadsafe(notify)

        self._notifiers.append(progress)
        if self.slots is not None and self.slots.trial_running:  # booted on trial
            done = asyncio.run_coroutine_threadsafe(self.slots.resume_trial(), loop)
            done.add_done_callback(_log_trial_failure)
        remove = self.runtime.add_listener(listener)

        def unwatch() -> None:
            remove()
            if progress in self._notifiers:
                self._notifiers.remove(progress)

        return unwatch

    def status(self) -> StateReport:
        s = self.lock.core.status()
        return StateReport(
            online=True,
            door=s.door,
            bolt=s.bolt,
            modes={_MODES[k]: bool(v) for k, v in s.modes.items() if k in _MODES},
            battery=max(0, min(100, s.battery if s.battery is not None else 0)),
            usb_power=s.usb_power,
            tamper="tamper" in s.alarms,
            lockout_remaining_s=round(s.lockout_remaining_s),
            last_event_seq=int(s.last_event["seq"]) if s.last_event else 0,
            firmware=getattr(self.lock.core, "firmware", FIRMWARE_VERSION)[:32],
            firmware_update=None if self.slots is None else self.slots.progress,
        )

    def unacked_events(self, limit: int) -> Sequence[Event]:
        return [to_link_event(e) for e in self.lock.store.unacked_events(limit)]

    def acked_through(self) -> int:
        return self.lock.store.acked_seq()

    def ack(self, up_to_seq: int) -> None:
        self.lock.store.ack(up_to_seq)

    async def submit(self, command: Command) -> CommandResult:
        if command.action is LinkAction.FIRMWARE_UPDATE:
            return await self._firmware_update(command)
        if command.action is LinkAction.LIVE_VIEW:
            return self._live_view(command)
        remote = RemoteCommand(
            request_id=command.request_id,
            action=command.action,
            params=dict(command.params),
            expires_at=command.expires_at,
        )
        try:
            effects = await self.runtime.asubmit(remote)
        except LockError as err:  # the store failed: answer, so the app is not left waiting
            log.error("command %s failed: %s", command.request_id, err)
            return CommandResult(request_id=command.request_id, ok=False, reason=err.code.value)
        for effect in effects:
            if isinstance(effect, fx.CommandResult) and effect.request_id == command.request_id:
                data: dict[str, Scalar] = {
                    k: v for k, v in effect.data.items() if _scalar(v) and is_name(k)
                }
                reason = None if effect.code is None else effect.code.value
                return CommandResult(
                    request_id=command.request_id, ok=effect.ok, reason=reason, data=data
                )
        return CommandResult(request_id=command.request_id, ok=False, reason="no_result")

    def _live_view(self, command: Command) -> CommandResult:
        """A-LIVE: masked pictures about once a second for `seconds` (capped)."""
        rid = command.request_id
        seconds = command.params.get("seconds", 30)
        if self.camera is None:
            return CommandResult(request_id=rid, ok=False, reason="unknown_action")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            return CommandResult(request_id=rid, ok=False, reason="bad_input")
        granted = self.camera.start_live(min(float(seconds), MAX_LIVE_VIEW_S))
        return CommandResult(request_id=rid, ok=True, data={"seconds": granted})

    async def _firmware_update(self, command: Command) -> CommandResult:
        """A-OTA on the lock: verify, refuse a downgrade, fetch, check, install."""
        rid = command.request_id
        release = command.params.get("release")
        claimed = _claimed_version(release)

        async def refuse(reason: str, version: str = claimed) -> CommandResult:
            reason = str(reason)
            await self.runtime.asubmit(FirmwareUpdate(rid, Stage.REFUSED, version, reason))
            # A refusal because one is running keeps the running one's progress.
            if self.slots is not None and reason != ErrorCode.UPDATE_IN_PROGRESS:
                self.slots.refused(rid, version, reason)
            log.warning("firmware update %s refused: %s", version, reason)
            return CommandResult(request_id=rid, ok=False, reason=reason)

        if self.ota is None or self.slots is None:
            return await refuse(ErrorCode.UPDATES_NOT_CONFIGURED)
        if self._updating or self.slots.busy:
            return await refuse(ErrorCode.UPDATE_IN_PROGRESS)
        self._updating = True
        try:
            return await self._install(rid, release, refuse, self.slots, self.ota)
        finally:
            self._updating = False

    async def _install(
        self,
        rid: str,
        release: Any,
        refuse: Callable[..., Awaitable[CommandResult]],
        slots: slot_update.SlotUpdater,
        ota: OtaConfig,
    ) -> CommandResult:
        current = self.lock.core.firmware
        try:
            manifest = fw.verify_release(ota.vendor_key, release)
            fw.check_offer(manifest, model=ota.model, current=current)
        except fw.FirmwareError as exc:
            return await refuse(exc.code)
        version = manifest.version
        await self.runtime.asubmit(FirmwareUpdate(rid, Stage.STARTED, version))
        try:
            image = await asyncio.to_thread(ota.fetch, manifest.url, manifest)
            installed, reason = await slots.install(rid, manifest, image)
        except fw.FirmwareError as exc:
            return await refuse(exc.code, version)
        except OSError as exc:
            log.error("firmware %s could not be written: %s", version, exc)
            return await refuse(ErrorCode.INSTALL_FAILED, version)
        if not installed and reason == ErrorCode.ROLLED_BACK.value:
            why = slots.progress.reason if slots.progress is not None else None
            return CommandResult(
                request_id=rid,
                ok=False,
                reason=reason,
                data={"version": version, "running": self.lock.core.firmware, "why": why},
            )
        if not installed:
            return await refuse(reason or ErrorCode.INSTALL_FAILED, version)
        if self.lock.core.firmware != version:  # the core's own check said no
            return CommandResult(request_id=rid, ok=False, reason=ErrorCode.DOWNGRADE.value)
        log.info("firmware %s installed", version)
        return CommandResult(request_id=rid, ok=True, data={"version": version})

    def _link_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.state_file.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _version(self) -> int:
        try:
            return int(self._link_state()["shadow_version"])
        except (KeyError, TypeError, ValueError):
            return 0

    def reported(self) -> ShadowReported:
        settings = {k: v for k, v in self.lock.core.settings.to_dict().items() if _scalar(v)}
        name = self._link_state().get(DEVICE_NAME)
        if isinstance(name, str):
            settings[DEVICE_NAME] = name
        return ShadowReported(version=self._version(), settings=settings)

    def set_device_name(self, name: str) -> None:
        """The app's name for the lock, as pairing delivered it (A-HA)."""
        state = self._link_state()
        if name.strip():
            state[DEVICE_NAME] = name.strip()[:MAX_NAME]
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(state), "utf-8")
            os.replace(tmp, self.state_file)

    def apply_settings(self, version: int, settings: Mapping[str, Scalar]) -> ShadowReported:
        rejected: dict[str, str] = {}
        state = self._link_state()
        for name, value in settings.items():
            if name == DEVICE_NAME:  # the app's name for the lock: the shell's, for HA
                if isinstance(value, str) and 0 < len(value.strip()) <= MAX_NAME:
                    state[DEVICE_NAME] = value.strip()
                else:
                    rejected[name] = "bad_setting_value"
                continue
            remote = RemoteCommand(
                request_id=f"shadow-{version}-{uuid.uuid4().hex[:8]}",
                action=RemoteAction.CHANGE_SETTING,
                params={"name": name, "value": value},
            )
            results = [e for e in self.runtime.submit(remote) if isinstance(e, fx.CommandResult)]
            if not results or not results[0].ok:
                code = results[0].code if results else None
                rejected[name] = "refused" if code is None else code.value
        state["shadow_version"] = version
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), "utf-8")
        os.replace(tmp, self.state_file)
        reported = self.reported()
        return reported.model_copy(update={"rejected": rejected})


def _log_trial_failure(done: Any) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.error("the trial's health check failed", exc_info=done.exception())


def _claimed_version(release: Any) -> str:
    """The version an (unverified) release claims, for the journal only."""
    manifest = release.get("manifest") if isinstance(release, dict) else None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return version if isinstance(version, str) and _CLAIMED.match(version) else "unknown"


def is_name(key: Any) -> bool:
    """Keys the wire allows in a result's data (lower snake case)."""
    return isinstance(key, str) and bool(re.fullmatch(r"[a-z][a-z0-9_]{0,63}", key))


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
