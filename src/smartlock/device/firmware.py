"""Firmware updates as the core sees them (A-OTA): journal the steps, keep the version.

The shell (`link.runtime_adapter`) does all the I/O: it checks the vendor signature,
refuses a downgrade, fetches the image and checks its SHA-256, and writes it. It tells
the core each step as a `FirmwareUpdate` input; the core journals it (so the step
reaches the cloud's records like every event, D-LOG) and, on `installed`, records the
new version in the durable state in the same transaction, so the next state report
carries it and a reboot keeps it. The core refuses to record a version that is not
newer than the one it runs, whatever the shell says.

Journal: one kind per step (`firmware_update_started`, `firmware_updated`,
`firmware_update_refused`) with details `action="firmware_update"`, `stage`,
`request_id`, `version`, `from_version` and, when refused, `reason`. The lock says
"firmware updated to version X" once it runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from smartlock.device.inputs import FirmwareStage, FirmwareUpdate
from smartlock.device.prompts import PromptId
from smartlock.device.vocab import EventKind, Source

if TYPE_CHECKING:
    from smartlock.device.core import LockCore

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


def on_firmware_update(core: LockCore, inp: FirmwareUpdate) -> None:
    current = core.firmware
    stage, reason = inp.stage, inp.reason
    if stage is FirmwareStage.INSTALLED and not newer(inp.version, current):
        stage, reason = FirmwareStage.REFUSED, "downgrade"  # the core's own last word
    details: dict[str, Any] = {
        "action": ACTION,
        "request_id": inp.request_id,
        "stage": stage.value,
        "version": inp.version,
        "from_version": current,
    }
    if stage is FirmwareStage.REFUSED:
        details["reason"] = reason or "refused"
    if stage is FirmwareStage.INSTALLED:
        core.set_state(core.state.replace(firmware=inp.version))
    core.log(_KINDS[stage], source=Source.REMOTE, **details)
    if stage is FirmwareStage.INSTALLED:
        core.say(PromptId.FIRMWARE_UPDATED, version=inp.version)


_KINDS = {
    FirmwareStage.STARTED: EventKind.FIRMWARE_UPDATE_STARTED,
    FirmwareStage.INSTALLED: EventKind.FIRMWARE_UPDATED,
    FirmwareStage.REFUSED: EventKind.FIRMWARE_UPDATE_REFUSED,
}
