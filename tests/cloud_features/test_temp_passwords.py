"""Online temporary passwords (A-TEMP): sent sealed to a real lock core, confirmed by
its answer and journal, used at the keypad, edited and revoked from the app.

Rules proved here (named in the tests' names): D-KEY-VIRTUAL, D-MODE-ANTI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartlock.cloud.models import TempPassword
from smartlock.cloud.services import Services
from smartlock.device.core.inputs import RemoteAction, RemoteCommand
from smartlock.vocab import EventKind

from .helpers import Paired, pair, rid, when
from .test_offline_codes import unlocked


def create(p: Paired, **over: Any) -> Any:
    body: dict[str, Any] = {
        "request_id": rid(),
        "name": "Plumber",
        "valid_from": when(minutes=-5),
        "valid_until": when(hours=4),
        "max_uses": 2,
        **over,
    }
    return p.post("/temp-passwords", body)


def test_created_code_is_shown_once_and_opens_the_lock_N_times_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    r = create(p)
    assert r.status_code == 201, r.text
    made = r.json()
    code = made["code"]
    assert made["state"] == "active" and len(code) == 8 and code.isdigit()
    # The command travelled signed and the digits sealed: not readable on the wire.
    (cmd,) = p.link.commands
    assert cmd.action == "add_temp_password" and "code" not in cmd.params
    assert code not in json.dumps(cmd.params)
    # The cloud keeps no digits: only a keyed hash.
    with services.sessionmaker() as s:
        row = s.scalars(select(TempPassword)).one()
        assert row.code_hash and code not in row.code_hash
    listed = p.get("/temp-passwords").json()["data"][0]
    assert listed["code"] is None and listed["state"] == "active"

    assert unlocked(p.sim.enter(code))
    assert unlocked(p.sim.enter(code))
    assert not unlocked(p.sim.enter(code))  # max_uses = 2
    p.link.sync()
    listed = p.get("/temp-passwords").json()["data"][0]
    assert listed["uses"] == 2 and listed["state"] == "used_up"


def test_user_chosen_code_must_be_typed_exactly_A_TEMP_D_KEY_VIRTUAL(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    r = create(p, code="73519", max_uses=None)
    assert r.status_code == 422  # 6-10 digits
    r = create(p, code="735190", max_uses=None)
    assert r.status_code == 201 and r.json()["code"] == "735190"
    assert not unlocked(p.sim.enter("99735190"))  # padding works for passwords only
    assert unlocked(p.sim.enter("735190"))


def test_anti_lock_mode_refuses_temp_passwords_A_TEMP_D_MODE_ANTI(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    from smartlock.device.core.inputs import RemoteAction, RemoteCommand

    p = pair(client, services, tmp_path)
    code = create(p).json()["code"]
    p.sim.feed(
        RemoteCommand("anti-on", RemoteAction("set_mode"), {"mode": "anti_lock", "on": True})
    )
    assert not unlocked(p.sim.enter(code))
    assert p.sim.journal[-1].kind is not EventKind.UNLOCK


def test_edit_changes_the_window_on_the_lock_and_revoke_removes_it_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    made = create(p, valid_from=when(hours=1), valid_until=when(hours=3)).json()
    code, temp_id = made["code"], made["id"]
    assert made["state"] == "scheduled"
    assert not unlocked(p.sim.enter(code))  # not yet valid on the lock

    r = client.patch(
        p.url(f"/temp-passwords/{temp_id}"),
        json={"request_id": rid(), "valid_from": when(minutes=-1), "code": "00000000"},
        headers=p.owner,
    )
    assert r.status_code == 422 and r.json()["code"] == "code_mismatch"
    r = client.patch(
        p.url(f"/temp-passwords/{temp_id}"),
        json={"request_id": rid(), "valid_from": when(minutes=-1), "code": code},
        headers=p.owner,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "active" and r.json()["code"] is None
    assert unlocked(p.sim.enter(code))

    r = client.delete(
        p.url(f"/temp-passwords/{temp_id}"), params={"request_id": rid()}, headers=p.owner
    )
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert not unlocked(p.sim.enter(code))


def test_revoke_while_lock_offline_is_retried_when_it_is_back_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    import asyncio

    from smartlock.cloud.visitor.service import retry_revocations

    p = pair(client, services, tmp_path)
    made = create(p, max_uses=None).json()
    p.link.online = False  # the lock does not answer
    r = client.delete(
        p.url(f"/temp-passwords/{made['id']}"), params={"request_id": rid()}, headers=p.owner
    )
    assert r.status_code == 202 and r.json()["state"] == "revoking"
    assert unlocked(p.sim.enter(made["code"]))  # still on the (unreached) lock
    p.link.online = True
    asyncio.run(retry_revocations(services, min_age_s=0))
    assert p.get(f"/temp-passwords/{made['id']}").json()["state"] == "revoked"
    assert not unlocked(p.sim.enter(made["code"]))


def test_offline_lock_at_creation_is_a_clear_409_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    from smartlock.cloud import crud

    p = pair(client, services, tmp_path)
    with services.sessionmaker() as s:
        crud.set_online(s, device_id=p.device_id, online=False)
    r = create(p)
    assert r.status_code == 409 and r.json()["code"] == "lock_offline"
    assert p.get("/temp-passwords").json()["count"] == 0


def test_hostile_temp_password_requests_get_4xx_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    assert create(p, valid_until=when(hours=-1)).status_code == 422
    assert create(p, max_uses=0).status_code == 422
    assert create(p, max_uses="3").status_code == 422
    assert create(p, code="12345678901").status_code == 422
    assert create(p, valid_from="2026-01-01T00:00:00").status_code == 422  # naive time
    reused = rid()
    assert create(p, request_id=reused).status_code == 201
    again = create(p, request_id=reused)
    assert again.status_code == 409 and again.json()["code"] == "request_id_reused"
    assert p.get("/temp-passwords/999").status_code == 404


def test_unanswered_password_stays_pending_until_the_lock_confirms_A_TEMP(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    import asyncio

    from smartlock.cloud.visitor.service import fail_unconfirmed

    p = pair(client, services, tmp_path)
    p.link.online = False  # marked online, but the command gets no answer
    r = create(p)
    assert r.status_code == 202, r.text
    made = r.json()
    assert made["state"] == "pending" and made["reason"] == "no_answer" and made["code"]
    asyncio.run(fail_unconfirmed(services, older_than_s=0))
    assert p.get(f"/temp-passwords/{made['id']}").json()["state"] == "failed"
    # The lock got it after all (a late delivery): its journal confirms it.
    params = {
        "temp_id": f"t{made['id']}",
        "code": made["code"],
        "valid_from": 0.0,
        "valid_to": 4_000_000_000.0,
        "max_uses": 2,
    }
    p.sim.feed(RemoteCommand("late", RemoteAction("add_temp_password"), params))
    p.link.sync()
    row = p.get(f"/temp-passwords/{made['id']}").json()
    assert row["state"] == "active" and row["valid_until"].startswith("2096")
