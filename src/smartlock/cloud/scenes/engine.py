"""When scenes fire (A-SCENE): matching triggers and conditions, and loop prevention.

This half is synchronous and only *records* pending runs (inside ``ingest`` for lock
events, in the features worker's tick for time of day and "door left open"); the
actions run later, off the request and ingest paths (``scenes.actions``).

Loops: every command a scene sends carries its causal chain in its request id
(``scene-<depth>-<chain>-<n>``). An event the lock journals for such a command, or
that comes from the remote/automatic source within ``ECHO_S`` after one, belongs to
that chain, and an event of depth >= ``MAX_DEPTH`` triggers no scene: a scene's own
actions can never set off scenes again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from smartlock.cloud.crud import scenes as scrud
from smartlock.cloud.models import Command, Device, Event, Scene, utcnow
from smartlock.cloud.models_features import SceneRun
from smartlock.cloud.scenes.schemas import Condition, TimeWindow

MAX_DEPTH = 1
ECHO_S = 120.0  # how long after a scene's command the lock's remote/auto events echo it
EVENT_TRIGGERS = {"lock_event", "doorbell", "alarm"}
TIME_LATE_S = 600  # a time-of-day scene still fires up to 10 min late (worker restart)


@dataclass(frozen=True, slots=True)
class Cause:
    chain_id: str | None = None
    depth: int = 0


def scene_request_id(run: SceneRun, n: int) -> str:
    return f"scene-{run.depth + 1}-{run.chain_id}-{n}"


def parse_request_id(request_id: str) -> Cause | None:
    parts = request_id.split("-")
    if len(parts) != 4 or parts[0] != "scene" or not parts[1].isdigit():
        return None
    return Cause(parts[2], int(parts[1]))


def cause_of(session: Session, *, device: Device, event: Event) -> Cause:
    """The causal chain an event belongs to (depth 0: a person or the door)."""
    rid = event.data.get("request_id")
    if isinstance(rid, str):
        command = session.get(Command, rid) if len(rid) <= 32 else None
        if command is not None and (cause := parse_request_id(command.request_id)):
            return cause
    if event.source in ("remote", "auto"):
        near = scrud.scene_commands_near(
            session, device_id=device.id, at=event.received_at, before_s=ECHO_S, after_s=1
        )
        causes = [c for r in near if (c := parse_request_id(r)) is not None]
        if causes:
            return max(causes, key=lambda c: c.depth)
    return Cause()


def matches(trigger: dict[str, Any], event: Event) -> bool:
    kind = trigger.get("type")
    if kind == "doorbell":
        return event.kind == "doorbell"
    if kind == "alarm":
        return event.kind in trigger.get("kinds", [])
    if kind == "lock_event":
        users, methods = trigger.get("users") or [], trigger.get("methods") or []
        return (
            event.kind in trigger.get("kinds", [])
            and (not users or event.user_number in users)
            and (not methods or event.method in methods)
        )
    return False


def _local(now: dt.datetime, tz_offset_min: int) -> dt.datetime:
    return now.astimezone(dt.UTC) + dt.timedelta(minutes=tz_offset_min)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def in_window(window: TimeWindow, now: dt.datetime) -> bool:
    local = _local(now, window.tz_offset_min)
    minute = local.hour * 60 + local.minute
    start, end = _minutes(window.start), _minutes(window.end)
    if start <= end:
        return local.weekday() in window.days and start <= minute < end
    # Past midnight: the early part belongs to the previous day's window.
    if minute >= start:
        return local.weekday() in window.days
    return minute < end and (local.weekday() - 1) % 7 in window.days


def condition_holds(raw: dict[str, Any] | None, device: Device, now: dt.datetime) -> bool:
    if not raw:
        return True
    cond = Condition.model_validate(raw)
    state = device.state or {}
    if cond.time_window is not None and not in_window(cond.time_window, now):
        return False
    if cond.door is not None and state.get("door") not in cond.door:
        return False
    if cond.online is not None and device.online != cond.online:
        return False
    if cond.modes:
        raw_modes = state.get("modes") or {}
        modes = raw_modes if isinstance(raw_modes, dict) else {m: True for m in raw_modes}
        if any(bool(modes.get(m.value, False)) != on for m, on in cond.modes.items()):
            return False
    return True


def on_event(session: Session, *, device: Device, event: Event) -> list[SceneRun]:
    """Record a pending run for every enabled scene this new event triggers."""
    armed = scrud.armed_scenes(session, device_id=device.id, trigger_types=EVENT_TRIGGERS)
    if not armed:
        return []  # most locks have no scene: no need to trace the event's cause
    cause = cause_of(session, device=device, event=event)
    if cause.depth >= MAX_DEPTH:
        return []
    runs = []
    now = utcnow()
    for scene in armed:
        if not matches(scene.trigger or {}, event) or not condition_holds(
            scene.condition, device, now
        ):
            continue
        trigger = {
            "type": (scene.trigger or {}).get("type"),
            "event_seq": event.seq,
            "event_kind": event.kind,
            "user": event.user_number,
            "method": event.method,
        }
        run = scrud.add_run(
            session,
            scene=scene,
            fire_key=f"event:{event.id}",
            trigger=trigger,
            chain_id=cause.chain_id,
        )
        if run is not None:
            runs.append(run)
    return runs


def _time_fire_key(trigger: dict[str, Any], now: dt.datetime) -> str | None:
    local = _local(now, int(trigger.get("tz_offset_min", 0)))
    if local.weekday() not in trigger.get("days", range(7)):
        return None
    late = (local.hour * 60 + local.minute) * 60 + local.second - _minutes(trigger["at"]) * 60
    return f"time:{local.date().isoformat()}" if 0 <= late < TIME_LATE_S else None


def on_tick(session: Session, *, now: dt.datetime | None = None) -> list[SceneRun]:
    """Time-of-day and door-left-open scenes of every lock (the worker's tick)."""
    now = now or utcnow()
    runs: list[SceneRun] = []
    for scene in scrud.armed_scenes(
        session, device_id=None, trigger_types={"time_of_day", "door_left_open"}
    ):
        trigger = scene.trigger or {}
        device = session.get(Device, scene.device_id)
        if device is None:
            continue
        key = None
        if trigger["type"] == "time_of_day":
            key = _time_fire_key(trigger, now)
        elif (device.state or {}).get("door") in ("open", "ajar"):
            opened = scrud.last_event_of(session, device_id=device.id, kinds={"door_opened"})
            if (
                opened is not None
                and (now - opened.occurred_at).total_seconds() >= trigger["seconds"]
            ):
                key = f"open:{opened.id}"
        if key is None or not condition_holds(scene.condition, device, now):
            continue
        run = scrud.add_run(session, scene=scene, fire_key=key, trigger={"type": trigger["type"]})
        if run is not None:
            runs.append(run)
    return runs


def manual_run(session: Session, *, scene: Scene, fire_key: str) -> SceneRun:
    """A run the caller executes itself (already claimed: the worker leaves it)."""
    run = scrud.add_run(
        session, scene=scene, fire_key=fire_key, trigger={"type": "manual"}, outcome="running"
    )
    assert run is not None
    return run
