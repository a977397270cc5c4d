"""The shared vocabulary of the lock: every layer (core, store, link, cloud, Home
Assistant, web app) names things with these enums, so adapters stay thin.

Modelled on the Matter Door Lock cluster where it has a notion (user types,
credential types, operation sources); the string values are the wire format of the
link and the API, so never rename a value, only add.
"""

from __future__ import annotations

import enum


class UserType(enum.StrEnum):
    """Matter UserTypeEnum, reduced to what the lock uses (D-USER-2, D-DURESS)."""

    MASTER = "master"  # Matter: unrestricted + may administer (menu, users, settings)
    NORMAL = "normal"  # Matter: UnrestrictedUser
    SCHEDULED = "scheduled"  # Matter: WeekDay/YearDay schedule user
    DISPOSABLE = "disposable"  # Matter: DisposableUser (one use)


class CredentialType(enum.StrEnum):
    """Matter CredentialTypeEnum subset; duress is a flag on the credential."""

    PIN = "pin"
    FACE = "face"
    FINGERPRINT = "fingerprint"
    TEMP_PIN = "temp_pin"  # online temporary password pushed by the app (A-TEMP)
    OFFLINE_CODE = "offline_code"  # code computed by the cloud, checked offline (A-TEMP)


class Source(enum.StrEnum):
    """Where an operation came from (Matter OperationSourceEnum)."""

    KEYPAD = "keypad"
    FACE = "face"  # Matter: Biometric
    FINGERPRINT = "fingerprint"  # Matter: Biometric (the fingerprint module)
    MANUAL = "manual"  # the inside knob, the handle
    KEY = "key"  # mechanical key cylinder
    BUTTON = "button"  # inside electronic unlock button
    REMOTE = "remote"  # app / cloud / Home Assistant
    AUTO = "auto"  # relock timer, door closed
    MENU = "menu"  # the lock's own voice menu
    SYSTEM = "system"  # boot, battery, factory reset


class Method(enum.StrEnum):
    """How an unlock was verified: what the app's records filter on (A-RECORDS)."""

    PASSWORD = "password"
    FACE = "face"
    FINGERPRINT = "fingerprint"
    TEMP_PASSWORD = "temp_password"
    OFFLINE_CODE = "offline_code"
    KEY = "key"
    KNOB = "knob"
    BUTTON = "button"
    REMOTE = "remote"
    HANDLE = "handle"  # normally-open mode, no verification


class EventKind(enum.StrEnum):
    """Journal event kinds (D-LOG). Also the notification kinds' source (A-NOTIFY)."""

    UNLOCK = "unlock"
    UNLOCK_FAILED = "unlock_failed"
    UNLOCK_REFUSED = "unlock_refused"  # valid credential refused by a mode (anti-lock ...)
    LOCKED = "locked"
    RELOCKED = "relocked"  # not opened within 5 s (D-BOLT)
    DOOR_OPENED = "door_opened"
    DOOR_CLOSED = "door_closed"
    DOOR_AJAR = "door_ajar"  # "door not closed properly" (D-AJAR)
    JAMMED = "jammed"
    VIRTUALLY_LOCKED = "virtually_locked"  # D-MODE-VIRT
    DURESS = "duress"
    TAMPER = "tamper"
    INTRUSION = "intrusion"  # armed and opened from inside (D-MODE-ARM)
    LOCKOUT = "lockout"
    LOCKOUT_ENDED = "lockout_ended"
    LOW_BATTERY = "low_battery"
    CRITICAL_BATTERY = "critical_battery"
    DOORBELL = "doorbell"
    MECHANICAL_KEY = "mechanical_key"
    MODE_CHANGED = "mode_changed"
    USER_ADDED = "user_added"
    USER_DELETED = "user_deleted"
    CREDENTIAL_ADDED = "credential_added"
    CREDENTIAL_DELETED = "credential_deleted"
    FINGERPRINT_ENROL_FAILED = "fingerprint_enrol_failed"  # one the app started: details.reason
    SETTING_CHANGED = "setting_changed"
    PAIRING_MODE = "pairing_mode"
    PAIRED = "paired"
    UNPAIRED = "unpaired"
    FACTORY_RESET = "factory_reset"
    REMOTE_COMMAND = "remote_command"  # result of a cloud command, accepted or refused
    FIRMWARE_UPDATE_STARTED = "firmware_update_started"  # A-OTA: signature checked
    FIRMWARE_UPDATED = "firmware_updated"  # the lock runs the new version
    FIRMWARE_UPDATE_REFUSED = "firmware_update_refused"  # details.reason
    FIRMWARE_UPDATE_TRIAL = "firmware_update_trial"  # booted on trial (D-OTA-TRIAL)
    FIRMWARE_ROLLED_BACK = "firmware_rolled_back"  # details.reason (D-OTA-ROLLBACK)
    BOOT = "boot"
    STORAGE_FULL = "storage_full"  # written once space returns: details since, until, refused


