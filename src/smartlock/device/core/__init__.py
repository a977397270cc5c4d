"""The pure lock core: rules, tables, state, inputs and effects (sans-I/O, like h11).

Nothing here touches a thread, a file, a socket or a clock: time enters as `Boot` /
`Tick` inputs, and everything the lock does leaves as effects. The shell around it
(`smartlock.device`: runtime, store, console) does the I/O. `make lint` holds the
boundary (import-linter, pyproject.toml).
"""

from __future__ import annotations

from smartlock.device.core.lock import Checkpoint, LockCore

__all__ = ["Checkpoint", "LockCore"]
