"""The MQTT topic tree of the lock⇄cloud link, one versioned subtree per lock.

Every lock owns `smartlock/v1/<lock_id>/...` and nothing else, so a broker ACL with
one `%u` pattern keeps locks apart (deploy/mosquitto/acl). The version is in the path
so a v2 link can run beside v1 during an upgrade.

>>> topic("SL7K3MQ9TX2A", Channel.EVENTS)
'smartlock/v1/SL7K3MQ9TX2A/events'
>>> parse_topic("smartlock/v1/SL7K3MQ9TX2A/shadow/desired")
('SL7K3MQ9TX2A', <Channel.SHADOW_DESIRED: 'shadow/desired'>)
>>> shared(all_locks(Channel.EVENTS))
'$share/cloud/smartlock/v1/+/events'
"""

from __future__ import annotations

import enum
import re

from smartlock.link.errors import TopicError

ROOT = "smartlock"
VERSION = "v1"
PREFIX = f"{ROOT}/{VERSION}/"

# Lock ids are the serial number (or what the cloud assigns at pairing): they become
# MQTT usernames, client ids and topic levels, so no wildcards, slashes or spaces.
LOCK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")

# Home Assistant's fixed topics (MQTT discovery, device-based).
HA_PREFIX = "homeassistant"
HA_STATUS = f"{HA_PREFIX}/status"


class Channel(enum.StrEnum):
    """What a topic under a lock's subtree carries; the value is the topic suffix."""

    STATE = "state"  # lock → cloud, retained, signed StateReport
    EVENTS = "events"  # lock → cloud, signed EventBatch (D-LOG)
    ACK = "ack"  # cloud → lock, signed Ack
    SHADOW_DESIRED = "shadow/desired"  # cloud → lock, retained, signed ShadowDesired
    SHADOW_REPORTED = "shadow/reported"  # lock → cloud, retained, signed ShadowReported
    CMD = "cmd"  # cloud → lock, signed Command (nonce + expiry)
    CMD_RESULT = "cmd_result"  # lock → cloud, signed CommandResult
    SNAPSHOT = "snapshot"  # lock → cloud, signed Snapshot: a face-masked JPEG (A-LIVE)
    AVAILABILITY = "availability"  # lock → all, retained plain "online"/"offline" (will)
    PAIRING_HELLO = "pairing/hello"  # lock → cloud, PairingHello (D-PAIR)
    PAIRING_CREDENTIALS = "pairing/credentials"  # cloud → lock, sealed PairingCredentials
    HA_STATE = "ha/state"  # lock → Home Assistant, retained plain JSON
    HA_DOORBELL = "ha/doorbell"  # lock → Home Assistant event {"event_type": "ring"}
    HA_ACCESS = "ha/access"  # lock → Home Assistant event {"event_type": <how>, ...}
    HA_DURESS = "ha/duress"  # lock → Home Assistant "ON" (HA turns it off after a delay)
    HA_COMMAND = "ha/command"  # Home Assistant → lock, plain JSON {action, code}
    HA_CAMERA = "ha/camera"  # lock → Home Assistant, retained raw JPEG, faces masked (A-LIVE)
    HA_REFUSED = "ha/refused"  # lock → Home Assistant event {"event_type": <reason>, ...} (A-HA)
    HA_FIRMWARE = "ha/firmware"  # lock → Home Assistant, retained update-entity JSON (A-OTA)
    FIRMWARE_OFFER = "firmware/offer"  # cloud → lock, retained, signed FirmwareOffer (A-OTA)


# Who may publish each channel: the direction tag of the signature (signing.py).
FROM_LOCK: frozenset[Channel] = frozenset(
    {
        Channel.STATE,
        Channel.EVENTS,
        Channel.SHADOW_REPORTED,
        Channel.CMD_RESULT,
        Channel.SNAPSHOT,
        Channel.AVAILABILITY,
        Channel.PAIRING_HELLO,
        Channel.HA_STATE,
        Channel.HA_DOORBELL,
        Channel.HA_ACCESS,
        Channel.HA_DURESS,
        Channel.HA_CAMERA,
        Channel.HA_REFUSED,
        Channel.HA_FIRMWARE,
    }
)
FROM_CLOUD: frozenset[Channel] = frozenset(
    {
        Channel.ACK,
        Channel.SHADOW_DESIRED,
        Channel.CMD,
        Channel.PAIRING_CREDENTIALS,
        Channel.FIRMWARE_OFFER,
    }
)
SIGNED: frozenset[Channel] = frozenset(
    {
        Channel.STATE,
        Channel.EVENTS,
        Channel.SHADOW_REPORTED,
        Channel.CMD_RESULT,
        Channel.SNAPSHOT,
        Channel.ACK,
        Channel.SHADOW_DESIRED,
        Channel.CMD,
        Channel.FIRMWARE_OFFER,
    }
)

_BY_SUFFIX = {c.value: c for c in Channel}


def check_lock_id(lock_id: str) -> str:
    """Return `lock_id` if it can be a topic level, MQTT username and client id."""
    if not isinstance(lock_id, str) or not LOCK_ID_RE.match(lock_id):
        raise TopicError(f"bad lock id {lock_id!r}: 3-64 of A-Z a-z 0-9 _ -")
    return lock_id


def topic(lock_id: str, channel: Channel) -> str:
    """The concrete topic of `channel` for one lock."""
    return f"{PREFIX}{check_lock_id(lock_id)}/{Channel(channel).value}"


def all_locks(channel: Channel) -> str:
    """A filter matching `channel` of every lock (the cloud's view)."""
    return f"{PREFIX}+/{Channel(channel).value}"


def shared(topic_filter: str, group: str = "cloud") -> str:
    """An MQTT v5 shared subscription, so several cloud workers split the load."""
    return f"$share/{group}/{topic_filter}"


def parse_topic(name: str) -> tuple[str, Channel]:
    """Split a received topic into (lock_id, channel); TopicError if not ours."""
    if not name.startswith(PREFIX):
        raise TopicError(f"not a {PREFIX} topic: {name!r}")
    lock_id, sep, suffix = name[len(PREFIX) :].partition("/")
    channel = _BY_SUFFIX.get(suffix)
    if not sep or channel is None:
        raise TopicError(f"unknown channel in topic {name!r}")
    return check_lock_id(lock_id), channel


def ha_discovery_topic(lock_id: str) -> str:
    """Home Assistant device-based discovery topic for one lock."""
    return f"{HA_PREFIX}/device/{check_lock_id(lock_id)}/config"
