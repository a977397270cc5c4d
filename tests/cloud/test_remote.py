"""Remote unlock from the API: role, setting, re-confirmation, pre-checks, idempotence
(A-REMOTE). With a real lock over a broker: tests/cloud/test_link_integration.py.

Rules proved here (named in the tests' names): D-LOCKOUT, D-MODE-ANTI.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud.services import Services

from .helpers import API, PASSWORD, add_lock, user


def unlock(client: TestClient, device_id: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{API}/devices/{device_id}/unlock", json=body, headers=headers)


@pytest.fixture
def ann(client: TestClient) -> dict[str, str]:
    return user(client, "ann@example.org")


def test_refused_when_remote_unlock_is_off_in_settings_A_REMOTE(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    device, _ = add_lock(services, "ann@example.org", reported={"remote_unlock": False})
    r = unlock(client, device.id, ann, request_id="req-off-0001", password=PASSWORD)
    assert r.status_code == 200
    assert r.json()["status"] == "refused" and r.json()["reason"] == "remote_unlock_disabled"


def test_refused_in_anti_lock_mode_A_REMOTE_D_MODE_ANTI(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    state = {"door": "locked", "bolt": "thrown", "modes": {"anti_lock": True}, "battery": 50}
    device, _ = add_lock(services, "ann@example.org", state=state, reported={"remote_unlock": True})
    r = unlock(client, device.id, ann, request_id="req-anti-001", password=PASSWORD)
    assert r.json()["status"] == "refused" and r.json()["reason"] == "anti_lock_mode"


def test_refused_during_lockout_A_REMOTE_D_LOCKOUT(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    state = {
        "door": "locked",
        "bolt": "thrown",
        "modes": {},
        "battery": 50,
        "lockout_remaining_s": 120,
    }
    device, _ = add_lock(services, "ann@example.org", state=state, reported={"remote_unlock": True})
    r = unlock(client, device.id, ann, request_id="req-lock-001", password=PASSWORD)
    assert r.json()["status"] == "refused" and r.json()["reason"] == "locked_out"


def test_needs_re_confirmation_with_password_or_token_A_REMOTE(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    device, _ = add_lock(services, "ann@example.org", reported={"remote_unlock": True})
    r = unlock(client, device.id, ann, request_id="req-conf-001")
    assert r.status_code == 403 and r.json()["code"] == "confirmation_required"
    r = unlock(client, device.id, ann, request_id="req-conf-002", password="not my password")
    assert r.status_code == 401
    r = unlock(client, device.id, ann, request_id="req-conf-003", confirmation_token="forged")
    assert r.status_code == 403 and r.json()["code"] == "confirmation_failed"
    token = client.post(f"{API}/auth/confirm", json={"password": PASSWORD}, headers=ann).json()
    r = unlock(
        client,
        device.id,
        ann,
        request_id="req-conf-004",
        confirmation_token=token["confirmation_token"],
    )
    assert r.status_code == 200
    # A confirmation is single use.
    r = unlock(
        client,
        device.id,
        ann,
        request_id="req-conf-005",
        confirmation_token=token["confirmation_token"],
    )
    assert r.status_code == 403


def test_offline_lock_answers_offline_at_once_A_REMOTE(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    device, _ = add_lock(
        services, "ann@example.org", reported={"remote_unlock": True}, online=False
    )
    r = unlock(client, device.id, ann, request_id="req-offl-001", password=PASSWORD)
    assert r.json()["status"] == "offline" and r.json()["reason"] == "lock_offline"


def test_same_request_id_returns_the_first_outcome_A_REMOTE(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    device, _ = add_lock(services, "ann@example.org", reported={"remote_unlock": False})
    first = unlock(client, device.id, ann, request_id="req-same-001", password=PASSWORD).json()
    again = unlock(client, device.id, ann, request_id="req-same-001", password=PASSWORD).json()
    assert again["id"] == first["id"] and again["status"] == first["status"]
    shown = client.get(f"{API}/devices/{device.id}/commands/{first['id']}", headers=ann).json()
    assert shown["status"] == "refused"


class _SilentLink:
    """A broker that takes the command, and a lock that does not answer in time."""

    connected = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def publish(self, topic: str, payload: bytes, **_: Any) -> None:
        self.sent.append((topic, payload))


class _DeadBroker:
    connected = True

    async def publish(self, topic: str, payload: bytes, **_: Any) -> None:
        import aiomqtt

        raise aiomqtt.MqttError("Disconnected")


def test_a_late_answer_after_no_answer_is_recorded_and_pushed_A_REMOTE(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    """faults 4: the app said "sent, not confirmed" (no_answer); the lock then ran the
    command: the record says done, and the app's live stream is told."""
    from smartlock.cloud import ingest
    from smartlock.link.schemas import CommandResult
    from smartlock.link.signing import sign_message

    device, key = add_lock(services, "ann@example.org", reported={"remote_unlock": True})
    services.link = _SilentLink()
    services.settings.command_timeout_seconds = 0.3
    r = unlock(client, device.id, ann, request_id="req-late-0001", password=PASSWORD)
    assert r.json()["status"] == "offline" and r.json()["reason"] == "no_answer"
    assert len(services.link.sent) == 1  # it was sent: the lock may still act on it
    command_id = r.json()["id"]
    out = ingest.handle(
        services, *sign_message(key, device.serial, CommandResult(request_id=command_id, ok=True))
    )
    assert (device.id, {"type": "command", "id": command_id, "status": "done"}) in out.live
    again = client.get(f"{API}/devices/{device.id}/commands/{command_id}", headers=ann)
    assert again.json()["status"] == "done" and again.json()["reason"] is None


def test_broker_gone_while_sending_is_an_answer_not_a_500_A_REMOTE(
    client: TestClient, services: Services, ann: dict[str, str]
) -> None:
    """faults 5: the broker dies as the cloud sends the command."""
    device, _ = add_lock(services, "ann@example.org", reported={"remote_unlock": True})
    services.link = _DeadBroker()
    r = unlock(client, device.id, ann, request_id="req-dead-0001", password=PASSWORD)
    assert r.status_code == 200
    assert r.json()["status"] == "offline" and r.json()["reason"] == "broker_unavailable"
