"""Signed firmware updates on the lock (A-OTA): the vendor signature, the version rule,
the image checksum, the durable version and the journal, without a broker.

The lock here is the real one (core + SQLite store + runtime + virtual hardware) behind
`RuntimeLockSide`, given commands exactly as the link client hands them over.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from smartlock.device import open_lock
from smartlock.device.core.inputs import FactoryReset, FirmwareUpdate
from smartlock.device.core.inputs import FirmwareStage as Stage
from smartlock.device.core.records import FIRMWARE_VERSION
from smartlock.device.durable import DurableLock
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.errors import ErrorCode
from smartlock.hal.virtual import VirtualLock
from smartlock.link import firmware as fw
from smartlock.link.codec import parse
from smartlock.link.firmware_install import OtaConfig
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import Command, CommandResult, LinkAction
from smartlock.link.signing import new_lock_key, new_nonce, sign_message, verify_message
from smartlock.vocab import EventKind

IMAGE = b"\x7fSMARTLOCK firmware image " + bytes(range(256)) * 8


@pytest.fixture
def vendor() -> Ed25519PrivateKey:
    return fw.new_private_key()


@pytest.fixture
def image_file(tmp_path: Path) -> Path:
    path = tmp_path / "image.bin"
    path.write_bytes(IMAGE)
    return path


def release(
    key: Ed25519PrivateKey, image_file: Path, version: str = "0.2.0", **kw: Any
) -> dict[str, Any]:
    manifest = fw.manifest_for(IMAGE, version=version, url=str(image_file), **kw)
    return fw.sign_manifest(key, manifest).model_dump(mode="json")


def command(rel: Any, request_id: str = "fw-1") -> Command:
    """A firmware_update command as the lock receives it: signed, parsed, verified."""
    key, now = new_lock_key(), time.time()
    sent = Command(
        request_id=request_id,
        action=LinkAction.FIRMWARE_UPDATE,
        params={"release": rel},
        issued_at=now,
        expires_at=now + 30,
        nonce=new_nonce(),
    )
    where, payload = sign_message(key, "SLFWTEST0001", sent)
    received = verify_message(key, parse(where, payload))
    assert isinstance(received, Command)
    return received


class Lock:
    def __init__(self, path: Path, ota: OtaConfig | None) -> None:
        self.path = path
        self.durable: DurableLock = open_lock(
            path / "lock.db", serial="SLFWTEST0001", verification_code="ABC123"
        )
        self.runtime = LockRuntime(
            core=self.durable, hardware=VirtualLock().hardware, clock=FastForwardClock()
        )
        self.runtime.boot()
        self.side = RuntimeLockSide(self.runtime, self.durable, path / "link.json", ota=ota)

    def submit(self, cmd: Command, *, cloud: bool = True) -> CommandResult:
        """Run the command; `cloud`: something acks the journal as the cloud does, which
        is how a trial boot proves it reaches the cloud (D-OTA-CONFIRM)."""

        async def run() -> CommandResult:
            acks = asyncio.create_task(self._cloud_acks()) if cloud else None
            try:
                return await self.side.submit(cmd)
            finally:
                if acks is not None:
                    acks.cancel()

        return asyncio.run(run())

    async def _cloud_acks(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            unacked = self.side.unacked_events(50)
            if unacked:
                self.side.ack(unacked[-1].seq)

    def steps(self) -> list[dict[str, Any]]:
        """The journal's firmware update events, as the cloud will get them."""
        return [
            dict(e.details)
            for e in self.durable.store.events(0, 1000)
            if e.kind in FIRMWARE_KINDS and e.details.get("action") == "firmware_update"
        ]


FIRMWARE_KINDS = {
    EventKind.FIRMWARE_UPDATE_STARTED,
    EventKind.FIRMWARE_UPDATE_TRIAL,
    EventKind.FIRMWARE_UPDATED,
    EventKind.FIRMWARE_ROLLED_BACK,
    EventKind.FIRMWARE_UPDATE_REFUSED,
}


@pytest.fixture
def lock(tmp_path: Path, vendor: Ed25519PrivateKey) -> Iterator[Lock]:
    ota = OtaConfig(fw.public_key_text(vendor), image_dir=tmp_path / "installed")
    lock = Lock(tmp_path, ota)
    yield lock
    lock.durable.store.close()


# ---------------------------------------------------------------- the release format


