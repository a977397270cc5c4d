"""Notification kinds (A-NOTIFY) and how lock events map onto them."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from smartlock.vocab import EventKind, Method


class NotifyKind(enum.StrEnum):
    """What an account can switch on or off; wire values of the API."""

    UNLOCK = "unlock"
    DURESS = "duress"
    TAMPER = "tamper"
    INTRUSION = "intrusion"  # the armed lock was opened from inside (D-MODE-ARM)
    LOCKOUT = "lockout"
    LOW_BATTERY = "low_battery"
    DOORBELL = "doorbell"
    MECHANICAL_KEY = "mechanical_key"
    DOOR_AJAR = "door_ajar"  # "door not closed properly" (D-AJAR, jam, virtually locked)
    DEVICE_OFFLINE = "device_offline"
    SCENE = "scene"  # a scene's "notify" action (A-SCENE)
    FIRMWARE = "firmware"  # an update installed, refused or rolled back (A-OTA)


FROM_EVENT: dict[EventKind, NotifyKind] = {
    EventKind.UNLOCK: NotifyKind.UNLOCK,
    EventKind.DURESS: NotifyKind.DURESS,
    EventKind.TAMPER: NotifyKind.TAMPER,
    EventKind.INTRUSION: NotifyKind.INTRUSION,
    EventKind.LOCKOUT: NotifyKind.LOCKOUT,
    EventKind.LOW_BATTERY: NotifyKind.LOW_BATTERY,
    EventKind.CRITICAL_BATTERY: NotifyKind.LOW_BATTERY,
    EventKind.DOORBELL: NotifyKind.DOORBELL,
    EventKind.MECHANICAL_KEY: NotifyKind.MECHANICAL_KEY,
    EventKind.DOOR_AJAR: NotifyKind.DOOR_AJAR,
    EventKind.JAMMED: NotifyKind.DOOR_AJAR,
    EventKind.VIRTUALLY_LOCKED: NotifyKind.DOOR_AJAR,
    EventKind.FIRMWARE_UPDATED: NotifyKind.FIRMWARE,
    EventKind.FIRMWARE_UPDATE_REFUSED: NotifyKind.FIRMWARE,
    EventKind.FIRMWARE_ROLLED_BACK: NotifyKind.FIRMWARE,
}

# Loud in the app: high priority. Duress also ignores the account's mute (D-DURESS).
HIGH = frozenset({NotifyKind.DURESS, NotifyKind.TAMPER, NotifyKind.INTRUSION, NotifyKind.LOCKOUT})
IGNORES_MUTE = frozenset({NotifyKind.DURESS})

_METHOD_WORDS: dict[str, str] = {
    Method.PASSWORD: "password",
    Method.FACE: "face",
    Method.FINGERPRINT: "fingerprint",  # D-FINGER-NAME
    Method.TEMP_PASSWORD: "visitor password",
    Method.OFFLINE_CODE: "offline visitor code",
    Method.KEY: "mechanical key",
    Method.KNOB: "knob",
    Method.BUTTON: "inside button",
    Method.REMOTE: "the app",
    Method.HANDLE: "handle (normally-open mode)",
}

_TITLES: dict[NotifyKind, str] = {
    NotifyKind.DURESS: "Duress alarm",
    NotifyKind.TAMPER: "Tamper alarm: the front panel was forced",
    NotifyKind.INTRUSION: "Intrusion: the armed door was opened",
    NotifyKind.LOCKOUT: "Keypad locked after 5 failed attempts",
    NotifyKind.LOW_BATTERY: "Battery low",
    NotifyKind.DOORBELL: "Someone rang the doorbell",
    NotifyKind.MECHANICAL_KEY: "Opened with the mechanical key",
    NotifyKind.DOOR_AJAR: "Door not closed properly",
    NotifyKind.DEVICE_OFFLINE: "Lock offline",
}


def describe(
    kind: NotifyKind,
    device_name: str,
    *,
    user: str | None,
    method: str | None,
    battery: object,
    details: Mapping[str, object] | None = None,
) -> tuple[str, str]:
    """(title, body) a person reads; never a secret (D-PRIV). `details`: the event's."""
    if kind is NotifyKind.UNLOCK:
        how = _METHOD_WORDS.get(method or "", method or "unknown means")
        who = f"user {user}" if user else "someone"
        return f"{device_name} unlocked", f"{device_name} was unlocked by {who} ({how})."
    if kind is NotifyKind.FIRMWARE:
        version = str((details or {}).get("version", "?"))[:32]
        reason = (details or {}).get("reason")
        if (details or {}).get("stage") == "rolled_back":
            back = str((details or {}).get("from_version", "?"))[:32]
            body = f"{device_name}: firmware {version} failed its trial ({reason}); "
            body += f"it runs {back} again."
            return "Firmware update rolled back", body
        if reason:
            refused = f"{device_name}: the update to firmware {version} was refused ({reason})."
            return "Firmware update refused", refused
        return "Firmware updated", f"{device_name} now runs firmware {version}."
    title = _TITLES.get(kind, kind.value)
    body = f"{device_name}: {title.lower()}"
    if kind is NotifyKind.DURESS and user:
        body = f"{device_name}: user {user} unlocked with a duress credential. Call for help."
    if kind is NotifyKind.LOW_BATTERY and isinstance(battery, int | float):
        body += f" ({battery:.0f} %)"
    return title, body
