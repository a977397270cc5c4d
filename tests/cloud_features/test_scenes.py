"""Smart scenes (A-SCENE): trigger -> condition -> actions end to end, manual runs,
the periodic tick, runs recorded, and no loops between scenes."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from smartlock.cloud import features_worker
from smartlock.cloud.services import Services
from smartlock.device.core.inputs import DoorSensor, RemoteAction, RemoteCommand
from smartlock.vocab import EventKind

from .helpers import API, Paired, pair
from .receiver import receiver


def scene(p: Paired, **body: Any) -> dict[str, Any]:
    r = p.post("/scenes", {"name": "S", **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def runs(p: Paired) -> list[dict[str, Any]]:
    return p.get("/scenes/runs").json()["data"]  # type: ignore[no-any-return]


def work(services: Services) -> None:
    asyncio.run(features_worker.run_once(services))


def test_doorbell_notifies_and_calls_the_webhook_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    with receiver() as rec:
        made = scene(
            p,
            trigger={"type": "doorbell"},
            actions=[
                {"type": "notify", "title": "Visitor at the door"},
                {"type": "webhook", "url": rec.url},
            ],
        )
        p.sim.ring()
        p.link.sync()
        assert rec.received == []  # actions run off the ingest path
        work(services)
        (hook,) = rec.received
        assert hook["json"]["scene"]["id"] == made["id"]
        assert hook["json"]["trigger"]["event_kind"] == "doorbell"
    titles = [
        n["title"] for n in client.get(f"{API}/notifications", headers=p.owner).json()["data"]
    ]
    assert "Visitor at the door" in titles
    (run,) = runs(p)
    assert run["outcome"] == "ok" and [r["action"] for r in run["results"]] == ["notify", "webhook"]


def test_unlock_by_a_given_user_sends_a_lock_command_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    # User 002 with a password, added remotely (A-USERS).
    p.sim.feed(RemoteCommand("u2", RemoteAction("add_user"), {"user_type": "normal"}))
    p.sim.feed(
        RemoteCommand("u2pin", RemoteAction("set_password"), {"user_no": 2, "digits": "55443322"})
    )
    scene(
        p,
        trigger={
            "type": "lock_event",
            "kinds": ["unlock"],
            "users": ["002"],
            "methods": ["password"],
        },
        actions=[{"type": "lock"}],
    )
    from .loopback import MASTER_PIN

    p.sim.enter(MASTER_PIN)  # user 001: no scene
    p.link.sync()
    work(services)
    assert runs(p) == []
    p.sim.enter("55443322")  # user 002
    p.link.sync()
    work(services)
    (run,) = runs(p)
    assert run["outcome"] == "ok", run
    assert [c.action for c in p.link.commands] == ["lock"]
    assert p.sim.lock.core.status().to_dict()["door"] == "locked"


def test_condition_and_door_left_open_tick_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    with receiver() as rec:
        scene(
            p,
            trigger={"type": "door_left_open", "seconds": 5},
            actions=[{"type": "webhook", "url": rec.url}],
        )
        scene(
            p,
            trigger={"type": "doorbell"},
            condition={"door": ["open"]},  # holds only while the door is open
            actions=[{"type": "webhook", "url": rec.url + "/bell"}],
        )
        from .loopback import MASTER_PIN

        p.sim.enter(MASTER_PIN)
        p.sim.feed(DoorSensor(True))
        p.link.sync()
        from cloud.helpers import lock_says
        from smartlock.link.schemas import StateReport

        lock_says(services, p.key, p.serial, StateReport(**_state(p)))
        work(services)
        assert rec.received == []  # not open long enough yet
        from smartlock.cloud.models import Event

        with services.sessionmaker() as s:  # the door opened 10 s ago
            for e in s.query(Event).filter(Event.kind == "door_opened"):
                e.occurred_at = e.occurred_at - dt.timedelta(seconds=10)
            s.commit()
        work(services)
        work(services)  # fires once per opening
        assert [r["path"] for r in rec.received] == ["/hook"]
        p.sim.ring()
        p.link.sync()
        work(services)
        assert [r["path"] for r in rec.received] == ["/hook", "/hook/bell"]


def _state(p: Paired) -> dict[str, Any]:
    """The StateReport fields the lock's link adapter would send now (A-STATUS)."""
    s = p.sim.lock.core.status()
    return {"door": s.door, "bolt": s.bolt, "battery": 80, "last_event_seq": 1}


