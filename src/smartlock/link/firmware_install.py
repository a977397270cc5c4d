"""A-OTA on the lock: a vendor-signed release from a `firmware_update` command into
the inactive slot.

With an `OtaConfig` the lock verifies the vendor's Ed25519 signature with the lock's
vendor public key, refuses another model, the same version or a downgrade the vendor
did not sign (D-OTA-DOWNGRADE), fetches the image and checks its size and SHA-256,
then hands it to `slot_update.SlotUpdater`: inactive slot, read-back check, trial
boot, confirmation or rollback (D-OTA-AB). The core (`device.core.inputs.FirmwareUpdate`)
journals each step and keeps the version. The command is answered with the trial's
outcome; the state report carries progress and the outcome (A-OTA-STATUS).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartlock.device.core.inputs import FirmwareStage as Stage
from smartlock.device.core.inputs import FirmwareUpdate
from smartlock.device.durable import DurableLock
from smartlock.device.runtime import LockRuntime
from smartlock.device.slots import SlotStore
from smartlock.errors import ErrorCode
from smartlock.link import firmware as fw
from smartlock.link import slot_update
from smartlock.link.schemas import Command, CommandResult, FirmwareProgress

log = logging.getLogger(__name__)
_CLAIMED = re.compile(r"^[0-9A-Za-z.+-]{1,32}$")
Refuse = Callable[..., Awaitable[CommandResult]]


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


class FirmwareInstaller:
    """Runs `firmware_update` commands, one at a time; without `ota` each is refused."""

    def __init__(
        self,
        runtime: LockRuntime,
        lock: DurableLock,
        ota: OtaConfig | None,
        default_dir: Path,
        changed: Callable[[], None],
    ) -> None:
        self.runtime = runtime
        self.lock = lock
        self.ota = ota
        self.slots: slot_update.SlotUpdater | None = None
        self._updating = False
        if ota is not None:  # power-on: the bootloader's decision (D-OTA-BOOT)
            self.slots = slot_update.SlotUpdater(
                SlotStore(ota.image_dir or default_dir),
                runtime,
                lock,
                confirm_within_s=ota.confirm_within_s,
                self_test=ota.self_test,
                changed=changed,
            )
            self.slots.boot()

    @property
    def progress(self) -> FirmwareProgress | None:
        """The running or last update, for the state report (A-OTA-STATUS)."""
        return None if self.slots is None else self.slots.progress

    def resume_trial(self, loop: asyncio.AbstractEventLoop) -> None:
        """Booted on trial: run its health check on `loop` (D-OTA-CONFIRM)."""
        if self.slots is not None and self.slots.trial_running:
            done = asyncio.run_coroutine_threadsafe(self.slots.resume_trial(), loop)
            done.add_done_callback(_log_trial_failure)

    async def update(self, command: Command) -> CommandResult:
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
        refuse: Refuse,
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


def _log_trial_failure(done: Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.error("the trial's health check failed", exc_info=done.exception())


def _claimed_version(release: Any) -> str:
    """The version an (unverified) release claims, for the journal only."""
    manifest = release.get("manifest") if isinstance(release, dict) else None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return version if isinstance(version, str) and _CLAIMED.match(version) else "unknown"