class DoorState(enum.StrEnum):
    """What the app shows as the door state (A-STATUS)."""

    LOCKED = "locked"  # closed and bolt thrown
    UNLOCKED = "unlocked"  # closed, bolt retracted
    OPEN = "open"
    AJAR = "ajar"  # not closed properly (D-AJAR)
    VIRTUALLY_LOCKED = "virtually_locked"  # closed, bolt did not throw (D-MODE-VIRT)
    JAMMED = "jammed"


class BoltState(enum.StrEnum):
    """Where the bolt is, as its sensor reports it (D-BOLT)."""

    THROWN = "thrown"  # out, in the strike
    RETRACTED = "retracted"
    JAMMED = "jammed"  # between the end stops: it did not reach either


class Mode(enum.StrEnum):
    """The lock's modes (§6). Each is on or off independently."""

    ANTI_LOCK = "anti_lock"
    NORMALLY_OPEN = "normally_open"
    ARMED = "armed"
    VIRTUAL_LOCK_DETECTION = "virtual_lock_detection"
    MUTE = "mute"


class Sensitivity(enum.StrEnum):
    """Face unlock sensitivity (D-FACE-SENS). 'high' = strictest (fewest false accepts)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FaceRefusal(enum.StrEnum):
    """Why the face engine did not use a frame; the lock tells the person what to do.

    The face engine refuses with these very members (`smartlock.face.quality`), so the
    names cannot drift apart. NO_FACE (nothing in view) reaches the lock as no reason.
    """

    NO_FACE = "no_face"
    TWO_FACES = "two_faces"
    TOO_FAR = "too_far"
    TOO_CLOSE = "too_close"
    PARTIAL = "partial_face"
    BLURRY = "blurry"
    NOT_FRONTAL = "not_frontal"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    UNCLEAR = "unclear_face"


class FingerProblem(enum.StrEnum):
    """Why the fingerprint module could not do what it was asked (D-FINGER-ENROL)."""

    BAD_IMAGE = "bad_image"  # dry, wet, smudged or partial: press again
    PRESSES_DIFFER = "presses_differ"  # the presses were not the same finger
    NO_ANSWER = "no_answer"  # the module stopped answering on its serial line
    MODULE_ERROR = "module_error"  # it answered with an error (flash, bad location)


class Pose(enum.StrEnum):
    """Enrolment poses in the order the lock asks for them (D-FACE-ENROL)."""

    FRONT = "front"
    RIGHT = "right"
    UP = "up"
    LEFT = "left"
    DOWN = "down"


class Volume(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    OFF = "off"


class FingerOp(enum.StrEnum):
    """What the fingerprint module is asked to do (the HAL answers with Finger* inputs)."""

    SCAN = "scan"  # the resting mode: identify any finger that touches the glass
    CAPTURE = "capture"  # enrolment: image press `press`, search it, report FingerCaptured
    AWAIT_LIFT = "await_lift"  # enrolment: report FingerLifted once the glass is clear
    STORE = "store"  # merge the presses into one template at `slots` (one slot)
    DELETE = "delete"  # remove the templates at `slots`
    KEEP_ONLY = "keep_only"  # remove every template not in `slots` (boot: stale ones)
