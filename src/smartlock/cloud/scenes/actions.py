"""Running a scene's actions (A-SCENE), off the request and ingest paths.

Each action gets one result entry; the first failure marks the run ``error`` but the
remaining actions still run (a dead webhook must not stop the door from locking).
Lock commands carry the run's causal chain in their request id (``engine``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from smartlock.cloud import lockops, netguard
from smartlock.cloud.crud import scenes as scrud
from smartlock.cloud.models import CommandStatus, Device, Scene
from smartlock.cloud.models_features import SceneRun
from smartlock.cloud.notify import dispatch
from smartlock.cloud.notify.kinds import NotifyKind
from smartlock.cloud.scenes.engine import scene_request_id
from smartlock.cloud.services import Services
from smartlock.errors import ErrorCode, Fault, SmartlockError

log = logging.getLogger(__name__)
SCENE_TOPIC = "smartlock/scenes/{device_id}/{topic}"


async def push_live(services: Services, updates: list[tuple[str, dict[str, Any]]]) -> None:
    """Live updates made outside ``ingest``: through the broker to every worker, or
    straight to this worker's hub when there is no broker.
    """
    for key, update in updates:
        services.push_live(key, update)


async def _command(
    services: Services, run: SceneRun, n: int, action: str, params: dict[str, Any]
) -> dict[str, Any]:
    command = await lockops.run_command(
        services,
        device_id=run.device_id,
        account_id=None,
        request_id=scene_request_id(run, n),
        action=action,
        params=params,
    )
    if command.status != CommandStatus.DONE:
        raise ActionFailed(f"{action}: {command.status.value} ({command.reason})")
    return {"command_id": command.id}


class ActionFailed(SmartlockError):
    """The lock did not carry out a scene's action (refused, offline, no answer)."""

    code = ErrorCode.ACTION_FAILED
    fault = Fault.PEER


def _post(url: str, body: dict[str, Any], timeout: float, allow: str) -> bool:
    """POST under the outbound guard (cloud.netguard), in a worker thread; no redirects."""
    try:
        with (
            netguard.guarded(netguard.parse_allow(allow)),
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
        ):
            response = client.post(url, json=body)
    except (httpx.HTTPError, OSError):
        return False
    return response.status_code < 300


async def _webhook(
    services: Services, scene: Scene, run: SceneRun, device: Device, spec: dict[str, Any]
) -> dict[str, Any]:
    """Only "delivered" or "not delivered" is recorded: a status code or an error
    text per URL would make the run history a port scanner (issue 13).
    """
    body = {
        "scene": {"id": scene.id, "name": scene.name},
        "run_id": run.id,
        "device": {"id": device.id, "name": device.name},
        "trigger": run.trigger,
    }
    timeout = float(spec.get("timeout_s", 5.0))
    allow = services.settings.outbound_allow
    if not await asyncio.to_thread(_post, spec["url"], body, timeout, allow):
        raise ActionFailed("webhook: not delivered")
    return {"delivered": True}


async def _run_action(
    services: Services, scene: Scene, run: SceneRun, device: Device, n: int, spec: dict[str, Any]
) -> dict[str, Any]:
    kind = spec["type"]
    if kind == "lock":
        return await _command(services, run, n, "lock", {})
    if kind == "set_mode":
        return await _command(
            services, run, n, "set_mode", {"mode": spec["mode"], "on": spec["on"]}
        )
    if kind == "webhook":
        return await _webhook(services, scene, run, device, spec)
    if kind == "mqtt":
        if not services.link.connected:
            raise ActionFailed("mqtt: the broker is not connected")
        name = SCENE_TOPIC.format(device_id=device.id, topic=spec["topic"])
        await services.link.publish(
            name, spec.get("payload", "").encode(), qos=1, retain=bool(spec.get("retain"))
        )
        return {"topic": name}
    if kind == "notify":
        live: dispatch.Live = []
        with services.sessionmaker() as session:
            made = dispatch.notify(
                session,
                device=session.get_one(Device, device.id),
                kind=NotifyKind.SCENE,
                source_key=f"scene-run:{run.id}:{n}",
                title=spec["title"],
                body=spec.get("body", ""),
                data={"scene_id": scene.id, "run_id": run.id},
                live=live,
            )
        await push_live(services, live)
        return {"notified": made}
    raise ActionFailed(f"unknown action {kind!r}")


async def execute(services: Services, run_id: int) -> SceneRun:
    """Run every action of a claimed run and record the outcome."""
    with services.sessionmaker() as session:
        run = session.get_one(SceneRun, run_id)
        scene = session.get(Scene, run.scene_id)
        device = session.get(Device, run.device_id)
    results: list[dict[str, Any]] = []
    error: str | None = None
    if scene is None or device is None:
        error = "the scene or the lock is gone"
    else:
        for n, spec in enumerate(scene.actions):
            try:
                detail = await _run_action(services, scene, run, device, n, spec)
                results.append({"action": spec["type"], "ok": True, **detail})
            except ActionFailed as exc:
                results.append({"action": spec["type"], "ok": False, "error": str(exc)})
                error = error or str(exc)
            except Exception as exc:  # never let one scene stop the worker
                log.exception("scene %s action %s failed", run.scene_id, spec.get("type"))
                results.append({"action": spec["type"], "ok": False, "error": "internal error"})
                error = error or f"{type(exc).__name__}"
    with services.sessionmaker() as session:
        return scrud.finish_run(session, run_id=run_id, results=results, error=error)


async def execute_pending(services: Services) -> int:
    with services.sessionmaker() as session:
        claimed = scrud.claim_pending_runs(session)
    for run_id in claimed:
        await execute(services, run_id)
    return len(claimed)
