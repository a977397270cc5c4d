"""Face-masked pictures (A-LIVE) out over the lock's session, never queued.

A doorbell snapshot from before a reconnect is stale, and the journal still carries
the ring itself (D-LOG), so a picture that cannot go now is dropped.
"""

from __future__ import annotations

import base64
import logging

from smartlock.link.connection import MqttClient, MqttError
from smartlock.link.schemas import MAX_PAYLOAD, Snapshot
from smartlock.link.signing import sign_message
from smartlock.link.topics import Channel, topic

log = logging.getLogger(__name__)


async def send_snapshot(
    client: MqttClient, key: str, lock_id: str, snapshot: Snapshot, *, to_ha: bool
) -> bool:
    """Publish one signed picture (and, `to_ha`, the raw JPEG for HA's camera entity);
    False when it is too large or the session failed.
    """
    name, payload = sign_message(key, lock_id, snapshot)
    if len(payload) > MAX_PAYLOAD:
        log.warning("link %s: snapshot of %d B too large", lock_id, len(payload))
        return False
    try:
        await client.publish(name, payload, qos=1)
        if to_ha:  # HA's camera entity: the same masked JPEG, raw
            jpeg = base64.b64decode(snapshot.jpeg_b64)
            await client.publish(topic(lock_id, Channel.HA_CAMERA), jpeg, retain=True)
    except MqttError as exc:
        log.warning("link %s: snapshot not sent: %s", lock_id, exc)
        return False
    return True
