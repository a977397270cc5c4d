"""Database side of smart scenes (A-SCENE): the scenes and their runs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud.crud.common import added, of_device
from smartlock.cloud.memo import remembered
from smartlock.cloud.models import Event, Scene, utcnow
from smartlock.cloud.models_features import SceneRun


def create_scene(session: Session, **fields: Any) -> Scene:
    return added(session, Scene(**fields))


def get_scene(session: Session, *, device_id: str, scene_id: int) -> Scene | None:
    return of_device(session, Scene, device_id, scene_id)


def list_scenes(session: Session, *, device_id: str) -> list[Scene]:
    return list(
        session.scalars(select(Scene).where(Scene.device_id == device_id).order_by(Scene.id))
    )


def update_scene(session: Session, *, scene: Scene, **changes: Any) -> Scene:
    for name, value in changes.items():
        setattr(scene, name, value)
    session.commit()
    return scene


def delete_scene(session: Session, *, scene: Scene) -> None:
    session.delete(scene)
    session.commit()


def armed_scenes(
    session: Session, *, device_id: str | None, trigger_types: set[str]
) -> list[Scene]:
    """Enabled scenes with a trigger of one of these types (of one lock, or all)."""

    def armed() -> list[Scene]:
        # Built here, not before the memo is asked: building the statement cost more
        # than the memo's answer, once per derived event (fleet profile, session 6).
        query = select(Scene).where(Scene.enabled.is_(True), Scene.trigger.is_not(None))
        if device_id is not None:
            query = query.where(Scene.device_id == device_id)
        return [s for s in session.scalars(query) if (s.trigger or {}).get("type") in trigger_types]

    return remembered(session, ("scenes", device_id, tuple(sorted(trigger_types))), armed)


def add_run(
    session: Session,
    *,
    scene: Scene,
    fire_key: str,
    trigger: dict[str, Any],
    chain_id: str | None = None,
    depth: int = 0,
    outcome: str = "pending",
) -> SceneRun | None:
    """A pending run, once per (scene, fire_key); None if it already fired for that."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(SceneRun)
        .values(
            scene_id=scene.id,
            device_id=scene.device_id,
            fire_key=fire_key[:80],
            trigger=trigger,
            chain_id=chain_id or uuid.uuid4().hex,
            depth=depth,
            outcome=outcome,
            results=[],
            started_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["scene_id", "fire_key"])
        .returning(SceneRun.id)
    )
    new_id = session.execute(stmt).scalar_one_or_none()
    session.commit()
    return None if new_id is None else session.get_one(SceneRun, new_id)


def claim_pending_runs(session: Session, *, limit: int = 20) -> list[int]:
    """Take pending runs for this worker (a compare-and-set, so no run goes twice)."""
    ids = session.scalars(
        select(SceneRun.id).where(SceneRun.outcome == "pending").order_by(SceneRun.id).limit(limit)
    ).all()
    claimed = []
    for run_id in ids:
        result = session.execute(
            update(SceneRun)
            .where(SceneRun.id == run_id, SceneRun.outcome == "pending")
            .values(outcome="running")
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(run_id)
    session.commit()
    return claimed


def finish_run(
    session: Session, *, run_id: int, results: list[dict[str, Any]], error: str | None
) -> SceneRun:
    run = session.get_one(SceneRun, run_id)
    run.results, run.error = results, (error[:500] if error else None)
    run.outcome = "error" if error else "ok"
    run.finished_at = utcnow()
    session.commit()
    return run


def list_runs(
    session: Session, *, device_id: str, scene_id: int | None, limit: int
) -> list[SceneRun]:
    query = select(SceneRun).where(SceneRun.device_id == device_id)
    if scene_id is not None:
        query = query.where(SceneRun.scene_id == scene_id)
    return list(session.scalars(query.order_by(SceneRun.id.desc()).limit(limit)))


def last_event_of(session: Session, *, device_id: str, kinds: set[str]) -> Event | None:
    return session.scalar(
        select(Event)
        .where(Event.device_id == device_id, Event.kind.in_(kinds))
        .order_by(Event.seq.desc())
        .limit(1)
    )


def scene_commands_near(
    session: Session, *, device_id: str, at: dt.datetime, before_s: float, after_s: float
) -> list[str]:
    """Request ids of scene-sent commands to a lock around a moment (loop prevention)."""
    from smartlock.cloud.models import Command

    rows = session.scalars(
        select(Command.request_id).where(
            Command.device_id == device_id,
            Command.request_id.startswith("scene-"),
            Command.created_at >= at - dt.timedelta(seconds=before_s),
            Command.created_at <= at + dt.timedelta(seconds=after_s),
        )
    )
    return list(rows)
