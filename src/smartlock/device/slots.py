"""The two firmware slots and the boot-control record on disk (D-OTA-AB, D-OTA-POWER).

The virtual lock's flash: `<dir>/slot-a.bin`, `<dir>/slot-b.bin` and `<dir>/boot.json`.
The record is replaced whole, never edited: write a temporary file, fsync it, rename
it over the old one, fsync the directory. A power cut leaves either the old record or
the new one, never half of each, which is what the kill tests
(`tests/device/test_slots_power_cut.py`) check. A slot is bootable only when its
bytes hash to what the record says, so a half-written slot is never run.

The order that keeps a bootable slot at every instant (D-OTA-POWER):
1. record: the inactive slot holds no image (`boot.erase`);
2. write the image into the inactive slot, fsync;
3. read it back and check size and SHA-256;
4. record: the slot holds the image, on trial (`boot.stage`).
The active slot is never written while it is active.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from smartlock.device.core.boot import (
    BootControl,
    BootError,
    BootReport,
    Slot,
    SlotImage,
)
from smartlock.device.files import move_into_place

RECORD = "boot.json"
CHUNK = 64 * 1024


def factory_image(version: str) -> bytes:
    """What the virtual lock's factory slot holds: a stand-in for its built-in image."""
    return f"smartlock virtual firmware {version}\n".encode()


def to_json(control: BootControl) -> dict[str, Any]:
    return asdict(control)


def from_json(data: Any) -> BootControl:
    """A record from its JSON; BootError for anything that is not one."""
    if not isinstance(data, dict):
        raise BootError("the boot record is not an object")
    try:
        images = {k: None if data.get(k) is None else SlotImage(**data[k]) for k in ("a", "b")}
        report = data.get("report")
        return BootControl(
            active=Slot(data["active"]),
            trial=None if data.get("trial") is None else Slot(data["trial"]),
            tries_left=int(data.get("tries_left", 0)),
            confirmed=bool(data.get("confirmed", True)),
            failure=data.get("failure"),
            request_id=data.get("request_id"),
            report=None if report is None else BootReport(**report),
            **images,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BootError(f"the boot record is damaged: {exc}") from None


class SlotStore:
    """The slots and record in one directory (the lock's `<data dir>/firmware`)."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)

    def slot_path(self, slot: Slot) -> Path:
        return self.dir / f"slot-{slot.value}.bin"

    # ------------------------------------------------------------------ record

    def read(self) -> BootControl | None:
        """The record, or None on a lock that never had one (first boot)."""
        try:
            text = (self.dir / RECORD).read_text("utf-8")
        except FileNotFoundError:
            return None
        try:
            return from_json(json.loads(text))
        except ValueError as exc:
            raise BootError(f"the boot record is damaged: {exc}") from None

    def write(self, control: BootControl) -> None:
        """Replace the record atomically and durably (write, fsync, rename, fsync dir)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        _replace(self.dir / RECORD, json.dumps(to_json(control), sort_keys=True).encode())

    def first_boot(self, version: str) -> BootControl:
        """A lock without a record: its running firmware becomes slot A, confirmed."""
        existing = self.read()
        if existing is not None:
            return existing
        image = factory_image(version)
        self.dir.mkdir(parents=True, exist_ok=True)
        _replace(self.slot_path(Slot.A), image)
        control = BootControl(a=_describe(version, image))
        self.write(control)
        return control

    # ------------------------------------------------------------------- slots

    def bootable(self, control: BootControl) -> frozenset[Slot]:
        """The slots whose bytes match the record's size and SHA-256."""
        return frozenset(s for s in Slot if self.verifies(s, control.image(s)))

    def verifies(self, slot: Slot, image: SlotImage | None) -> bool:
        if image is None:
            return False
        try:
            data = self.slot_path(slot).read_bytes()
        except OSError:
            return False
        return len(data) == image.size and hashlib.sha256(data).hexdigest() == image.sha256

    def read_image(self, slot: Slot) -> bytes:
        return self.slot_path(slot).read_bytes()

    def write_slot(
        self, slot: Slot, chunks: Iterable[bytes], progress: Callable[[int], None]
    ) -> int:
        """Write an image into `slot` in place (a partition is not renamed), fsync it;
        `progress(bytes written so far)` after each chunk. The caller has erased the
        slot in the record first.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        written = 0
        fd = os.open(self.slot_path(slot), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for chunk in chunks:
                _write_all(fd, chunk)
                written += len(chunk)
                progress(written)
            os.fsync(fd)
        finally:
            os.close(fd)
        return written


def chunks(data: bytes, size: int = CHUNK) -> Iterable[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _describe(version: str, image: bytes) -> SlotImage:
    return SlotImage(version, hashlib.sha256(image).hexdigest(), len(image))


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    move_into_place(tmp, path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
