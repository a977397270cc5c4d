"""The ids of the voice prompts the core can speak (D-MENU-2).

Their wording is `prompt_texts`; `prompts.render` speaks one.
"""

from __future__ import annotations

import enum


class PromptId(enum.StrEnum):
    """Every prompt the core can speak (stable ids, used in effects and tests)."""

    WELCOME = "welcome"
    # D-FIRST
    ADD_MASTER_FIRST = "add_master_first"
    ENTER_PASSWORD = "enter_password"  # noqa: S105
    ENTER_AGAIN = "enter_again"
    PASSWORDS_DIFFER = "passwords_differ"
    BAD_PASSWORD_LENGTH = "bad_password_length"  # noqa: S105
    PASSWORD_EXISTS = "password_exists"  # noqa: S105
    HAS_PASSWORD = "has_password"  # noqa: S105
    SUCCESS = "success"
    FAILED = "failed"
    UNLOCKED = "unlocked"
    USER_NUMBER = "user_number"
    VERIFY_FAILED = "verify_failed"
    LOCKED_OUT = "locked_out"
    LOCKED = "locked"
    ANTI_LOCK_REFUSED = "anti_lock_refused"
    ANTI_LOCK_ON = "anti_lock_on"
    ANTI_LOCK_OFF = "anti_lock_off"
    NORMALLY_OPEN_ON = "normally_open_on"
    NORMALLY_OPEN_OFF = "normally_open_off"
    ARMED = "armed"
    DISARMED = "disarmed"
    ARM_NEEDS_CLOSED_DOOR = "arm_needs_closed_door"
    # D-MECH
    VERIFY_FIRST = "verify_first"
    ALARM_INTRUSION = "alarm_intrusion"
    ALARM_TAMPER = "alarm_tamper"
    # D-AJAR
    DOOR_NOT_CLOSED = "door_not_closed"
    VIRTUALLY_LOCKED = "virtually_locked"
    BATTERY_LOW = "battery_low"
    PAIRING_MODE = "pairing_mode"
    PAIRED = "paired"
    FACTORY_RESET = "factory_reset"
    DOORBELL = "doorbell"
    VERIFY_MASTER = "verify_master"
    NOT_MASTER = "not_master"
    MENU_MAIN = "menu_main"
    MENU_NEW_USER = "menu_new_user"
    MENU_CREDENTIAL = "menu_credential"
    MENU_DURESS_TYPE = "menu_duress_type"
    MENU_ENTER_USER = "menu_enter_user"
    MENU_USER = "menu_user"
    MENU_DELETE = "menu_delete"
    MENU_CONFIRM = "menu_confirm"
    MENU_SETTINGS = "menu_settings"
    MENU_VOLUME = "menu_volume"
    MENU_VOLUME_LEVEL = "menu_volume_level"
    MENU_ADVANCED = "menu_advanced"
    MENU_EXIT = "menu_exit"
    MENU_INVALID = "menu_invalid"
    SYSTEM_INFO = "system_info"
    USER_LIMIT = "user_limit"
    UNKNOWN_USER = "unknown_user"
    NOTHING_TO_DELETE = "nothing_to_delete"
    LAST_MASTER = "last_master"
    CANNOT_DEREGISTER_SELF = "cannot_deregister_self"
    CANNOT_DEREGISTER_MASTER = "cannot_deregister_master"
    FACE_FRONT = "face_front"
    FACE_RIGHT = "face_right"
    FACE_UP = "face_up"
    FACE_LEFT = "face_left"
    FACE_DOWN = "face_down"
    FACE_ENROLLED = "face_enrolled"
    FACE_FAILED = "face_failed"
    FACE_EXISTS = "face_exists"
    FACE_ONE_PERSON = "face_one_person"
    FACE_COME_CLOSER = "face_come_closer"
    FACE_STEP_BACK = "face_step_back"
    FACE_HOLD_STILL = "face_hold_still"
    # D-FINGER-ENROL
    FINGER_PLACE = "finger_place"
    FINGER_LIFT = "finger_lift"
    FINGER_AGAIN = "finger_again"
    FINGER_RETRY = "finger_retry"
    FINGER_ENROLLED = "finger_enrolled"
    FINGER_FAILED = "finger_failed"
    # D-FINGER-DUP
    FINGER_EXISTS = "finger_exists"
    # D-FINGER-1
    HAS_FINGERPRINT = "has_fingerprint"
    # D-FINGER-HW
    NO_FINGERPRINT_SENSOR = "no_fingerprint_sensor"
    FIRMWARE_UPDATED = "firmware_updated"
    TEMPLATE_LIMIT = "template_limit"
    STORAGE_FULL = "storage_full"  # the disk is full: changes cannot be saved (issue 12)
