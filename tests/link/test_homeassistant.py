"""Home Assistant discovery: the document HA documents, and HA driving the lock.

Rules proved here (named in the tests' names): A-LIVE, A-REMOTE, D-AJAR, D-DURESS, D-LOCKOUT.
"""

from __future__ import annotations

import doctest
import json
import re

import pytest

from fakelock import FakeLock  # tests/ is on sys.path
from smartlock.link import homeassistant as ha
from smartlock.link.connection import BrokerConfig
from smartlock.link.lock_client import LinkOptions, LockClient
from smartlock.link.schemas import Event, FirmwareProgress, StateReport
from smartlock.link.topics import HA_STATUS, Channel, ha_discovery_topic, topic
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Source

from .harness import FakeCloud, clear_retained, new_lock_id, raw_client, running, wait_for

LOCK = "SL7K3MQ9TX2A"

# Options HA documents for each MQTT platform we use (integrations/<platform>.mqtt),
# plus the discovery-only `p` and the shared ones. Anything else would be ignored.
COMMON = {
    "p",
    "unique_id",
    "name",
    "state_topic",
    "value_template",
    "device_class",
    "json_attributes_topic",
    "json_attributes_template",
    "qos",
    "availability_topic",
}
DOCUMENTED = {
    "lock": COMMON
    | {
        "command_topic",
        "command_template",
        "code_format",
        "payload_lock",
        "payload_unlock",
        "payload_open",
        "state_locked",
        "state_unlocked",
        "state_open",
        "state_jammed",
        "state_locking",
        "state_unlocking",
        "optimistic",
    },
    "sensor": COMMON | {"unit_of_measurement", "state_class"},
    "binary_sensor": COMMON | {"payload_on", "payload_off", "off_delay"},
    "event": COMMON | {"event_types"},
    "camera": COMMON | {"topic", "image_encoding"},
    "update": COMMON
    | {"command_topic", "payload_install", "release_summary", "release_url", "title"},
}
DEVICE_CLASSES = {
    "sensor": {"battery"},
    "binary_sensor": {"door", "tamper", "safety", "problem"},
    "event": {"doorbell", "button", "motion"},
    "update": {"firmware"},
}


def _state(**kw: object) -> StateReport:
    base: dict[str, object] = {"door": DoorState.LOCKED, "bolt": BoltState.THROWN, "battery": 64}
    return StateReport(**(base | kw))  # type: ignore[arg-type]


def test_discovery_document_uses_only_documented_keys_and_defaults() -> None:
    doc = ha.discovery_document(LOCK, name="Front door", firmware="1.0.0")
    assert set(doc) == {
        "dev",
        "o",
        "cmps",
        "availability_topic",
        "payload_available",
        "payload_not_available",
        "qos",
    }
    assert doc["o"]["name"] == "smartlock" and doc["dev"]["ids"] == [f"smartlock_{LOCK}"]
    for name, cmp in doc["cmps"].items():
        assert set(cmp) <= DOCUMENTED[cmp["p"]], name
        assert cmp["unique_id"].startswith("smartlock_")
        if "device_class" in cmp:
            assert cmp["device_class"] in DEVICE_CLASSES[cmp["p"]], name
    lock = doc["cmps"]["lock"]
    # HA's own defaults (mqtt/lock.py): nothing needs remapping on the HA side.
    assert (lock["payload_lock"], lock["payload_unlock"]) == ("LOCK", "UNLOCK")
    assert (
        lock["state_locked"],
        lock["state_unlocked"],
        lock["state_open"],
        lock["state_jammed"],
    ) == ("LOCKED", "UNLOCKED", "OPEN", "JAMMED")
    # A-HA: a user's password (D-USER-4) to unlock, and nothing to lock (HA checks the
    # code_format for both, so the empty code must match: locking needs no made-up code).
    assert re.fullmatch(lock["code_format"], "123456") and not re.fullmatch(
        lock["code_format"], "12345"
    )
    assert re.fullmatch(lock["code_format"], "")
    assert "{{ now().timestamp()" in lock["command_template"]  # single-use, short-lived
    no_code = ha.discovery_document(LOCK, unlock_code=False)["cmps"]["lock"]
    assert "code_format" not in no_code
    assert doc["cmps"]["refused"]["event_types"] == ha.REFUSAL_TYPES
    assert {"ha_control_disabled", "wrong_code", "locked_out", "anti_lock_mode"} <= set(
        ha.REFUSAL_TYPES
    )
    assert doc["cmps"]["firmware"]["p"] == "update"
    assert doc["o"]["url"].startswith("https://") and "invalid" not in doc["o"]["url"]
    assert doc["cmps"]["doorbell"]["event_types"] == ["ring"]
    assert set(doc["cmps"]["access"]["event_types"]) >= {
        "face",
        "password",
        "temporary",
        "remote",
        "key",
        "button",
    }
    assert doc["availability_topic"] == topic(LOCK, Channel.AVAILABILITY)
    assert doc["cmps"]["camera"]["topic"] == topic(LOCK, Channel.HA_CAMERA)  # A-LIVE


