"""A fake lock side (the link's port) and a TCP proxy that can cut connections."""

from __future__ import annotations

import asyncio
import contextlib
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

MASTER_CODE = "135790"


@dataclass
class FakeLock:
    """In-memory stand-in for LockCore + store, with the rules a link test needs."""

    door: DoorState = DoorState.LOCKED
    anti_lock: bool = False
    remote_unlock: bool = True
    battery: int = 90
    journal: list[Event] = field(default_factory=list)
    acked: int = 0
    settings: dict[str, Scalar] = field(default_factory=lambda: {"face_unlock": True})
    settings_version: int = 0
    commands: list[Command] = field(default_factory=list)
    clock: float = 1_700_000_000.0
    firmware: str = "1.2.3"

    def record(self, kind: EventKind, **kw: object) -> Event:
        self.clock += 1
        seq = self.journal[-1].seq + 1 if self.journal else 1
        event = Event(seq=seq, at=self.clock, kind=kind, **kw)  # type: ignore[arg-type]
        self.journal.append(event)
        return event

    def status(self) -> StateReport:
        return StateReport(
            door=self.door,
            bolt=BoltState.THROWN if self.door is DoorState.LOCKED else BoltState.RETRACTED,
            modes={Mode.ANTI_LOCK: self.anti_lock},
            battery=self.battery,
            last_event_seq=self.journal[-1].seq if self.journal else 0,
            firmware=self.firmware,
        )

    def unacked_events(self, limit: int) -> Sequence[Event]:
        return [e for e in self.journal if e.seq > self.acked][:limit]

    def acked_through(self) -> int:
        return self.acked

    def ack(self, up_to_seq: int) -> None:
        assert up_to_seq >= self.acked
        self.acked = up_to_seq

    async def submit(self, command: Command) -> CommandResult:
        self.commands.append(command)
        rid = command.request_id
        if command.action == "unlock":
            if not self.remote_unlock:
                return CommandResult(request_id=rid, ok=False, reason="remote_unlock_disabled")
            if self.anti_lock:
                return CommandResult(request_id=rid, ok=False, reason="anti_lock_mode")
            if command.params.get("origin") == "home_assistant" and (
                command.params.get("code") != MASTER_CODE
            ):
                return CommandResult(request_id=rid, ok=False, reason="bad_password")
            self.door = DoorState.UNLOCKED
            self.record(EventKind.UNLOCK, user_no=1, method=Method.REMOTE, source=Source.REMOTE)
            return CommandResult(request_id=rid, ok=True)
        if command.action == "lock":
            self.door = DoorState.LOCKED
            self.record(EventKind.LOCKED, source=Source.REMOTE)
            return CommandResult(request_id=rid, ok=True)
        return CommandResult(request_id=rid, ok=True, data={"action": str(command.action)})

    def reported(self) -> ShadowReported:
        return ShadowReported(version=self.settings_version, settings=dict(self.settings))

    def apply_settings(self, version: int, settings: Mapping[str, Scalar]) -> ShadowReported:
        rejected = {k: "unknown setting" for k in settings if k not in self.settings}
        self.settings.update({k: v for k, v in settings.items() if k not in rejected})
        self.settings_version = version
        return ShadowReported(version=version, settings=dict(self.settings), rejected=rejected)


class CuttableProxy:
    """TCP proxy to the broker; `cut()` drops every live connection mid-stream."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._writers -= {writer, up_writer}

    def cut(self) -> None:
        self.cuts += 1
        for w in list(self._writers):
            transport = w.transport
            transport.abort()

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