def test_signature_covers_every_manifest_field_A_OTA(
    vendor: Ed25519PrivateKey, image_file: Path
) -> None:
    rel = release(vendor, image_file)
    public = fw.public_key_text(vendor)
    assert fw.verify_release(public, rel).version == "0.2.0"
    for field, value in [("version", "9.9.9"), ("sha256", "1" * 64), ("url", "/tmp/x")]:
        forged = {**rel, "manifest": {**rel["manifest"], field: value}}
        with pytest.raises(fw.FirmwareError) as err:
            fw.verify_release(public, forged)
        assert err.value.code is ErrorCode.BAD_SIGNATURE
    other = fw.new_private_key()  # signed, but not by our vendor
    with pytest.raises(fw.FirmwareError) as err:
        fw.verify_release(public, release(other, image_file))
    assert err.value.code is ErrorCode.BAD_SIGNATURE
    for bad in [rel["manifest"], {**rel, "extra": 1}, {**rel, "signature": "x"}, "nope"]:
        with pytest.raises(fw.FirmwareError) as err:
            fw.verify_release(public, bad)
        assert err.value.code is ErrorCode.MALFORMED_RELEASE


def test_versions_compare_as_numbers_A_OTA() -> None:
    assert fw.is_newer("0.10.0", "0.9.0")
    assert fw.is_newer("1.0.0", "0.99.99")
    assert not fw.is_newer("0.9.0", "0.10.0")
    assert not fw.is_newer("0.2.0", "0.2")  # the same version, written shorter
    assert fw.is_newer("0.2.0", "")  # a lock that never reported a version


def test_private_key_file_is_owner_only_and_never_overwritten_A_OTA(tmp_path: Path) -> None:
    key = fw.new_private_key()
    path = tmp_path / "vendor.key"
    fw.write_private_key(key, path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert fw.public_key_text(fw.read_private_key(path)) == fw.public_key_text(key)
    with pytest.raises(FileExistsError):
        fw.write_private_key(fw.new_private_key(), path)


# ------------------------------------------------------------------------- the lock


def test_lock_installs_a_signed_newer_release_and_keeps_it_A_OTA(
    lock: Lock, vendor: Ed25519PrivateKey, image_file: Path, tmp_path: Path
) -> None:
    assert lock.side.status().firmware == FIRMWARE_VERSION == "0.1.0"
    result = lock.submit(command(release(vendor, image_file, "0.2.0")))
    assert result.ok, result
    assert result.data == {"version": "0.2.0"}
    assert lock.side.status().firmware == "0.2.0"  # the next state report says so
    assert (tmp_path / "installed" / "slot-b.bin").read_bytes() == IMAGE  # the inactive slot
    steps = lock.steps()
    assert [s["stage"] for s in steps] == ["started", "trial", "installed"]
    assert steps[-1]["version"] == "0.2.0" and steps[-1]["from_version"] == "0.1.0"
    # Durable: a reboot (the store reopened) runs the new version.
    lock.durable.store.close()
    again = open_lock(tmp_path / "lock.db", serial="SLFWTEST0001", verification_code="ABC123")
    try:
        assert again.core.firmware == "0.2.0"
        assert again.core.status().firmware == "0.2.0"
        # A factory reset wipes the lock's data, not the installed image.
        again.handle(FactoryReset())
        assert again.core.firmware == "0.2.0"
    finally:
        again.store.close()


def test_lock_refuses_a_release_not_signed_by_its_vendor_A_OTA(
    lock: Lock, image_file: Path
) -> None:
    impostor = fw.new_private_key()
    result = lock.submit(command(release(impostor, image_file, "0.3.0")))
    assert not result.ok and result.reason == "bad_signature"
    assert lock.side.status().firmware == "0.1.0"
    assert lock.steps() == [
        {
            "action": "firmware_update",
            "request_id": "fw-1",
            "stage": "refused",
            "version": "0.3.0",
            "from_version": "0.1.0",
            "reason": "bad_signature",
        }
    ]
    assert not (image_file.parent / "installed" / "slot-b.bin").exists()


@pytest.mark.parametrize(("version", "reason"), [("0.0.9", "downgrade"), ("0.1.0", "same_version")])
def test_lock_refuses_a_downgrade_or_the_same_version_A_OTA(
    lock: Lock, vendor: Ed25519PrivateKey, image_file: Path, version: str, reason: str
) -> None:
    result = lock.submit(command(release(vendor, image_file, version)))
    assert not result.ok and result.reason == reason
    assert lock.side.status().firmware == "0.1.0"
    assert [(s["stage"], s["reason"]) for s in lock.steps()] == [("refused", reason)]


def test_lock_refuses_another_model_A_OTA(
    lock: Lock, vendor: Ed25519PrivateKey, image_file: Path
) -> None:
    result = lock.submit(command(release(vendor, image_file, "0.2.0", model="garage-door")))
    assert not result.ok and result.reason == "wrong_model"
    assert lock.side.status().firmware == "0.1.0"


def test_lock_refuses_an_image_that_does_not_match_the_signed_hash_A_OTA(
    lock: Lock, vendor: Ed25519PrivateKey, image_file: Path
) -> None:
    rel = release(vendor, image_file, "0.2.0")
    image_file.write_bytes(IMAGE[:-1] + b"\x00")  # swapped after signing, same size
    result = lock.submit(command(rel))
    assert not result.ok and result.reason == "hash_mismatch"
    assert lock.side.status().firmware == "0.1.0"
    assert [s["stage"] for s in lock.steps()] == ["started", "refused"]
    image_file.unlink()
    result = lock.submit(command(rel, "fw-2"))
    assert not result.ok and result.reason == "fetch_failed"


def test_lock_without_a_vendor_key_refuses_every_update_A_OTA(
    tmp_path: Path, vendor: Ed25519PrivateKey, image_file: Path
) -> None:
    lock = Lock(tmp_path, None)
    try:
        result = lock.submit(command(release(vendor, image_file)))
        assert not result.ok and result.reason == "updates_not_configured"
        assert lock.side.status().firmware == "0.1.0"
    finally:
        lock.durable.store.close()


def test_lock_fetches_the_image_over_http_on_loopback_A_OTA(
    lock: Lock, vendor: Ed25519PrivateKey, image_file: Path
) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(IMAGE)))
            self.end_headers()
            self.wfile.write(IMAGE)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/fw/0.2.0.bin"
        manifest = fw.manifest_for(IMAGE, version="0.2.0", url=url)
        rel = fw.sign_manifest(vendor, manifest).model_dump(mode="json")
        result = lock.submit(command(rel))
    finally:
        server.shutdown()
        thread.join(5)
    assert result.ok, result
    assert lock.side.status().firmware == "0.2.0"
    assert hashlib.sha256(IMAGE).hexdigest() == rel["manifest"]["sha256"]


