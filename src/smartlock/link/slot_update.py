"""A/B firmware install on the lock's shell (D-OTA-AB, D-OTA-TRIAL, D-OTA-CONFIRM,
D-OTA-ROLLBACK, A-OTA-STATUS).

`SlotUpdater` is the part of a bootloader and of the running firmware that the virtual
lock can really do: it writes a checked image to the inactive slot (reporting bytes
written), reads it back against the signed SHA-256, marks it as the trial, "reboots"
(runs the pure `device.core.boot.decide` again and writes its record before running the
slot), then gives the trial a deadline to confirm itself: its self-test passes and
the cloud acknowledges the journal event of the trial boot, which proves the new
firmware reaches the cloud. Healthy: the record makes the slot active and the core
records the version. Not: the trial writes why into the record and reboots, and the
bootloader goes back to the previous slot and says "rolled back" with that reason.

On the virtual lock the "reboot" is in-process: the Python code is the same whichever
slot "runs", so the slot's version is what changes (what the lock reports and
records). A killed process is a real power cut: the next start runs `boot()`, the
same decision a hardware bootloader makes at power-on. What only hardware would add
(a watchdog that resets a hung trial, jumping into the slot's code, a read-only
bootloader) is in docs/firmware-updates.md.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

from smartlock.device.core import boot
from smartlock.device.core import effects as fx
from smartlock.device.core.boot import (
    BootControl,
    BootDecision,
    BootError,
    BootKind,
    Slot,
    SlotImage,
)
from smartlock.device.core.inputs import FirmwareStage as Stage
from smartlock.device.core.inputs import FirmwareUpdate
from smartlock.device.durable import DurableLock
from smartlock.device.runtime import LockRuntime
from smartlock.device.slots import SlotStore, chunks
from smartlock.errors import ErrorCode
from smartlock.link import firmware as fw
from smartlock.link.schemas import FirmwareProgress
from smartlock.vocab import EventKind

log = logging.getLogger(__name__)

CONFIRM_WITHIN_S = 60.0  # D-OTA-CONFIRM: the trial's deadline to prove itself healthy
PROGRESS_STEPS = 16  # progress reports per image, at most (each one is a state report)
# The virtual lock's stand-in for firmware that boots but is broken: an image that
# carries this marker fails its own self-test (so the demo and tests can show a rollback).
SELF_TEST_FAIL_MARK = b"SMARTLOCK-SELF-TEST-FAILS"

SelfTest = Callable[[bytes], str | None]  # the running image -> None (healthy) or a reason
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _reason(text: str | None, default: str) -> str:
    """A reason as the wire takes it (lower snake case); anything else reads `default`,
    so an odd self-test answer or record can never stop the lock from booting.
    """
    return text if text is not None and _NAME.match(text) else default


def virtual_self_test(image: bytes) -> str | None:
    """The virtual firmware's self-test: fails only for an image that says it would."""
    return "self_test_failed" if SELF_TEST_FAIL_MARK in image else None


