"""Home Assistant MQTT discovery for a lock: one device document, pure functions.

The lock publishes one retained document at `homeassistant/device/<lock_id>/config`
(device-based discovery: `dev`, `o`, `cmps`) and republishes it when HA announces
itself (`homeassistant/status` = `online`) and when its name, firmware or code rule
changes. The entities read plain topics the lock client publishes beside the signed
ones: `ha/state` (retained JSON, see `ha_state`; published on change only),
`ha/doorbell`, `ha/access`, `ha/refused` (events), `ha/duress` (retained ON/OFF),
`ha/camera` (retained JPEG) and `ha/firmware` (retained, the update entity). Payloads
and states are HA's defaults (lock.py: `LOCK`/`UNLOCK`; `LOCKED`/`UNLOCKED`/`OPEN`/
`JAMMED`), so nothing needs remapping in HA.

A command from HA (A-HA, docs/home-assistant.md) is a remote command the lock checks
like the app's (A-REMOTE: anti-lock, lockout, late or repeated): only when the owner
has switched "Home Assistant may lock and unlock" on; unlocking takes a user's own
password when the owner asks for one, locking never takes one. Every refusal is an
`ha/refused` event, so HA shows why.

>>> doc = discovery_document("SL7K3MQ9TX2A", name="Front door", firmware="1.0.0")
>>> sorted(doc["cmps"])  # doctest: +NORMALIZE_WHITESPACE
['access', 'battery', 'camera', 'door', 'doorbell', 'duress', 'firmware', 'lock',
 'problem', 'refused', 'tamper']
>>> doc["cmps"]["lock"]["p"], doc["cmps"]["battery"]["device_class"]
('lock', 'battery')
>>> "code_format" in discovery_document("SL7K3MQ9TX2A", unlock_code=False)["cmps"]["lock"]
False
"""

from __future__ import annotations

from typing import Any

from smartlock import __version__ as _pkg_version
from smartlock.credentials import OPTIONAL_PIN_PATTERN
from smartlock.link.schemas import Event, FirmwareProgress, StateReport
from smartlock.link.topics import Channel, topic
from smartlock.vocab import DoorState, EventKind, Method

PROJECT_URL = "https://github.com/smartlock/smartlock"
ORIGIN = {"name": "smartlock", "sw": _pkg_version, "url": PROJECT_URL}
# D-USER-4: passwords are 6-10 digits. HA checks a lock's code_format for lock, unlock
# and open alike, so the empty code is allowed too: locking needs no code (HA's code
# dialog takes an empty entry; `lock.lock` needs none), and the lock itself refuses an
# unlock without one (`code_required`) whenever the owner asks for a password.
CODE_FORMAT = OPTIONAL_PIN_PATTERN
DURESS_OFF_DELAY_S = 60
DEFAULT_NAME = "Smart lock"
# The command_template: HA's clock in `at` makes each command single-use and short-lived.
COMMAND_TEMPLATE = (
    '{"action": "{{ value }}", "code": "{{ code }}", "at": {{ now().timestamp() | round(3) }}}'
)
INSTALL_PAYLOAD = '{"action": "INSTALL"}'

# HA lock states (homeassistant/components/mqtt/lock.py defaults).
LOCKED, UNLOCKED, OPEN, JAMMED = "LOCKED", "UNLOCKED", "OPEN", "JAMMED"
_LOCK_STATE = {
    DoorState.LOCKED: LOCKED,
    DoorState.UNLOCKED: UNLOCKED,
    DoorState.OPEN: OPEN,
    DoorState.AJAR: OPEN,
    DoorState.VIRTUALLY_LOCKED: UNLOCKED,  # closed but the bolt is not thrown (D-MODE-VIRT)
    DoorState.JAMMED: JAMMED,
}

# "Who and how" for the access event entity; every value must be in ACCESS_TYPES.
_ACCESS_TYPE = {
    Method.FACE: "face",
    Method.FINGERPRINT: "fingerprint",  # D-FINGER-NAME
    Method.PASSWORD: "password",
    Method.TEMP_PASSWORD: "temporary",
    Method.OFFLINE_CODE: "temporary",
    Method.REMOTE: "remote",
    Method.KEY: "key",
    Method.BUTTON: "button",
    Method.KNOB: "knob",
    Method.HANDLE: "handle",
}
ACCESS_TYPES = sorted(set(_ACCESS_TYPE.values()))
DOORBELL_TYPES = ["ring"]
# Why a command from HA was refused (`ErrorCode` values the lock
# can answer an HA command with); anything else shows as `other` with the code beside.
REFUSAL_TYPES = sorted(
    {
        "ha_control_disabled",
        "code_required",
        "wrong_code",
        "anti_lock_mode",
        "locked_out",
        "needs_verification",
        "no_master",
        "door_open",
        "expired_request",
        "duplicate_request",
        "bad_input",
        "no_result",
        "no_update_available",
        "malformed_release",
        "bad_signature",
        "wrong_model",
        "downgrade",
        "same_version",
        "fetch_failed",
        "hash_mismatch",
        "install_failed",
        "updates_not_configured",
        "update_in_progress",
        "rolled_back",  # D-OTA-ROLLBACK: the new firmware failed its trial
        "other",
    }
)