@pytest.mark.parametrize(
    ("door", "lockout", "lock_state", "problem"),
    [
        (DoorState.LOCKED, 0, "LOCKED", ""),
        (DoorState.UNLOCKED, 0, "UNLOCKED", ""),
        (DoorState.OPEN, 0, "OPEN", ""),
        (DoorState.AJAR, 0, "OPEN", "ajar"),
        (DoorState.JAMMED, 0, "JAMMED", "jammed"),
        (DoorState.VIRTUALLY_LOCKED, 0, "UNLOCKED", "virtually_locked"),
        (DoorState.LOCKED, 120, "LOCKED", "lockout"),
    ],
)
def test_ha_state_shows_lock_state_and_problems_D_AJAR_D_LOCKOUT(
    door: DoorState, lockout: int, lock_state: str, problem: str
) -> None:
    s = ha.ha_state(_state(door=door, lockout_remaining_s=lockout))
    assert s["lock"] == lock_state
    assert s["problem"] == ("ON" if problem else "OFF") and s["problem_reason"] == problem
    assert s["battery"] == 64


def test_events_become_doorbell_access_and_duress_messages_D_DURESS_A_LIVE() -> None:
    ring = ha.ha_messages(LOCK, Event(seq=1, at=1.0, kind=EventKind.DOORBELL))
    assert ring == [(topic(LOCK, Channel.HA_DOORBELL), {"event_type": "ring"})]
    face = Event(
        seq=2, at=1.0, kind=EventKind.UNLOCK, user_no=3, method=Method.FACE, source=Source.FACE
    )
    assert ha.ha_messages(LOCK, face)[0][1] == {"event_type": "face", "user_no": 3, "seq": 2}
    temp = face.model_copy(update={"method": Method.OFFLINE_CODE})
    assert ha.ha_messages(LOCK, temp)[0][1]["event_type"] == "temporary"
    duress = ha.ha_messages(LOCK, Event(seq=3, at=1.0, kind=EventKind.DURESS))
    assert duress == [(topic(LOCK, Channel.HA_DURESS), b"ON")]


def test_a_fingerprint_unlock_is_a_fingerprint_access_event_D_FINGER_NAME() -> None:
    finger = Event(
        seq=4,
        at=1.0,
        kind=EventKind.UNLOCK,
        user_no=5,
        method=Method.FINGERPRINT,
        source=Source.FINGERPRINT,
    )
    assert ha.ha_messages(LOCK, finger) == [
        (topic(LOCK, Channel.HA_ACCESS), {"event_type": "fingerprint", "user_no": 5, "seq": 4})
    ]
    doc = ha.discovery_document(LOCK, name="Front door")
    assert "fingerprint" in doc["cmps"]["access"]["event_types"]


