"""N locks bound through the cloud's own code, and each lock's in-memory side.

Fast path (documented in docs/fleet-bench.md): real pairing (hello, scrypt'd label
code, sealed credentials, one broker reload per lock) is tested in
tests/cloud/test_link_integration.py; here each lock gets fresh credentials from
``link.cloud_side.new_credentials``, its key sealed by the cloud's ``KeyBox`` and the
row written by ``crud.bind_device``, on four connections with ``synchronous_commit``
off. The device row's ``broker_password_hash`` (stored, never read) gets the broker's
own PBKDF2 hash instead of argon2, which would take minutes for 10,000 locks. The
Mosquitto password file is written once for all of them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from smartlock.cloud import crud
from smartlock.cloud.models import Account, SettingsShadow
from smartlock.cloud.services import Services
from smartlock.link.broker_accounts import password_line
from smartlock.link.cloud_side import new_credentials
from smartlock.link.pairing import LockCredentials
from smartlock.link.schemas import (
    Command,
    CommandResult,
    Event,
    Scalar,
    ShadowReported,
    StateReport,
)
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Source

OWNER_EMAIL = "fleet-owner@example.org"
CLOUD_USER = "cloud"
SIM_USER = "fleet-sim"
FIRMWARE = "1.0.0"
BIND_THREADS = 4
START_AT = 1_750_000_000.0  # events' times: a fixed epoch, one second apart per lock


def event_for(seq: int) -> Event:
    """A day at a door, in four steps: unlock by face, opened, closed, locked."""
    at = START_AT + seq
    step = seq % 4
    if step == 1:
        return Event(
            seq=seq, at=at, kind=EventKind.UNLOCK, user_no=1, method=Method.FACE, source=Source.FACE
        )
    if step == 2:
        return Event(seq=seq, at=at, kind=EventKind.DOOR_OPENED)
    if step == 3:
        return Event(seq=seq, at=at, kind=EventKind.DOOR_CLOSED)
    return Event(seq=seq, at=at, kind=EventKind.LOCKED, source=Source.AUTO)


@dataclass
class SimSide:
    """A minimal in-memory LockSide: a journal with an ack pointer, remote unlock on."""

    journal: list[Event] = field(default_factory=list)
    acked: int = 0
    door: DoorState = DoorState.LOCKED
    unlocks: int = 0

    def record(self, count: int = 1) -> None:
        for _ in range(count):
            self.journal.append(event_for(len(self.journal) + 1))

    def status(self) -> StateReport:
        locked = self.door is DoorState.LOCKED
        return StateReport(
            door=self.door,
            bolt=BoltState.THROWN if locked else BoltState.RETRACTED,
            battery=80,
            last_event_seq=len(self.journal),
            firmware=FIRMWARE,
        )

    def unacked_events(self, limit: int) -> Sequence[Event]:
        return self.journal[self.acked : self.acked + limit]  # seq n is journal[n - 1]

    def acked_through(self) -> int:
        return self.acked

    def ack(self, up_to_seq: int) -> None:
        self.acked = max(self.acked, up_to_seq)

    async def submit(self, command: Command) -> CommandResult:
        """The link checked signature, expiry and nonce; this lock always agrees."""
        self.unlocks += 1
        return CommandResult(request_id=command.request_id, ok=True)

    def reported(self) -> ShadowReported:
        return ShadowReported(version=0, settings={"remote_unlock": True})

    def apply_settings(self, version: int, settings: Mapping[str, Scalar]) -> ShadowReported:
        return ShadowReported(version=version, settings={"remote_unlock": True, **settings})


@dataclass
class FleetLock:
    credentials: LockCredentials
    device_id: str
    side: SimSide = field(default_factory=SimSide)

    @property
    def lock_id(self) -> str:
        return self.credentials.lock_id

    @property
    def key(self) -> str:
        return self.credentials.lock_key


@dataclass
class Fleet:
    locks: list[FleetLock]
    owner_password: str
    cloud_password: str
    sim_password: str


def provision(services: Services, n: int, broker_dir: Path, acl: str) -> Fleet:
    """Bind ``n`` locks to one owner; write the broker's password file and ACL."""
    owner_password = secrets.token_urlsafe(16)
    cloud_password, sim_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    with services.sessionmaker() as session:
        owner = crud.create_account(
            session, email=OWNER_EMAIL, password=owner_password, settings=services.settings
        )
        owner_id = owner.id
    # Each thread binds a share on its own connection: the round trips overlap.
    shares = [range(i, n, BIND_THREADS) for i in range(BIND_THREADS)]
    with ThreadPoolExecutor(BIND_THREADS) as pool:
        done = list(pool.map(lambda share: _bind(services, owner_id, share), shares))
    bound = sorted((pair for part in done for pair in part), key=lambda p: p[0].lock_id)
    locks = [lock for lock, _ in bound]
    lines = [password_line(CLOUD_USER, cloud_password), password_line(SIM_USER, sim_password)]
    lines += [line for _, line in bound]
    passwd = broker_dir / "passwd"
    fd = os.open(passwd, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    # The services listener knows only the cloud and the simulator (deploy/mosquitto).
    services = broker_dir / "passwd-services"
    fd = os.open(services, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines[:2]))
    (broker_dir / "acl").write_text(acl)
    return Fleet(locks, owner_password, cloud_password, sim_password)


def _bind(services: Services, owner_id: int, share: range) -> list[tuple[FleetLock, str]]:
    out: list[tuple[FleetLock, str]] = []
    with services.engine.connect() as conn:
        conn.execute(text("SET synchronous_commit TO off"))  # this connection only
        conn.commit()
        with Session(bind=conn, expire_on_commit=False) as session:
            owner = session.get(Account, owner_id)
            assert owner is not None
            for i in share:
                creds = new_credentials(f"FLEET-{i:05d}", owner=OWNER_EMAIL)
                line = password_line(creds.broker_username, creds.broker_password)
                device = crud.bind_device(
                    session,
                    owner=owner,
                    serial=creds.lock_id,
                    name=f"Door {i}",
                    key_encrypted=services.key_box.seal(
                        creds.lock_key.encode("ascii"), context=f"lock-key:{creds.lock_id}"
                    ),
                    broker_username=creds.broker_username,
                    broker_password_hash=line.split(":", 1)[1],
                    firmware=FIRMWARE,
                )
                out.append((FleetLock(creds, device.id), line))
            # A-REMOTE: remote unlock on, as the lock reports it (no pending desired).
            ids = [lock.device_id for lock, _ in out]
            for chunk in range(0, len(ids), 1000):
                session.execute(
                    update(SettingsShadow)
                    .where(SettingsShadow.device_id.in_(ids[chunk : chunk + 1000]))
                    .values(reported={"remote_unlock": True})
                )
            session.commit()
    return out