def lock_state(state: StateReport) -> str:
    """The HA lock state for the lock's door state."""
    return _LOCK_STATE[state.door]


def problem_reason(state: StateReport) -> str:
    """Why the lock needs attention ('' if it does not): lockout or D-AJAR states."""
    if state.lockout_remaining_s > 0:
        return "lockout"
    if state.door in (DoorState.AJAR, DoorState.JAMMED, DoorState.VIRTUALLY_LOCKED):
        return state.door.value
    return ""


def ha_state(state: StateReport, *, lockout_until: int = 0) -> dict[str, Any]:
    """The retained JSON at `ha/state` that the discovery templates read.

    It holds no countdown (a lockout shows as the time it ends, `lockout_until`), so
    it changes only when something HA shows changes: one history entry per change.
    """
    reason = problem_reason(state)
    return {
        "lock": lock_state(state),
        "battery": state.battery,
        "door": "ON" if state.door in (DoorState.OPEN, DoorState.AJAR) else "OFF",
        "tamper": "ON" if state.tamper else "OFF",
        "problem": "ON" if reason else "OFF",
        "problem_reason": reason,
        "lockout_until": lockout_until if reason == "lockout" else 0,
        "modes": {m.value: on for m, on in state.modes.items()},
    }


def refusal(action: str, reason: str | None) -> dict[str, Any]:
    """The `ha/refused` event for a refused HA command."""
    code = reason or "other"
    kind = code if code in REFUSAL_TYPES else "other"
    return {"event_type": kind, "action": action.lower(), "reason": code}


def firmware_state(
    installed: str,
    offer: dict[str, Any] | None,
    *,
    in_progress: bool = False,
    update: FirmwareProgress | None = None,
) -> dict[str, Any]:
    """The retained JSON of the update entity (HA's MQTT update state schema).

    `offer` is the signed release the cloud offers (`FirmwareOffer.release`); only its
    manifest's version and notes are shown: the lock checks the signature on install.
    `update` is the lock's own report (A-OTA-STATUS): while it writes or tries the new
    slot the entity is in progress with `update_percentage` (bytes written); a rollback
    or refusal of the offered version is said first in the release summary, with why.
    """
    out = _firmware_state(installed, offer, in_progress=in_progress)
    if update is None:
        return out
    if update.stage in ("writing", "verifying", "trial"):
        out["in_progress"] = True
        done = update.written * 100 // update.size if update.size else 0
        out["update_percentage"] = 100 if update.stage != "writing" else min(100, done)
    elif update.stage in ("rolled_back", "refused") and update.version == out["latest_version"]:
        word = "rolled back" if update.stage == "rolled_back" else "refused"
        said = f"Update to {update.version} {word}: {update.reason or update.stage}."
        rest = out.get("release_summary")
        out["release_summary"] = (said + (f" {rest}" if rest else ""))[:255]
    return out


def _firmware_state(
    installed: str, offer: dict[str, Any] | None, *, in_progress: bool
) -> dict[str, Any]:
    manifest = offer.get("manifest") if isinstance(offer, dict) else None
    latest = manifest.get("version") if isinstance(manifest, dict) else None
    notes = manifest.get("notes") if isinstance(manifest, dict) else None
    if not isinstance(latest, str) or not latest:
        latest = installed
    out: dict[str, Any] = {
        "installed_version": installed,
        "latest_version": latest,
        "title": f"smartlock firmware {latest}",
        "release_url": f"{PROJECT_URL}/blob/main/docs/firmware-updates.md",
        "in_progress": in_progress,
    }
    if isinstance(notes, str) and notes:  # HA's schema takes a string here, never null
        out["release_summary"] = notes[:255]
    return out


def ha_messages(lock_id: str, event: Event) -> list[tuple[str, bytes | dict[str, Any]]]:
    """HA-side messages for one journal event: (topic, JSON object or raw bytes)."""
    out: list[tuple[str, bytes | dict[str, Any]]] = []
    if event.kind is EventKind.DOORBELL:
        out.append((topic(lock_id, Channel.HA_DOORBELL), {"event_type": "ring"}))
    elif event.kind is EventKind.UNLOCK and event.method in _ACCESS_TYPE:
        how = _ACCESS_TYPE[event.method]
        body = {"event_type": how, "user_no": event.user_no, "seq": event.seq}
        out.append((topic(lock_id, Channel.HA_ACCESS), body))
    elif event.kind is EventKind.DURESS:
        out.append((topic(lock_id, Channel.HA_DURESS), b"ON"))
    return out


