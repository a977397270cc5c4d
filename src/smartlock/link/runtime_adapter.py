"""The real lock as the link's `LockSide`: `LockRuntime` + `DurableLock` (core + store).

Commands go through the runtime (so the motor and prompts play) as `RemoteCommand`s
and come back as the core's `CommandResult` effect; events come from the store's
journal, converted to link `Event`s with details made safe for the wire (scalars
only, secret-looking keys dropped: D-PRIV), so one odd event can never block the
journal. Settings from the shadow run as `change_setting` commands, one per name,
and the applied desired version is kept in a small file beside the lock's database,
with `device_name` (the app's name for the lock, which Home Assistant shows: A-HA).

Two commands are the shell's own (`LinkAction`), not the core's: `firmware_update`
goes to `firmware_install.FirmwareInstaller` (A-OTA), `live_view` to the
`CameraFeed` (A-LIVE, `camera_feed.live_view`), which also takes the pictures the
core's `TakeSnapshot` effect (a doorbell press) asks for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from smartlock.device.core import effects as fx
from smartlock.device.core.inputs import RemoteAction, RemoteCommand
from smartlock.device.core.journal_chain import wire_details
from smartlock.device.core.records import FIRMWARE_VERSION
from smartlock.device.durable import DurableLock
from smartlock.device.runtime import LockRuntime
from smartlock.errors import LockError
from smartlock.link import slot_update
from smartlock.link.camera_feed import CameraFeed, live_view
from smartlock.link.firmware_install import FirmwareInstaller, OtaConfig
from smartlock.link.schemas import (
    Command,
    CommandResult,
    Event,
    LinkAction,
    Scalar,
    ShadowReported,
    StateReport,
)
from smartlock.vocab import Mode

log = logging.getLogger(__name__)
_MODES = {m.value: m for m in Mode}
DEVICE_NAME = "device_name"  # not a core setting: the app's name, kept beside the version
MAX_NAME = 100


def to_link_event(event: fx.JournalEvent) -> Event:
    """A journal event in wire shape: scalar details, secrets dropped (D-PRIV), with
    the hash of the event before it (the chain, `device.core.journal_chain`).
    """
    return Event(
        seq=event.seq,
        at=event.at,
        kind=event.kind,
        user_no=event.user_no,
        method=event.method,
        source=event.source,
        details=wire_details(event.details),
        prev_hash=event.prev_hash,
    )


class RuntimeLockSide:
    """LockSide over the running lock. `watch(notify)` wires change notifications."""

    def __init__(
        self,
        runtime: LockRuntime,
        lock: DurableLock,
        state_file: Path,
        *,
        result_timeout_s: float = 10,
        ota: OtaConfig | None = None,
        camera: CameraFeed | None = None,
    ) -> None:
        self.runtime = runtime
        self.camera = camera
        self.lock = lock
        self.state_file = Path(state_file)
        self.result_timeout_s = result_timeout_s
        self._notifiers: list[Callable[[], None]] = []
        self.installer = FirmwareInstaller(
            runtime, lock, ota, self.state_file.parent / "firmware", self._changed
        )

    @property
    def slots(self) -> slot_update.SlotUpdater | None:
        """The firmware slots (A-OTA), None without an `OtaConfig`."""
        return self.installer.slots

    def _changed(self) -> None:
        for notify in list(self._notifiers):
            notify()

    def watch(
        self, notify: Callable[[], None], loop: asyncio.AbstractEventLoop
    ) -> Callable[[], None]:
        """Call `notify` (on `loop`) whenever the lock journals or its status changes."""
        camera = self.camera

        def listener(effect: fx.Effect) -> None:
            if isinstance(effect, fx.JournalEvent | fx.StatusChanged):
                loop.call_soon_threadsafe(notify)
            elif isinstance(effect, fx.TakeSnapshot) and camera is not None:
                loop.call_soon_threadsafe(camera.doorbell)

        def progress() -> None:  # update progress (A-OTA-STATUS), from any thread
            loop.call_soon_threadsafe(notify)

        self._notifiers.append(progress)
        self.installer.resume_trial(loop)
        remove = self.runtime.add_listener(listener)

        def unwatch() -> None:
            remove()
            if progress in self._notifiers:
                self._notifiers.remove(progress)

        return unwatch

    def status(self) -> StateReport:
        s = self.lock.core.status()
        return StateReport(
            online=True,
            door=s.door,
            bolt=s.bolt,
            modes={_MODES[k]: bool(v) for k, v in s.modes.items() if k in _MODES},
            battery=max(0, min(100, s.battery if s.battery is not None else 0)),
            usb_power=s.usb_power,
            tamper="tamper" in s.alarms,
            lockout_remaining_s=round(s.lockout_remaining_s),
            last_event_seq=int(s.last_event["seq"]) if s.last_event else 0,
            firmware=getattr(self.lock.core, "firmware", FIRMWARE_VERSION)[:32],
            firmware_update=self.installer.progress,
        )

    def unacked_events(self, limit: int) -> Sequence[Event]:
        return [to_link_event(e) for e in self.lock.store.unacked_events(limit)]

    def acked_through(self) -> int:
        return self.lock.store.acked_seq()

    def ack(self, up_to_seq: int) -> None:
        self.lock.store.ack(up_to_seq)

    async def submit(self, command: Command) -> CommandResult:
        if command.action is LinkAction.FIRMWARE_UPDATE:
            return await self.installer.update(command)
        if command.action is LinkAction.LIVE_VIEW:
            return live_view(self.camera, command)
        remote = RemoteCommand(
            request_id=command.request_id,
            action=command.action,
            params=dict(command.params),
            expires_at=command.expires_at,
        )
        try:
            effects = await self.runtime.asubmit(remote)
        except LockError as err:  # the store failed: answer, so the app is not left waiting
            log.error("command %s failed: %s", command.request_id, err)
            return CommandResult(request_id=command.request_id, ok=False, reason=err.code.value)
        for effect in effects:
            if isinstance(effect, fx.CommandResult) and effect.request_id == command.request_id:
                data: dict[str, Scalar] = {
                    k: v for k, v in effect.data.items() if _scalar(v) and is_name(k)
                }
                reason = None if effect.code is None else effect.code.value
                return CommandResult(
                    request_id=command.request_id, ok=effect.ok, reason=reason, data=data
                )
        return CommandResult(request_id=command.request_id, ok=False, reason="no_result")

    def _link_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.state_file.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_link_state(self, state: dict[str, Any]) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), "utf-8")
        os.replace(tmp, self.state_file)

    def _version(self) -> int:
        try:
            return int(self._link_state()["shadow_version"])
        except (KeyError, TypeError, ValueError):
            return 0

    def reported(self) -> ShadowReported:
        settings = {k: v for k, v in self.lock.core.settings.to_dict().items() if _scalar(v)}
        name = self._link_state().get(DEVICE_NAME)
        if isinstance(name, str):
            settings[DEVICE_NAME] = name
        return ShadowReported(version=self._version(), settings=settings)

    def set_device_name(self, name: str) -> None:
        """The app's name for the lock, as pairing delivered it (A-HA)."""
        state = self._link_state()
        if name.strip():
            state[DEVICE_NAME] = name.strip()[:MAX_NAME]
            self._save_link_state(state)

    def apply_settings(self, version: int, settings: Mapping[str, Scalar]) -> ShadowReported:
        rejected: dict[str, str] = {}
        state = self._link_state()
        for name, value in settings.items():
            if name == DEVICE_NAME:  # the app's name for the lock: the shell's, for HA
                if isinstance(value, str) and 0 < len(value.strip()) <= MAX_NAME:
                    state[DEVICE_NAME] = value.strip()
                else:
                    rejected[name] = "bad_setting_value"
                continue
            remote = RemoteCommand(
                request_id=f"shadow-{version}-{uuid.uuid4().hex[:8]}",
                action=RemoteAction.CHANGE_SETTING,
                params={"name": name, "value": value},
            )
            results = [e for e in self.runtime.submit(remote) if isinstance(e, fx.CommandResult)]
            if not results or not results[0].ok:
                code = results[0].code if results else None
                rejected[name] = "refused" if code is None else code.value
        state["shadow_version"] = version
        self._save_link_state(state)
        reported = self.reported()
        return reported.model_copy(update={"rejected": rejected})


def is_name(key: Any) -> bool:
    """Keys the wire allows in a result's data (lower snake case)."""
    return isinstance(key, str) and bool(re.fullmatch(r"[a-z][a-z0-9_]{0,63}", key))


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
