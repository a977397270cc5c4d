"""Home Assistant MQTT discovery for a lock: one device document, pure functions.

The lock publishes one retained document at `homeassistant/device/<lock_id>/config`
(device-based discovery: `dev`, `o`, `cmps`) and republishes it when HA announces
itself (`homeassistant/status` = `online`). The entities read plain topics the lock
client publishes beside the signed ones: `ha/state` (retained JSON, see `ha_state`),
`ha/doorbell`, `ha/access` and `ha/duress`. Payloads and states are HA's defaults
(lock.py: `LOCK`/`UNLOCK`; `LOCKED`/`UNLOCKED`/`OPEN`/`JAMMED`), so nothing needs
remapping in HA. A command from HA is a remote unlock: the lock applies A-REMOTE and
checks the code, and HA commands are off unless the lock owner enables them.

>>> doc = discovery_document("SL7K3MQ9TX2A", name="Front door", firmware="1.0.0")
>>> sorted(doc["cmps"])
['access', 'battery', 'door', 'doorbell', 'duress', 'lock', 'problem', 'tamper']
>>> doc["cmps"]["lock"]["p"], doc["cmps"]["battery"]["device_class"]
('lock', 'battery')
"""

from __future__ import annotations

from typing import Any

from smartlock import __version__ as _pkg_version
from smartlock.device.vocab import DoorState, EventKind, Method
from smartlock.link.schemas import Event, StateReport
from smartlock.link.topics import Channel, topic

ORIGIN = {"name": "smartlock", "sw": _pkg_version, "url": "https://example.invalid/smartlock"}
CODE_FORMAT = r"^\d{6,10}$"  # D-USER-4: passwords are 6-10 digits
DURESS_OFF_DELAY_S = 60

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


def ha_state(state: StateReport) -> dict[str, Any]:
    """The retained JSON at `ha/state` that the discovery templates read."""
    reason = problem_reason(state)
    return {
        "lock": lock_state(state),
        "battery": state.battery,
        "door": "ON" if state.door in (DoorState.OPEN, DoorState.AJAR) else "OFF",
        "tamper": "ON" if state.tamper else "OFF",
        "problem": "ON" if reason else "OFF",
        "problem_reason": reason,
        "lockout_remaining_s": state.lockout_remaining_s,
        "modes": {m.value: on for m, on in state.modes.items()},
    }


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
    lock_id: str, *, name: str = "Smart lock", firmware: str = ""
) -> dict[str, Any]:
    """The device discovery document (publish retained at `ha_discovery_topic`)."""
    state_t = topic(lock_id, Channel.HA_STATE)

    def from_state(key: str) -> dict[str, Any]:
        return {"state_topic": state_t, "value_template": f"{{{{ value_json.{key} }}}}"}

    def uid(part: str) -> str:
        return f"smartlock_{lock_id}_{part}"

    cmps: dict[str, dict[str, Any]] = {
        "lock": {
            "p": "lock",
            "unique_id": uid("lock"),
            "name": None,  # the device's own name
            **from_state("lock"),
            "command_topic": topic(lock_id, Channel.HA_COMMAND),
            "command_template": '{"action": "{{ value }}", "code": "{{ code }}"}',
            "code_format": CODE_FORMAT,
            "payload_lock": "LOCK",
            "payload_unlock": "UNLOCK",
            "state_locked": LOCKED,
            "state_unlocked": UNLOCKED,
            "state_open": OPEN,
            "state_jammed": JAMMED,
            "optimistic": False,
        },
        "battery": {
            "p": "sensor",
            "unique_id": uid("battery"),
            "device_class": "battery",
            "unit_of_measurement": "%",
            "state_class": "measurement",
            **from_state("battery"),
        },
        "door": {"p": "binary_sensor", "unique_id": uid("door"), "device_class": "door"}
        | from_state("door"),
        "doorbell": {
            "p": "event",
            "unique_id": uid("doorbell"),
            "device_class": "doorbell",
            "event_types": DOORBELL_TYPES,
            "state_topic": topic(lock_id, Channel.HA_DOORBELL),
        },
        "access": {
            "p": "event",
            "unique_id": uid("access"),
            "name": "Access",
            "event_types": ACCESS_TYPES,
            "state_topic": topic(lock_id, Channel.HA_ACCESS),
        },
        "camera": {  # the newest doorbell or live picture, every face masked (D-PRIV)
            "p": "camera",
            "unique_id": uid("camera"),
            "name": "Doorbell picture",
            "topic": topic(lock_id, Channel.HA_CAMERA),
        },
        "tamper": {"p": "binary_sensor", "unique_id": uid("tamper"), "device_class": "tamper"}
        | from_state("tamper"),
        "duress": {
            "p": "binary_sensor",
            "unique_id": uid("duress"),
            "name": "Duress",
            "device_class": "safety",
            "state_topic": topic(lock_id, Channel.HA_DURESS),
            "off_delay": DURESS_OFF_DELAY_S,
        },
        "problem": {
            "p": "binary_sensor",
            "unique_id": uid("problem"),
            "device_class": "problem",
            **from_state("problem"),
            "json_attributes_topic": state_t,
            "json_attributes_template": (
                '{"reason": "{{ value_json.problem_reason }}",'
                ' "lockout_remaining_s": {{ value_json.lockout_remaining_s }}}'
            ),
        },
    }
    return {
        "dev": {
            "ids": [f"smartlock_{lock_id}"],
            "name": name,
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