def discovery_document(
    lock_id: str,
    *,
    name: str = DEFAULT_NAME,
    firmware: str = "",
    unlock_code: bool = True,
) -> dict[str, Any]:
    """The device discovery document (publish retained at `ha_discovery_topic`).

    `name` is the app's name for the lock (so the entity is `lock.front_door`);
    `unlock_code`: the owner's "ask for a password to unlock" (A-HA); without it the
    lock entity has no code_format and HA asks for no code at all.
    """
    e = _Entities(lock_id)
    cmps = {
        "lock": _lock_entity(e, unlock_code=unlock_code),
        **_readings(e),
        **_event_entities(e),
        **_media(e),
        **_alarms(e),
    }
    return {
        "dev": {
            "ids": [f"smartlock_{lock_id}"],
            "name": name or DEFAULT_NAME,
            "mf": "smartlock",
            "mdl": "smartlock face lock",
            "sn": lock_id,
            "sw": firmware or _pkg_version,
        },
        "o": dict(ORIGIN),
        "availability_topic": topic(lock_id, Channel.AVAILABILITY),
        "payload_available": "online",
        "payload_not_available": "offline",
        "qos": 1,
        "cmps": cmps,
    }


Entity = dict[str, Any]


class _Entities:
    """One lock's entity names: unique ids, topics, and the `ha/state` fields read."""

    def __init__(self, lock_id: str) -> None:
        self.lock_id = lock_id
        self.state_topic = topic(lock_id, Channel.HA_STATE)

    def uid(self, part: str) -> str:
        return f"smartlock_{self.lock_id}_{part}"

    def topic(self, channel: Channel) -> str:
        return topic(self.lock_id, channel)

    def from_state(self, key: str) -> Entity:
        return {"state_topic": self.state_topic, "value_template": f"{{{{ value_json.{key} }}}}"}

    def binary(self, part: str, device_class: str) -> Entity:
        """A binary sensor on one `ha/state` field (named by its device class)."""
        return {"p": "binary_sensor", "unique_id": self.uid(part), "device_class": device_class}


def _lock_entity(e: _Entities, *, unlock_code: bool) -> Entity:
    lock: Entity = {
        "p": "lock",
        "unique_id": e.uid("lock"),
        "name": None,  # the device's own name
        **e.from_state("lock"),
        "command_topic": e.topic(Channel.HA_COMMAND),
        "command_template": COMMAND_TEMPLATE,
        "payload_lock": "LOCK",
        "payload_unlock": "UNLOCK",
        "state_locked": LOCKED,
        "state_unlocked": UNLOCKED,
        "state_open": OPEN,
        "state_jammed": JAMMED,
        "optimistic": False,
    }
    if unlock_code:
        lock["code_format"] = CODE_FORMAT
    return lock


def _readings(e: _Entities) -> dict[str, Entity]:
    return {
        "battery": {
            "p": "sensor",
            "unique_id": e.uid("battery"),
            "device_class": "battery",
            "unit_of_measurement": "%",
            "state_class": "measurement",
            **e.from_state("battery"),
        },
        "door": e.binary("door", "door") | e.from_state("door"),
    }


def _event_entities(e: _Entities) -> dict[str, Entity]:
    def event(part: str, types: list[str], channel: Channel, **extra: str) -> Entity:
        ids = {"p": "event", "unique_id": e.uid(part)}
        return ids | extra | {"event_types": types, "state_topic": e.topic(channel)}

    return {
        "doorbell": event("doorbell", DOORBELL_TYPES, Channel.HA_DOORBELL, device_class="doorbell"),
        "access": event("access", ACCESS_TYPES, Channel.HA_ACCESS, name="Access"),
        # A-HA: why a command from HA did nothing
        "refused": event("refused", REFUSAL_TYPES, Channel.HA_REFUSED, name="Command refused"),
    }


def _media(e: _Entities) -> dict[str, Entity]:
    return {
        "camera": {  # the newest doorbell or live picture, every face masked (D-PRIV)
            "p": "camera",
            "unique_id": e.uid("camera"),
            "name": "Doorbell picture",
            "topic": e.topic(Channel.HA_CAMERA),
        },
        "firmware": {  # A-OTA: install runs the lock's own signed-release checks
            "p": "update",
            "unique_id": e.uid("firmware"),
            "name": "Firmware",
            "device_class": "firmware",
            "state_topic": e.topic(Channel.HA_FIRMWARE),
            "command_topic": e.topic(Channel.HA_COMMAND),
            "payload_install": INSTALL_PAYLOAD,
        },
    }


def _alarms(e: _Entities) -> dict[str, Entity]:
    return {
        "tamper": e.binary("tamper", "tamper") | e.from_state("tamper"),
        "duress": e.binary("duress", "safety")
        | {
            "name": "Duress",
            "state_topic": e.topic(Channel.HA_DURESS),
            "off_delay": DURESS_OFF_DELAY_S,
        },
        "problem": e.binary("problem", "problem")
        | e.from_state("problem")
        | {
            "json_attributes_topic": e.state_topic,
            "json_attributes_template": (
                '{"reason": "{{ value_json.problem_reason }}",'
                ' "lockout_until": {{ value_json.lockout_until }}}'
            ),
        },
    }
