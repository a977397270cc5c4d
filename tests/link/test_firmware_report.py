"""The lock reports its firmware version with its state (the reporting half of A-OTA;
signed update offers are not built yet, see docs/notes.md).
"""

from __future__ import annotations

from pathlib import Path

from smartlock.device import open_lock
from smartlock.device.core.records import FIRMWARE_VERSION
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock
from smartlock.link.cloud_side import decode_lock_message
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import StateReport
from smartlock.link.signing import new_lock_key, sign_message


def test_state_report_carries_the_firmware_version_A_OTA_A_STATUS(tmp_path: Path) -> None:
    lock = open_lock(tmp_path / "lock.db", serial="SL-FW", verification_code="ABC123")
    runtime = LockRuntime(
        core=lock, hardware=VirtualLock().hardware, clock=FastForwardClock(lambda: 1.8e9)
    )
    runtime.boot()
    report = RuntimeLockSide(runtime, lock, tmp_path / "link.json").status()
    assert report.firmware == FIRMWARE_VERSION and FIRMWARE_VERSION
    key = new_lock_key()
    where, payload = sign_message(key, "SL-FW", report)
    received = decode_lock_message(key, where, payload)  # what the cloud reads
    assert isinstance(received.message, StateReport)
    assert received.message.firmware == FIRMWARE_VERSION
