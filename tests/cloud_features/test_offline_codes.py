"""Offline visitor codes (A-TEMP) issued by the cloud, checked by a real lock core.

Rules proved here (named in the tests' names): D-KEY-VIRTUAL, D-MODE-ANTI.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from smartlock.cloud.services import Services
from smartlock.device.core import effects as fx
from smartlock.vocab import EventKind, Method

from .helpers import pair


def unlocked(effects: list[fx.Effect]) -> bool:
    return any(isinstance(e, fx.JournalEvent) and e.kind is EventKind.UNLOCK for e in effects)


def test_code_issued_while_lock_offline_opens_it_once_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    p.link.online = False  # nothing reaches the lock
    r = p.post("/offline-codes", {"name": "Cleaner", "kind": "one_time"})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert len(code) == 10 and p.link.commands == []

    first = p.sim.enter(code)
    assert unlocked(first)
    again = p.sim.enter(code)
    assert not unlocked(again)  # a one-time code is refused the second time

    # The list (no lock contact needed) shows it without the digits, then its use.
    listed = p.get("/offline-codes").json()
    assert listed["count"] == 1 and listed["data"][0]["code"] is None
    p.link.sync()
    row = p.get("/offline-codes").json()["data"][0]
    assert row["uses"] == 1 and row["last_used_at"] is not None


def test_period_and_weekly_codes_work_on_the_lock_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    period = p.post("/offline-codes", {"name": "Guest", "kind": "period", "hours": 48}).json()
    assert len(period["code"]) == 12
    assert unlocked(p.sim.enter(period["code"]))
    assert unlocked(p.sim.enter(period["code"]))  # many times within the period
    import datetime as dt

    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).isoformat()
    weekly = p.post(
        "/offline-codes",
        {
            "name": "Nanny",
            "kind": "weekly",
            "days": list(range(7)),
            "from_hour": 0,
            "to_hour": 24,
            "until": until,
        },
    ).json()
    assert unlocked(p.sim.enter(weekly["code"]))


def test_forged_code_is_refused_and_counts_toward_lockout_A_TEMP_D_LOCKOUT(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    code = p.post("/offline-codes", {"name": "V", "kind": "one_time"}).json()["code"]
    forged = code[:-1] + str((int(code[-1]) + 1) % 10)
    for _ in range(5):
        assert not unlocked(p.sim.enter(forged))
    kinds = [e.kind for e in p.sim.journal]
    assert EventKind.LOCKOUT in kinds
    # Locked out: even the genuine code is refused now (D-LOCKOUT).
    assert not unlocked(p.sim.enter(code))


def test_offline_code_must_be_typed_exactly_A_TEMP_D_KEY_VIRTUAL(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    code = p.post("/offline-codes", {"name": "V", "kind": "one_time"}).json()["code"]
    assert not unlocked(p.sim.enter("12" + code + "3"))  # peep-proof padding: no
    assert unlocked(p.sim.enter(code))


def test_anti_lock_mode_refuses_offline_codes_A_TEMP_D_MODE_ANTI(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    from smartlock.device.core.inputs import RemoteAction, RemoteCommand

    p = pair(client, services, tmp_path)
    code = p.post("/offline-codes", {"name": "V", "kind": "one_time"}).json()["code"]
    p.sim.feed(
        RemoteCommand("anti-on", RemoteAction("set_mode"), {"mode": "anti_lock", "on": True})
    )
    effects = p.sim.enter(code)
    assert not unlocked(effects)
    refused = [e for e in p.sim.journal if e.kind is EventKind.UNLOCK_REFUSED]
    assert refused and refused[-1].method is Method.OFFLINE_CODE


def test_code_of_another_lock_is_refused_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    from cloud.helpers import add_lock

    p = pair(client, services, tmp_path)
    other, _ = add_lock(services, "ann@example.org", serial="SLTEST0002")
    r = client.post(
        f"/api/v1/devices/{other.id}/offline-codes",
        json={"name": "V", "kind": "one_time"},
        headers=p.owner,
    )
    assert r.status_code == 201
    assert not unlocked(p.sim.enter(r.json()["code"]))


def test_bad_offline_code_requests_get_clear_4xx_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    bad = [
        {"name": "V", "kind": "period"},  # no hours
        {"name": "V", "kind": "period", "hours": 13},  # not an encodable duration
        {
            "name": "V",
            "kind": "weekly",
            "days": [7],
            "from_hour": 1,
            "to_hour": 2,
            "until": "2099-01-01T00:00:00Z",
        },
        {"name": "V", "kind": "one_time", "start": "2020-01-01T00:00:00Z"},
        {"name": "V", "kind": "daily"},
        {"name": "V", "kind": "one_time", "extra": 1},
    ]
    for body in bad:
        r = p.post("/offline-codes", body)
        assert r.status_code == 422, (body, r.text)
        assert "code" in r.json()
