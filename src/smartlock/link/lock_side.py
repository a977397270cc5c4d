"""What the lock client needs from the lock: a small port, like a kasa transport.

The link never imports the lock core; the runtime passes an object with these
methods (an adapter over `LockCore` and its SQLite store). Tests pass a fake.
Commands reach `submit` only after the link has checked signature, expiry and nonce
and opened sealed parameters; the lock still applies its own rules (A-REMOTE:
remote-unlock setting, anti-lock mode, lockout, D-MECH) and answers with a result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from smartlock.link.schemas import (
    Command,
    CommandResult,
    Event,
    Scalar,
    ShadowReported,
    StateReport,
)


class LockSide(Protocol):
    """The lock as the link sees it."""

    def status(self) -> StateReport:
        """The current app-facing status (the link fills in `sent_at`)."""
        ...

    def unacked_events(self, limit: int) -> Sequence[Event]:
        """Up to `limit` oldest journal events above `acked_through()`, in seq order."""
        ...

    def acked_through(self) -> int:
        """The highest seq the cloud has acknowledged (persisted by the lock's store)."""
        ...

    def ack(self, up_to_seq: int) -> None:
        """Persist that the cloud holds every event up to `up_to_seq` (D-LOG)."""
        ...

    async def submit(self, command: Command) -> CommandResult:
        """Run an authenticated command through the lock's rules; one result each."""
        ...

    def reported(self) -> ShadowReported:
        """The settings the lock has now and the desired version it last applied."""
        ...

    def apply_settings(self, version: int, settings: Mapping[str, Scalar]) -> ShadowReported:
        """Apply desired settings (A-SETTINGS); refused ones go in `rejected`."""
        ...
