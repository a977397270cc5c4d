"""Child process for the power-cut test (D-OTA-POWER): boots the real lock over its
slots, prints `booted <version>`, then installs one signed update after another
(some whose self-test fails, some whose cloud answers late) and prints each step as
`stage <stage> <version>`, until the parent kills it with SIGKILL.

Writing is slowed down (small chunks, a pause per chunk) so kills land inside it.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from packaging.version import Version

from smartlock.device import open_lock
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.hal.virtual import VirtualLock
from smartlock.link import firmware as fw
from smartlock.link import slot_update
from smartlock.link.codec import parse
from smartlock.link.firmware_install import OtaConfig
from smartlock.link.runtime_adapter import RuntimeLockSide
from smartlock.link.schemas import Command, LinkAction
from smartlock.link.signing import new_lock_key, new_nonce, sign_message, verify_message

SERIAL = "SLPOWERCUT01"


def slow_chunks(data: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        time.sleep(0.01)
        yield data[start : start + size]


def command(release: dict[str, object], rid: str) -> Command:
    key, now = new_lock_key(), time.time()
    sent = Command(
        request_id=rid,
        action=LinkAction.FIRMWARE_UPDATE,
        params={"release": release},
        issued_at=now,
        expires_at=now + 60,
        nonce=new_nonce(),
    )
    where, payload = sign_message(key, SERIAL, sent)
    received = verify_message(key, parse(where, payload))
    assert isinstance(received, Command)
    return received


async def main(data_dir: Path, seed: int) -> None:
    rnd = random.Random(seed)
    vendor = fw.read_private_key(data_dir / "vendor.key")
    slot_update.chunks = slow_chunks  # type: ignore[assignment]
    durable = open_lock(data_dir / "lock.db", serial=SERIAL, verification_code="ABC123")
    runtime = LockRuntime(core=durable, hardware=VirtualLock().hardware, clock=FastForwardClock())
    runtime.boot()
    ota = OtaConfig(fw.public_key_text(vendor), image_dir=data_dir / "slots", confirm_within_s=0.4)
    side = RuntimeLockSide(runtime, durable, data_dir / "link.json", ota=ota)
    assert side.slots is not None
    slots = side.slots

    def say() -> None:
        p = slots.progress
        if p is not None:
            print(f"stage {p.stage} {p.version} {p.reason or '-'}", flush=True)

    slots.changed = say
    print(f"booted {durable.core.firmware}", flush=True)
    late = [0.0]

    async def cloud() -> None:  # acks the journal, sometimes too late for the deadline
        while True:
            await asyncio.sleep(0.01 + late[0])
            unacked = side.unacked_events(50)
            if unacked:
                side.ack(unacked[-1].seq)

    acks = asyncio.create_task(cloud())
    if slots.trial_running:  # a cut between staging and the reboot: finish that trial
        await slots.resume_trial()
    n = 0
    while True:
        n += 1
        current = Version(durable.core.firmware)
        version = f"{current.major}.{current.minor}.{current.micro + 1}"
        image = rnd.randbytes(rnd.randint(100_000, 300_000))
        if rnd.random() < 0.3:
            image += slot_update.SELF_TEST_FAIL_MARK
        late[0] = 0.6 if rnd.random() < 0.2 else 0.0
        path = data_dir / "image.bin"
        path.write_bytes(image)
        manifest = fw.manifest_for(image, version=version, url=str(path))
        release = fw.sign_manifest(vendor, manifest).model_dump(mode="json")
        result = await side.submit(command(release, f"cut-{seed}-{n}"))
        print(f"result {version} {result.ok} {result.reason}", flush=True)
    acks.cancel()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
