"""Firmware updates as the core sees them (A-OTA): journal the steps, keep the version.

The shell (`link.runtime_adapter`, `link.slot_update`) does all the I/O: it checks the
vendor signature, refuses a downgrade, fetches the image, writes it to the inactive
slot and boots it on trial (`device.core.boot`, D-OTA-AB). It tells the core each step as
a `FirmwareUpdate` input; the core journals it (so the step reaches the cloud's
records like every event, D-LOG) and, on `installed` (the trial confirmed itself),
records the new version in the durable state in the same transaction, so the next
state report carries it and a reboot keeps it. The core refuses to record a version
that is not newer than the one it runs unless the vendor signed that downgrade
(D-OTA-DOWNGRADE); only a rollback (the bootloader's verdict, D-OTA-ROLLBACK) puts
the version back without one.

Journal: one kind per step (`firmware_update_started`, `firmware_update_trial`,
`firmware_updated`, `firmware_rolled_back`, `firmware_update_refused`) with details
`action="firmware_update"`, `stage`, `request_id`, `version`, `from_version` and,
when refused or rolled back, `reason`. The journal event of the trial is also the
trial's proof that it reaches the cloud: the cloud's ack of it confirms the slot
(D-OTA-CONFIRM). The lock says "firmware updated to version X" once it runs it.
"""

from __future__ import annotations

from typing import Any

from packaging.version import InvalidVersion, Version

from smartlock.device.core.context import LockContext
from smartlock.device.core.inputs import FirmwareStage, FirmwareUpdate
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import EventKind, Source

ACTION = "firmware_update"


def newer(candidate: str, current: str) -> bool:
    """`candidate` is a strictly higher version (PEP 440 order: 0.10.0 > 0.9.0)."""
    try:
        new = Version(candidate)
    except InvalidVersion:
        return False
    try:
        return new > Version(current)
    except InvalidVersion:
        return True


def on_firmware_update(core: LockContext, inp: FirmwareUpdate) -> None:
    current = core.firmware
    stage, reason = inp.stage, inp.reason
    if (
        stage is FirmwareStage.INSTALLED
        and not newer(inp.version, current)
        and not (inp.signed_downgrade and inp.version != current)
    ):
        stage, reason = FirmwareStage.REFUSED, "downgrade"  # the core's own last word
    details: dict[str, Any] = {
        "action": ACTION,
        "request_id": inp.request_id,
        "stage": stage.value,
        "version": inp.version,
        "from_version": current,
    }
    if stage in (FirmwareStage.REFUSED, FirmwareStage.ROLLED_BACK):
        details["reason"] = reason or stage.value
    if stage is FirmwareStage.INSTALLED:
        core.set_state(core.state.replace(firmware=inp.version))
    if stage is FirmwareStage.ROLLED_BACK and inp.running and inp.running != current:
        core.set_state(core.state.replace(firmware=inp.running))
    core.log(_KINDS[stage], source=Source.REMOTE, **details)
    if stage is FirmwareStage.INSTALLED:
        core.say(PromptId.FIRMWARE_UPDATED, version=inp.version)


_KINDS = {
    FirmwareStage.STARTED: EventKind.FIRMWARE_UPDATE_STARTED,
    FirmwareStage.TRIAL: EventKind.FIRMWARE_UPDATE_TRIAL,
    FirmwareStage.INSTALLED: EventKind.FIRMWARE_UPDATED,
    FirmwareStage.ROLLED_BACK: EventKind.FIRMWARE_ROLLED_BACK,
    FirmwareStage.REFUSED: EventKind.FIRMWARE_UPDATE_REFUSED,
}
