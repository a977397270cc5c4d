"""The lock itself: a sans-I/O core, its durable store, and the prompt catalogue.

The boundary, all of it:

* `LockCore.handle(input) -> list[Effect]`: inputs and effects are frozen values
  (`smartlock.device.core.inputs`, `smartlock.device.core.effects`). Time enters only as
  `Boot(now)` / `Tick(now)`, wall-clock epoch seconds, sent before other inputs and
  at least once a second.
* Read-only views: `core.status()` (A-STATUS), `core.users()` (A-USERS, no secrets),
  `core.temp_passwords()` (A-TEMP, no codes), `core.settings` and `DESCRIPTORS`
  (generic settings list), `core.state` (the `DurableState` to persist).
* Persistence: `store.commit(core.state, effects)` after each `handle()` is one
  transaction; at boot `LockCore.restore(store.load(), ...)`. `DurableLock` /
  `open_lock` do both for you.
* Journal sync (link): `store.unacked_events(limit)`, `store.ack(up_to_seq)`.
* Ports: `FaceMatcher`, `OfflineCodeChecker` (`smartlock.device.core.ports`).
* Errors: `LockError` with `.code` (`ErrorCode`); `InputError` = caller's fault,
  `Refused` = a rule said no, `StoreError` = storage failed.
"""

from __future__ import annotations

from smartlock.device.core import LockCore
from smartlock.device.core.effects import Effect, JournalEvent
from smartlock.device.core.inputs import Input, RemoteAction, RemoteCommand
from smartlock.device.core.ports import FaceMatcher, OfflineCodeChecker, OfflineVerdict
from smartlock.device.core.prompts import PromptId, render
from smartlock.device.core.records import DurableState, Identity
from smartlock.device.core.reference_matcher import EuclideanMatcher
from smartlock.device.core.settings import DESCRIPTORS, Settings
from smartlock.device.core.views import LockStatus, UserView
from smartlock.device.durable import DurableLock, open_lock
from smartlock.device.store import Store
from smartlock.errors import ErrorCode, InputError, LockError, Refused, StoreError

__all__ = [
    "DESCRIPTORS",
    "DurableLock",
    "DurableState",
    "Effect",
    "ErrorCode",
    "EuclideanMatcher",
    "FaceMatcher",
    "Identity",
    "Input",
    "InputError",
    "JournalEvent",
    "LockCore",
    "LockError",
    "LockStatus",
    "OfflineCodeChecker",
    "OfflineVerdict",
    "PromptId",
    "Refused",
    "RemoteAction",
    "RemoteCommand",
    "Settings",
    "Store",
    "StoreError",
    "UserView",
    "open_lock",
    "render",
]