@dataclass(eq=False, repr=False)
class SlotUpdater:
    """The lock's two slots, its boot, and the trial of a new image (module docstring)."""

    store: SlotStore
    runtime: LockRuntime
    lock: DurableLock
    _: KW_ONLY
    confirm_within_s: float = CONFIRM_WITHIN_S
    self_test: SelfTest = virtual_self_test
    changed: Callable[[], None] = lambda: None
    progress: FirmwareProgress | None = field(default=None, init=False)
    control: BootControl = field(default_factory=BootControl, init=False)
    running: Slot = field(default=Slot.A, init=False)
    _checking: bool = field(default=False, init=False)

    # ------------------------------------------------------------------- boot

    def boot(self) -> BootDecision:
        """Power-on (D-OTA-BOOT): decide, write the record, then run the slot: the
        core hears how the last update ended and runs the slot's version.
        """
        control = self.store.first_boot(self.lock.core.firmware)
        decision = boot.decide(control, self.store.bootable(control))
        if decision.slot is None:  # D-OTA-POWER says this cannot happen; say so loudly
            raise BootError(f"no bootable firmware slot ({decision.reason})")
        self.store.write(decision.control)
        self.control, self.running = decision.control, decision.slot
        log.info("boot: %s slot %s (%s)", decision.kind, decision.slot, decision.reason or "ok")
        self._journal_outcome()
        self._run_slot_version()
        return decision

    def _journal_outcome(self) -> None:
        report = self.control.report
        if report is None:
            return
        running = self._image_version(self.running)
        step: FirmwareUpdate | None
        if report.result == "installed":
            # The core may have recorded it just before a power cut: no second event.
            already = self.lock.core.firmware == report.version
            step = (
                None
                if already
                else FirmwareUpdate(
                    report.request_id, Stage.INSTALLED, report.version, signed_downgrade=True
                )
            )
        else:
            step = FirmwareUpdate(
                report.request_id,
                Stage.ROLLED_BACK,
                report.version,
                reason=_reason(report.reason, "rolled_back"),
                running=running,
            )
        if step is not None:  # journaled before the record forgets it: at least once
            self.runtime.submit(step)
        self.control = boot.reported(self.control)
        self.store.write(self.control)
        self._set_progress(
            FirmwareProgress(
                stage="installed" if report.result == "installed" else "rolled_back",
                version=report.version,
                from_version=report.from_version,
                reason=None if report.reason is None else _reason(report.reason, "rolled_back"),
                request_id=report.request_id,
            )
        )

    def _run_slot_version(self) -> None:
        """The core reports the version of the slot that runs (a confirmed one)."""
        version = self._image_version(self.running)
        if self.control.on_trial or version == self.lock.core.firmware:
            return
        self.runtime.submit(FirmwareUpdate("boot", Stage.INSTALLED, version, signed_downgrade=True))

    def _image_version(self, slot: Slot) -> str:
        image = self.control.image(slot)
        return image.version if image is not None else self.lock.core.firmware

    # ---------------------------------------------------------------- install

    @property
    def busy(self) -> bool:
        return self.control.on_trial

    async def install(
        self, request_id: str, manifest: fw.Manifest, image: bytes
    ) -> tuple[bool, str | None]:
        """Write, verify, boot on trial, confirm or roll back: (installed, reason)."""
        target = self.running.other
        base = FirmwareProgress(
            stage="writing",
            version=manifest.version,
            from_version=self.lock.core.firmware,
            size=manifest.size,
            request_id=request_id,
        )
        self._set_progress(base)
        self.control = boot.erase(self.control)
        await asyncio.to_thread(self.store.write, self.control)
        step = max(1, manifest.size // PROGRESS_STEPS)
        shown = [0]

        def progress(written: int) -> None:
            if written - shown[0] >= step or written == manifest.size:
                shown[0] = written
                self._set_progress(base.model_copy(update={"written": written}))

        await asyncio.to_thread(self.store.write_slot, target, chunks(image), progress)
        done = base.model_copy(update={"stage": "verifying", "written": manifest.size})
        self._set_progress(done)
        slot_image = SlotImage(manifest.version, manifest.sha256, manifest.size)
        if not await asyncio.to_thread(self.store.verifies, target, slot_image):
            return False, ErrorCode.INSTALL_FAILED.value  # the slot did not read back
        self.control = boot.stage(self.control, slot_image, request_id=request_id)
        await asyncio.to_thread(self.store.write, self.control)
        return await self._reboot_into_trial(request_id, manifest, done)

    async def _reboot_into_trial(
        self, request_id: str, manifest: fw.Manifest, base: FirmwareProgress
    ) -> tuple[bool, str | None]:
        decision = await asyncio.to_thread(self.boot)
        if decision.kind is not BootKind.TRIAL:  # the new slot did not verify at boot
            return False, decision.reason or "not_booted"
        return await self._trial(request_id, manifest.version, base)

    @property
    def trial_running(self) -> bool:
        """Booted on trial (at power-on, after a cut between staging and the reboot)."""
        return self.control.on_trial and self.running is self.control.trial

    async def resume_trial(self) -> tuple[bool, str | None]:
        """Run the health check of a trial this boot started without an install."""
        if not self.trial_running or self._checking:
            return False, None
        image = self.control.image(self.running)
        version = image.version if image is not None else "unknown"
        rid = self.control.request_id or "boot"
        base = FirmwareProgress(
            stage="trial",
            version=version,
            from_version=self.lock.core.firmware,
            written=image.size if image else 0,
            size=image.size if image else 0,
            request_id=rid,
        )
        return await self._trial(rid, version, base)

    async def _trial(
        self, request_id: str, version: str, base: FirmwareProgress
    ) -> tuple[bool, str | None]:
        self._checking = True
        try:
            effects = await self.runtime.asubmit(FirmwareUpdate(request_id, Stage.TRIAL, version))
            seq = max(
                (
                    e.seq
                    for e in effects
                    if isinstance(e, fx.JournalEvent) and e.kind is EventKind.FIRMWARE_UPDATE_TRIAL
                ),
                default=0,
            )
            self._set_progress(base.model_copy(update={"stage": "trial"}))
            failure = await self._health_check(seq)
            if failure is None:
                self.control = boot.confirm(self.control)
                await asyncio.to_thread(self.store.write, self.control)
                await asyncio.to_thread(self._journal_outcome)
                return True, None
            log.warning("firmware %s failed its trial: %s", version, failure)
            self.control = boot.give_up(self.control, failure)
            await asyncio.to_thread(self.store.write, self.control)
            await asyncio.to_thread(self.boot)  # the watchdog's reset: the bootloader rolls back
            return False, ErrorCode.ROLLED_BACK.value
        finally:
            self._checking = False

    async def _health_check(self, trial_seq: int) -> str | None:
        """D-OTA-CONFIRM: the self-test passes and the cloud acks the trial's event
        before the deadline; else why not.
        """
        image = await asyncio.to_thread(self.store.read_image, self.running)
        failure = self.self_test(image)
        if failure is not None:
            return _reason(failure, "self_test_failed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.confirm_within_s
        while loop.time() < deadline:
            if trial_seq and self.lock.store.acked_seq() >= trial_seq:
                return None
            await asyncio.sleep(0.05)
        return "cloud_unreachable"

    def refused(self, request_id: str, version: str, reason: str) -> None:
        """Show a refusal (A-OTA-STATUS) the way progress is shown."""
        self._set_progress(
            FirmwareProgress(
                stage="refused",
                version=version[:32],
                from_version=self.lock.core.firmware,
                reason=reason,
                request_id=request_id,
            )
        )

    def _set_progress(self, progress: FirmwareProgress) -> None:
        self.progress = progress
        self.changed()
