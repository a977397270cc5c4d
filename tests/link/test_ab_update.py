"""A/B firmware on the real lock (D-OTA-AB, D-OTA-TRIAL, D-OTA-CONFIRM, D-OTA-ROLLBACK,
D-OTA-DOWNGRADE, A-OTA-STATUS): what the owner sees when an update lands in the other
slot, confirms itself, or fails and goes back; without a broker (the "cloud" here is
a task that acks the journal, as the cloud does).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from smartlock.device.core import boot
from smartlock.device.core.boot import Slot, SlotImage
from smartlock.device.slots import SlotStore
from smartlock.link import firmware as fw
from smartlock.link.codec import canonical
from smartlock.link.firmware_install import OtaConfig
from smartlock.link.schemas import FirmwareProgress
from smartlock.link.signing import b64e
from smartlock.link.slot_update import SELF_TEST_FAIL_MARK

from .test_firmware_update import Lock, command

BIG = bytes(range(256)) * 1200  # 300 KiB: several chunks, so progress shows


def signed(
    vendor: Ed25519PrivateKey, tmp_path: Path, version: str, image: bytes = BIG, **kw: Any
) -> dict[str, Any]:
    path = tmp_path / f"image-{version}.bin"
    path.write_bytes(image)
    manifest = fw.manifest_for(image, version=version, url=str(path), **kw)
    return fw.sign_manifest(vendor, manifest).model_dump(mode="json")


def open_lock_at(tmp_path: Path, vendor: Ed25519PrivateKey, **ota: Any) -> Lock:
    return Lock(
        tmp_path, OtaConfig(fw.public_key_text(vendor), image_dir=tmp_path / "slots", **ota)
    )


@pytest.fixture
def vendor() -> Ed25519PrivateKey:
    return fw.new_private_key()


def record(tmp_path: Path) -> boot.BootControl:
    control = SlotStore(tmp_path / "slots").read()
    assert control is not None
    return control


def test_updates_go_to_the_other_slot_each_time_with_progress_D_OTA_AB_A_OTA_STATUS(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor)
    seen: list[FirmwareProgress | None] = []
    assert lock.side.slots is not None
    lock.side.slots.changed = lambda: seen.append(lock.side.status().firmware_update)
    try:
        first = lock.submit(command(signed(vendor, tmp_path, "0.2.0"), "fw-1"))
        assert first.ok and first.data == {"version": "0.2.0"}
        assert (record(tmp_path).active, record(tmp_path).confirmed) == (Slot.B, True)
        factory = (tmp_path / "slots" / "slot-a.bin").read_bytes()
        second = lock.submit(command(signed(vendor, tmp_path, "0.3.0", BIG[::-1]), "fw-2"))
        assert second.ok
        assert record(tmp_path).active is Slot.A  # written over the slot that ran before
        assert (tmp_path / "slots" / "slot-a.bin").read_bytes() == BIG[::-1] != factory
        assert (tmp_path / "slots" / "slot-b.bin").read_bytes() == BIG  # the fallback kept
        assert lock.side.status().firmware == "0.3.0"
    finally:
        lock.durable.store.close()
    stages = [p.stage for p in seen if p is not None and p.request_id == "fw-1"]
    assert stages[0] == "writing" and stages[-1] == "installed"
    assert "verifying" in stages and "trial" in stages
    written = [p.written for p in seen if p is not None and p.stage == "writing"]
    assert any(0 < w < len(BIG) for w in written) and max(written) == len(BIG)
    last = seen[-1]
    assert last is not None and (last.stage, last.version, last.from_version) == (
        "installed",
        "0.3.0",
        "0.2.0",
    )


def test_a_new_firmware_whose_self_test_fails_is_rolled_back_with_the_reason_D_OTA_ROLLBACK(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor)
    try:
        result = lock.submit(command(signed(vendor, tmp_path, "0.2.0", BIG + SELF_TEST_FAIL_MARK)))
        assert not result.ok and result.reason == "rolled_back"
        assert result.data == {"version": "0.2.0", "running": "0.1.0", "why": "self_test_failed"}
        status = lock.side.status()
        assert status.firmware == "0.1.0"
        assert status.firmware_update is not None
        assert (status.firmware_update.stage, status.firmware_update.reason) == (
            "rolled_back",
            "self_test_failed",
        )
        steps = [(s["stage"], s.get("reason")) for s in lock.steps()]
        assert steps == [
            ("started", None),
            ("trial", None),
            ("rolled_back", "self_test_failed"),
        ]
        control = record(tmp_path)
        assert (control.active, control.trial, control.b) == (Slot.A, None, None)
    finally:
        lock.durable.store.close()
    again = open_lock_at(tmp_path, vendor)  # and it stays on the old slot
    try:
        assert again.side.status().firmware == "0.1.0"
        assert [s["stage"] for s in again.steps()][-1] == "rolled_back"  # no second report
    finally:
        again.durable.store.close()


def test_a_new_firmware_that_cannot_reach_the_cloud_rolls_back_at_its_deadline_D_OTA_CONFIRM(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor, confirm_within_s=0.3)
    try:
        result = lock.submit(command(signed(vendor, tmp_path, "0.2.0")), cloud=False)
        assert not result.ok and result.data["why"] == "cloud_unreachable"
        assert lock.side.status().firmware == "0.1.0"
        assert lock.steps()[-1]["reason"] == "cloud_unreachable"
    finally:
        lock.durable.store.close()


def test_a_power_cut_during_the_trial_boots_the_previous_slot_and_says_so_D_OTA_ROLLBACK(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor)
    assert lock.side.slots is not None
    store = lock.side.slots.store
    new = SlotImage("0.2.0", fw.manifest_for(BIG, version="0.2.0", url="x").sha256, len(BIG))
    store.write(boot.erase(record(tmp_path)))
    store.write_slot(Slot.B, [BIG], lambda n: None)
    store.write(boot.stage(record(tmp_path), new, request_id="fw-cut"))
    lock.side.slots.boot()  # the reboot into the trial: the try is counted first
    assert record(tmp_path).tries_left == 0 and lock.side.slots.trial_running
    lock.durable.store.close()  # the power goes off before the trial confirms
    again = open_lock_at(tmp_path, vendor)
    try:
        assert again.side.status().firmware == "0.1.0"
        progress = again.side.status().firmware_update
        assert progress is not None
        assert (progress.stage, progress.reason, progress.version) == (
            "rolled_back",
            "not_confirmed",
            "0.2.0",
        )
        assert again.steps()[-1]["request_id"] == "fw-cut"
        assert record(tmp_path).active is Slot.A
    finally:
        again.durable.store.close()


def test_a_damaged_running_slot_falls_back_to_the_other_D_OTA_BOOT(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor)
    assert lock.submit(command(signed(vendor, tmp_path, "0.2.0"))).ok
    lock.durable.store.close()
    (tmp_path / "slots" / "slot-b.bin").write_bytes(b"flash rot")
    again = open_lock_at(tmp_path, vendor)
    try:
        assert again.side.status().firmware == "0.1.0"  # the factory slot still boots
        assert record(tmp_path).active is Slot.A
    finally:
        again.durable.store.close()


def test_an_older_version_needs_a_vendor_signed_downgrade_of_the_running_one_D_OTA_DOWNGRADE(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor)
    try:
        assert lock.submit(command(signed(vendor, tmp_path, "0.3.0"), "fw-1")).ok
        plain = lock.submit(command(signed(vendor, tmp_path, "0.2.0"), "fw-2"))
        assert (plain.ok, plain.reason) == (False, "downgrade")
        progress = lock.side.status().firmware_update
        assert progress is not None and (progress.stage, progress.reason) == (
            "refused",
            "downgrade",
        )
        other = signed(vendor, tmp_path, "0.2.0", downgrade_from=["0.2.5"])
        refused = lock.submit(command(other, "fw-3"))  # signed for another running version
        assert (refused.ok, refused.reason) == (False, "downgrade")
        recall = signed(vendor, tmp_path, "0.2.0", downgrade_from=["0.3.0"])
        forged = {**recall, "manifest": {**recall["manifest"], "downgrade_from": ["0.9.0"]}}
        assert lock.submit(command(forged, "fw-4")).reason == "bad_signature"
        assert lock.submit(command(recall, "fw-5")).ok
        assert lock.side.status().firmware == "0.2.0"
        same = lock.submit(command(signed(vendor, tmp_path, "0.2.0", downgrade_from=["0.2.0"])))
        assert same.reason == "same_version"
    finally:
        lock.durable.store.close()


def test_releases_signed_before_downgrades_existed_still_verify_D_OTA_DOWNGRADE(
    vendor: Ed25519PrivateKey,
) -> None:
    manifest = fw.manifest_for(BIG, version="0.2.0", url="x").model_dump(mode="json")
    del manifest["downgrade_from"]  # a release file from before the field
    signature = vendor.sign(fw.DOMAIN + canonical(manifest))
    old_style = {"manifest": manifest, "signature": b64e(signature)}
    assert fw.verify_release(fw.public_key_text(vendor), old_style).version == "0.2.0"


def test_a_slot_whose_bytes_differ_from_the_signed_hash_is_never_booted_D_OTA_VERIFY(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    """Flash that changed between the write and the boot: the bootloader checks the
    slot against the signed SHA-256 and goes back, saying `bad_image`."""
    lock = open_lock_at(tmp_path, vendor)
    assert lock.side.slots is not None
    store = lock.side.slots.store
    signed_hash = fw.manifest_for(BIG, version="0.2.0", url="x").sha256
    store.write(boot.erase(record(tmp_path)))
    store.write_slot(Slot.B, [BIG[:-1] + b"\x00"], lambda n: None)  # one byte off
    store.write(
        boot.stage(record(tmp_path), SlotImage("0.2.0", signed_hash, len(BIG)), request_id="fw-v")
    )
    decision = lock.side.slots.boot()
    try:
        assert (decision.kind, decision.slot, decision.reason) == (
            boot.BootKind.ROLLBACK,
            Slot.A,
            "bad_image",
        )
        assert lock.side.status().firmware == "0.1.0"
        assert lock.steps()[-1]["reason"] == "bad_image"
    finally:
        lock.durable.store.close()


def test_an_image_that_does_not_read_back_from_the_slot_is_never_tried_D_OTA_VERIFY(
    tmp_path: Path, vendor: Ed25519PrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = open_lock_at(tmp_path, vendor)
    assert lock.side.slots is not None
    store = lock.side.slots.store
    honest = store.write_slot

    def flaky_flash(slot: Slot, chunks: Any, progress: Any) -> int:
        return honest(slot, [bytes([c[0] ^ 0xFF]) + c[1:] for c in chunks], progress)

    monkeypatch.setattr(store, "write_slot", flaky_flash)
    try:
        result = lock.submit(command(signed(vendor, tmp_path, "0.2.0")))
        assert (result.ok, result.reason) == (False, "install_failed")
        control = record(tmp_path)
        assert (control.active, control.trial, control.b) == (Slot.A, None, None)
        assert [s["stage"] for s in lock.steps()] == ["started", "refused"]
        assert lock.side.status().firmware == "0.1.0"
    finally:
        lock.durable.store.close()


def test_a_lock_that_starts_on_trial_confirms_once_its_link_runs_D_OTA_CONFIRM(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    """A cut between staging and the reboot: the next start boots the new slot on trial,
    and when the link starts (`watch`) the trial checks itself and confirms."""
    lock = open_lock_at(tmp_path, vendor)
    assert lock.side.slots is not None
    store = lock.side.slots.store
    new = SlotImage("0.2.0", fw.manifest_for(BIG, version="0.2.0", url="x").sha256, len(BIG))
    store.write(boot.erase(record(tmp_path)))
    store.write_slot(Slot.B, [BIG], lambda n: None)
    store.write(boot.stage(record(tmp_path), new, request_id="fw-resume"))
    lock.durable.store.close()
    again = open_lock_at(tmp_path, vendor)
    assert again.side.slots is not None and again.side.slots.trial_running

    async def link_runs() -> None:
        remove = again.side.watch(lambda: None, asyncio.get_running_loop())
        acks = asyncio.create_task(again._cloud_acks())
        try:
            for _ in range(200):
                if again.side.status().firmware == "0.2.0":
                    return
                await asyncio.sleep(0.02)
        finally:
            acks.cancel()
            remove()

    try:
        asyncio.run(link_runs())
        assert again.side.status().firmware == "0.2.0"
        assert record(tmp_path).active is Slot.B and not record(tmp_path).on_trial
        assert [s["stage"] for s in again.steps()][-2:] == ["trial", "installed"]
    finally:
        again.durable.store.close()


def test_a_self_test_with_its_own_words_rolls_back_as_self_test_failed_D_OTA_ROLLBACK(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    lock = open_lock_at(tmp_path, vendor, self_test=lambda image: "Motor driver: no answer!")
    try:
        result = lock.submit(command(signed(vendor, tmp_path, "0.2.0")))
        assert (result.reason, result.data["why"]) == ("rolled_back", "self_test_failed")
        assert lock.side.status().firmware == "0.1.0"
    finally:
        lock.durable.store.close()


class PowerCut(Exception):
    """The power goes off: nothing after this durable write happens."""


class CutStore(SlotStore):
    """Slots whose power goes off after `left` durable writes (records and chunks);
    a chunk being written when it goes off is written half."""

    def __init__(self, directory: Path, left: int) -> None:
        super().__init__(directory)
        self.left = left

    def _tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise PowerCut

    def write(self, control: boot.BootControl) -> None:
        self._tick()
        super().write(control)

    def write_slot(self, slot: Slot, chunks: Any, progress: Any) -> int:
        def cut(data: Any) -> Any:
            for chunk in data:
                if self.left == 0:
                    yield chunk[: len(chunk) // 2]
                self._tick()
                yield chunk

        return super().write_slot(slot, cut(chunks), progress)


def test_a_power_cut_after_every_single_write_of_an_update_leaves_a_bootable_slot_D_OTA_POWER(
    tmp_path: Path, vendor: Ed25519PrivateKey
) -> None:
    """Deterministic twin of the SIGKILL test: cut the power after the 1st, 2nd, ...
    durable write of an install (each record, each chunk of the slot), boot again."""
    rel = signed(vendor, tmp_path, "0.2.0")
    cuts = 0
    for left in range(100):
        where = tmp_path / f"cut-{left}"
        where.mkdir()
        lock = open_lock_at(where, vendor)
        assert lock.side.slots is not None
        lock.side.slots.store = CutStore(where / "slots", left)
        try:
            lock.submit(command(rel))
        except PowerCut:
            cuts += 1
        else:
            break  # the install finished before the cut: every point was tried
        finally:
            lock.durable.store.close()
        again = open_lock_at(where, vendor)  # power back on: the real store, a real boot
        try:
            assert again.side.status().firmware in ("0.1.0", "0.2.0"), left
            control = record(where)
            assert control.active in SlotStore(where / "slots").bootable(control), left
        finally:
            again.durable.store.close()
    assert cuts >= 8  # records and chunks: every one of them was a cut point
