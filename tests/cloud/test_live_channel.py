"""The cloud's live channel accepts only what a cloud worker sealed (issue 13, finding
9): anyone on the broker can publish on smartlock/cloud/live/<device>, but a forged
update never reaches the owner's live stream."""

from __future__ import annotations

import json

from smartlock.cloud.link_worker import LIVE_PREFIX, LiveSigner, MqttLink
from smartlock.cloud.services import Services


def test_an_injected_live_update_never_reaches_the_stream_security_9(
    services: Services,
) -> None:
    link = MqttLink(services, ingest=False)
    queue = services.live.subscribe("dev1")
    assert "dev1" in link._watched  # the hub told the link what is watched
    forged = {"type": "event", "event": {"kind": "unlock", "seq": 99}}
    link._cloud_message(LIVE_PREFIX + "dev1", json.dumps(forged).encode())
    assert queue.empty()
    # A seal under another key (not this cloud's master key) is refused too.
    outsider = LiveSigner.__new__(LiveSigner)
    outsider._key, outsider.origin = b"k" * 32, "other-worker"
    link._cloud_message(LIVE_PREFIX + "dev1", outsider.seal("dev1", forged))
    assert queue.empty()
    # Another worker of this cloud (same master key): delivered.
    other = LiveSigner(services, "cloud-other")
    link._cloud_message(LIVE_PREFIX + "dev1", other.seal("dev1", {"type": "status"}))
    assert queue.get_nowait() == {"type": "status"}
    # A seal for one device replayed on another's topic does not open.
    services.live.subscribe("dev2")
    link._cloud_message(LIVE_PREFIX + "dev2", other.seal("dev1", {"type": "status"}))
    assert services.live.subscribers("dev2") == 1
    # Its own updates (already delivered locally) are not delivered twice.
    own = LiveSigner(services, link.client_id)
    link._cloud_message(LIVE_PREFIX + "dev1", own.seal("dev1", {"type": "status"}))
    assert queue.empty()
