"""A simulated lock for the cloud's integration tests: the link's LockSide port with
the rules the cloud relies on (remote unlock setting, anti-lock, lockout, journal)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from smartlock.link.schemas import (
    Command,
    CommandResult,
    Event,
    Scalar,
    ShadowReported,
    StateReport,
)
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Mode, Source

_clock = itertools.count(1_780_000_000)


@dataclass
class SimLock:
    door: DoorState = DoorState.LOCKED
    battery: int = 90
    lockout_remaining_s: int = 0
    journal: list[Event] = field(default_factory=list)
    acked: int = 0
    settings: dict[str, Scalar] = field(
        default_factory=lambda: {"remote_unlock": False, "anti_lock": False, "mute": False}
    )
    settings_version: int = 0
    commands: list[Command] = field(default_factory=list)
    passwords: dict[int, str] = field(default_factory=dict)

    def record(self, kind: EventKind, **kw: object) -> Event:
        seq = self.journal[-1].seq + 1 if self.journal else 1
        event = Event(seq=seq, at=float(next(_clock)), kind=kind, **kw)  # type: ignore[arg-type]
        self.journal.append(event)
        return event

    # --- the LockSide port ---------------------------------------------------------

    def status(self) -> StateReport:
        return StateReport(
            door=self.door,
            bolt=BoltState.THROWN if self.door is DoorState.LOCKED else BoltState.RETRACTED,
            modes={Mode.ANTI_LOCK: bool(self.settings.get("anti_lock"))},
            battery=self.battery,
            lockout_remaining_s=self.lockout_remaining_s,
            last_event_seq=self.journal[-1].seq if self.journal else 0,
            firmware="1.0.0",
        )

    def unacked_events(self, limit: int) -> Sequence[Event]:
        return [e for e in self.journal if e.seq > self.acked][:limit]

    def acked_through(self) -> int:
        return self.acked

    def ack(self, up_to_seq: int) -> None:
        self.acked = max(self.acked, up_to_seq)

    async def submit(self, command: Command) -> CommandResult:
        self.commands.append(command)
        rid = command.request_id
        if command.action == "unlock":
            if not self.settings.get("remote_unlock"):
                return CommandResult(request_id=rid, ok=False, reason="remote_unlock_disabled")
            if self.settings.get("anti_lock"):
                return CommandResult(request_id=rid, ok=False, reason="anti_lock_mode")
            if self.lockout_remaining_s:
                return CommandResult(request_id=rid, ok=False, reason="locked_out")
            self.door = DoorState.UNLOCKED
            self.record(EventKind.UNLOCK, method=Method.REMOTE, source=Source.REMOTE)
            return CommandResult(request_id=rid, ok=True)
        if command.action == "set_password":
            user_no = int(command.params["user_no"])  # type: ignore[arg-type]
            self.passwords[user_no] = str(command.params["digits"])
            self.record(
                EventKind.CREDENTIAL_ADDED,
                user_no=user_no,
                source=Source.REMOTE,
                details={"cred_id": 10 + user_no, "cred_type": "pin", "duress": False},
            )
            return CommandResult(request_id=rid, ok=True)
        return CommandResult(request_id=rid, ok=False, reason="unknown_action")

    def reported(self) -> ShadowReported:
        return ShadowReported(version=self.settings_version, settings=dict(self.settings))

    def apply_settings(self, version: int, settings: Mapping[str, Scalar]) -> ShadowReported:
        self.settings.update(settings)
        self.settings_version = version
        return ShadowReported(version=version, settings=dict(self.settings))
