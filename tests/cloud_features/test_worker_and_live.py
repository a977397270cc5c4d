"""The features worker runs inside the API process (create_app lifespan) and the
account's live channel streams new notifications (A-NOTIFY, A-SCENE)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from smartlock.cloud.app import create_app
from smartlock.cloud.services import Services

from .helpers import API, pair
from .receiver import receiver


def test_worker_in_the_app_delivers_without_help_A_NOTIFY_A_SCENE(
    services: Services, tmp_path: Path
) -> None:
    app = create_app(services.settings, services=services, with_link=False)  # worker on
    with TestClient(app) as client, receiver() as rec:
        p = pair(client, services, tmp_path)
        url = f"json://127.0.0.1:{rec.port}/apprise"
        client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
        p.post(
            "/scenes",
            {
                "name": "bell",
                "trigger": {"type": "doorbell"},
                "actions": [{"type": "webhook", "url": rec.url}],
            },
        )
        p.sim.ring()
        p.link.sync()
        deadline = time.monotonic() + 10
        while len(rec.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sorted(r["path"] for r in rec.received) == ["/apprise", "/hook"]


def test_account_live_channel_streams_notifications_A_NOTIFY(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    seen: list[tuple[str, str]] = []

    def ring_soon() -> None:
        time.sleep(0.5)
        p.sim.ring()
        p.link.sync()

    with client.stream("GET", f"{API}/notifications/live", headers=p.owner) as r:
        assert r.status_code == 200
        threading.Thread(target=ring_soon, daemon=True).start()
        event = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                seen.append((event, line.split(":", 1)[1].strip()))
                if event == "notification":
                    break
    assert seen[0] == ("unread", json.dumps({"unread": 0}))
    assert seen[-1][0] == "notification"
    assert json.loads(seen[-1][1])["kind"] == "doorbell"