@pytest.mark.integration
async def test_lock_announces_itself_to_ha_and_again_when_ha_or_the_firmware_restarts_A_OTA(
    mosquitto_broker: BrokerConfig,
) -> None:
    lock_id, cloud, lock = new_lock_id(), FakeCloud(), FakeLock()
    creds = cloud.enrol(lock_id)
    options = LinkOptions(poll_s=0.2)
    docs: list[bytes] = []
    states: list[dict[str, object]] = []
    try:
        async with raw_client(mosquitto_broker) as ha_side:
            await ha_side.subscribe(ha_discovery_topic(lock_id), qos=1)
            await ha_side.subscribe(topic(lock_id, Channel.HA_STATE), qos=1)

            async def collect() -> None:
                async for m in ha_side.messages:
                    if m.topic.value.endswith("/config") and m.payload:
                        docs.append(bytes(m.payload))  # type: ignore[arg-type]
                    elif m.payload:
                        states.append(json.loads(m.payload))  # type: ignore[arg-type]

            async with (
                running(collect()),
                running(LockClient(mosquitto_broker, creds, lock, options).run()),
            ):
                await wait_for(lambda: docs and states, what="discovery and state")
                assert json.loads(docs[0])["cmps"]["lock"]["command_topic"] == topic(
                    lock_id, Channel.HA_COMMAND
                )
                assert states[-1]["lock"] == "LOCKED"
                # HA restarts and says so: the lock announces itself again.
                await ha_side.publish(HA_STATUS, b"online", qos=1)
                await wait_for(lambda: len(docs) >= 2, what="rediscovery")
                # A firmware update (A-OTA): HA's device info follows without a restart.
                lock.install_firmware("1.3.0")
                await wait_for(
                    lambda: json.loads(docs[-1])["dev"]["sw"] == "1.3.0", what="new firmware"
                )
                # The app renames the lock: HA's device name follows (A-HA).
                lock.set_device_name("Back door")
                await wait_for(
                    lambda: json.loads(docs[-1])["dev"]["name"] == "Back door", what="new name"
                )
    finally:
        await clear_retained(mosquitto_broker, lock_id)


def test_the_module_docstring_example_runs_A_HA() -> None:
    """The example in `link/homeassistant.py` (every component, camera too) is a doctest
    that nothing else runs."""
    result = doctest.testmod(ha, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0


def test_ha_update_entity_shows_bytes_written_and_a_rollback_with_its_reason_A_OTA_STATUS() -> None:
    """HA's MQTT update state: `update_percentage` while the lock writes its other slot,
    in progress while the new firmware is on trial, then the rollback said first in the
    release summary (HA's update dialog), with the offer's notes after it."""
    offer = {"manifest": {"version": "0.2.0", "notes": "Faster unlock"}}
    step = {"version": "0.2.0", "from_version": "0.1.0", "request_id": "ha-install-1"}
    writing = FirmwareProgress(stage="writing", written=300, size=1000, **step)
    shown = ha.firmware_state("0.1.0", offer, update=writing)
    assert (shown["in_progress"], shown["update_percentage"]) == (True, 30)
    trial = FirmwareProgress(stage="trial", written=1000, size=1000, **step)
    assert ha.firmware_state("0.1.0", offer, update=trial)["in_progress"] is True
    back = FirmwareProgress(stage="rolled_back", reason="cloud_unreachable", **step)
    shown = ha.firmware_state("0.1.0", offer, update=back)
    assert shown["in_progress"] is False and "update_percentage" not in shown
    assert shown["release_summary"] == (
        "Update to 0.2.0 rolled back: cloud_unreachable. Faster unlock"
    )
    assert shown["installed_version"] == "0.1.0" and shown["latest_version"] == "0.2.0"
    assert "rolled_back" in ha.REFUSAL_TYPES  # HA's refused event names it too
    assert ha.firmware_state("0.1.0", offer) == ha.firmware_state("0.1.0", offer, update=None)