def test_core_never_records_an_older_version_whatever_the_shell_says_A_OTA(
    lock: Lock,
) -> None:
    lock.runtime.submit(FirmwareUpdate("fw-x", Stage.INSTALLED, "0.0.1"))
    assert lock.durable.core.firmware == "0.1.0"
    assert [(s["stage"], s["reason"]) for s in lock.steps()] == [("refused", "downgrade")]
    lock.runtime.submit(FirmwareUpdate("fw-y", Stage.INSTALLED, "0.10.0"))
    assert lock.durable.core.firmware == "0.10.0"


def test_a_lock_given_an_unusable_vendor_key_says_so_at_start_A_OTA() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        OtaConfig("not-a-key")


def test_vendor_key_rotation_old_and_new_trusted_then_old_dropped_A_OTA(
    tmp_path: Path, vendor: Ed25519PrivateKey, image_file: Path
) -> None:
    """Rotation: a lock that trusts both keys takes releases signed by either; once the
    old key is dropped (a later firmware, here a restart with one key) it is refused."""
    new = fw.new_private_key()
    new_pem = (
        new.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    both = f"{fw.public_key_text(vendor)},\n{new_pem}"  # a list may mix the two notations
    assert len(fw.load_trusted_keys(both)) == 2
    lock = Lock(tmp_path, OtaConfig(both, image_dir=tmp_path / "installed"))
    try:
        assert lock.submit(command(release(vendor, image_file, "0.2.0"), "fw-1")).ok
        assert lock.submit(command(release(new, image_file, "0.3.0"), "fw-2")).ok
        stranger = lock.submit(command(release(fw.new_private_key(), image_file, "0.4.0"), "fw-3"))
        assert not stranger.ok and stranger.reason == "bad_signature"
        trusted = OtaConfig(fw.public_key_text(new), image_dir=tmp_path / "installed")
        lock.side.installer.ota = trusted
        old = lock.submit(command(release(vendor, image_file, "0.5.0"), "fw-4"))
        assert not old.ok and old.reason == "bad_signature"
        assert lock.side.status().firmware == "0.3.0"
    finally:
        lock.durable.store.close()
    for bad in ("", " , ", f"{fw.public_key_text(new)} not-a-key"):
        with pytest.raises(ValueError):
            fw.load_trusted_keys(bad)