def test_time_of_day_scene_fires_once_a_day_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    from smartlock.cloud.scenes import engine

    p = pair(client, services, tmp_path)
    now = dt.datetime.now(dt.UTC)
    at = (now - dt.timedelta(minutes=1)).strftime("%H:%M")
    scene(p, trigger={"type": "time_of_day", "at": at}, actions=[{"type": "lock"}])
    later = (now + dt.timedelta(hours=2)).strftime("%H:%M")
    scene(p, trigger={"type": "time_of_day", "at": later}, actions=[{"type": "lock"}])
    with services.sessionmaker() as s:
        assert len(engine.on_tick(s, now=now)) == 1
        assert engine.on_tick(s, now=now) == []
    work(services)
    assert [r["outcome"] for r in runs(p)] == ["ok"]


def test_manual_scene_runs_with_one_tap_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    made = scene(p, actions=[{"type": "set_mode", "mode": "armed", "on": True}])
    assert made["trigger"] is None
    r = p.post(f"/scenes/{made['id']}/run", {})
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "ok" and r.json()["trigger"] == {"type": "manual"}
    assert p.sim.lock.core.settings.armed is True
    # A failing action is recorded with its error (the lock refuses: door open).
    p.sim.feed(DoorSensor(True))
    bad = scene(p, actions=[{"type": "lock"}])
    run = p.post(f"/scenes/{bad['id']}/run", {}).json()
    assert run["outcome"] == "error" and "refused" in run["error"]


def test_a_scenes_own_actions_trigger_no_scene_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    # Two scenes that would ping-pong forever: any mode change -> set a mode.
    events = {"type": "lock_event", "kinds": ["mode_changed"]}
    scene(p, trigger=events, actions=[{"type": "set_mode", "mode": "armed", "on": True}])
    scene(p, trigger=events, actions=[{"type": "set_mode", "mode": "armed", "on": False}])
    p.sim.feed(
        RemoteCommand("person", RemoteAction("set_mode"), {"mode": "mute", "on": True})
    )  # a person
    p.link.sync()
    for _ in range(4):
        work(services)
    fired = runs(p)
    assert len(fired) == 2  # both scenes once, for the person's change; never again
    assert all(r["depth"] == 0 for r in fired)
    assert len(p.link.commands) == 2
    # The scenes' commands did reach the lock and changed its mode (and were journalled).
    changes = [e for e in p.sim.journal if e.kind is EventKind.MODE_CHANGED]
    assert len(changes) >= 2


def test_scene_validation_refuses_hostile_input_A_SCENE(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    bad: list[dict[str, Any]] = [
        {"actions": []},
        {"actions": [{"type": "webhook", "url": "file:///etc/passwd"}]},
        {"actions": [{"type": "webhook", "url": "http://user:pw@127.0.0.1/"}]},
        {"actions": [{"type": "mqtt", "topic": "../smartlock/v1/X/cmd"}]},
        {"actions": [{"type": "mqtt", "topic": "a/#"}]},
        {"trigger": {"type": "time_of_day", "at": "25:00"}, "actions": [{"type": "lock"}]},
        {"trigger": {"type": "door_left_open", "seconds": 1}, "actions": [{"type": "lock"}]},
        {"trigger": {"type": "nope"}, "actions": [{"type": "lock"}]},
        {"actions": [{"type": "set_mode", "mode": "bogus", "on": True}]},
        {"actions": [{"type": "lock", "extra": 1}]},
    ]
    for body in bad:
        r = p.post("/scenes", {"name": "x", **body})
        assert r.status_code == 422, (body, r.text)
    assert p.get("/scenes").json()["count"] == 0
    assert p.get("/scenes/12345").status_code == 404
