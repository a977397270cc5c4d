"""The voice prompt catalogue in Chinese (zh) and English (en) (D-MENU-2).

The core emits `Prompt(PromptId, args)`; the speaker (or console) renders it with
`render`. Chinese wording follows the original manual where it gives one.

>>> render(PromptId.USER_NUMBER, "en", user_no=3)
'User number 003'
>>> render(PromptId.LOCKED_OUT, "zh", minutes=3)
'系统已锁定，请3分钟后再试'
"""

from __future__ import annotations

import enum
import json
import string
from collections.abc import Mapping
from importlib import resources

from smartlock.credentials import PIN_MAX, PIN_MIN
from smartlock.device.errors import InputError


class PromptId(enum.StrEnum):
    """Every prompt the core can speak (stable ids, used in effects and tests)."""

    WELCOME = "welcome"
    ADD_MASTER_FIRST = "add_master_first"  # D-FIRST
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
    VERIFY_FIRST = "verify_first"  # D-MECH
    ALARM_INTRUSION = "alarm_intrusion"
    ALARM_TAMPER = "alarm_tamper"
    DOOR_NOT_CLOSED = "door_not_closed"  # D-AJAR
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
    FINGER_PLACE = "finger_place"  # D-FINGER-ENROL
    FINGER_LIFT = "finger_lift"
    FINGER_AGAIN = "finger_again"
    FINGER_RETRY = "finger_retry"
    FINGER_ENROLLED = "finger_enrolled"
    FINGER_FAILED = "finger_failed"
    FINGER_EXISTS = "finger_exists"  # D-FINGER-DUP
    HAS_FINGERPRINT = "has_fingerprint"  # D-FINGER-1
    NO_FINGERPRINT_SENSOR = "no_fingerprint_sensor"  # D-FINGER-HW
    FIRMWARE_UPDATED = "firmware_updated"
    TEMPLATE_LIMIT = "template_limit"
    STORAGE_FULL = "storage_full"  # the disk is full: changes cannot be saved (issue 12)


def _load() -> tuple[dict[PromptId, dict[str, str]], dict[str, dict[str, str]]]:
    """The texts live in prompts.json, beside this module: a translator edits data,
    not code. `{PIN_MIN}` and `{PIN_MAX}` there are the lock's PIN rule, filled here.
    """
    text = resources.files("smartlock.device").joinpath("prompts.json").read_text("utf-8")
    data = json.loads(text)
    rule = {"{PIN_MIN}": str(PIN_MIN), "{PIN_MAX}": str(PIN_MAX)}

    def filled(texts: dict[str, str]) -> dict[str, str]:
        out = {}
        for lang, words in texts.items():
            for name, value in rule.items():
                words = words.replace(name, value)
            out[str(lang)] = str(words)
        return out

    prompts = {PromptId(key): filled(texts) for key, texts in data["prompts"].items()}
    reasons = {str(key): filled(words) for key, words in data["reasons"].items()}
    return prompts, reasons


_PROMPTS, _REASONS = _load()
CATALOGUE: Mapping[PromptId, Mapping[str, str]] = _PROMPTS
# A `reason` argument is a code (enrolment `Problem` values); it is spoken as words.
REASON_WORDS: Mapping[str, Mapping[str, str]] = _REASONS

LANGUAGES = ("zh", "en")


def placeholders(prompt_id: PromptId, lang: str) -> frozenset[str]:
    """The argument names a prompt's text needs."""
    fields = string.Formatter().parse(CATALOGUE[prompt_id][lang])
    return frozenset(name for _, name, _, _ in fields if name)


def render(prompt_id: PromptId | str, lang: str, **args: object) -> str:
    """The spoken text of a prompt in `lang` ("zh" or "en"), with its arguments filled."""
    try:
        texts = CATALOGUE[PromptId(prompt_id)]
    except (ValueError, KeyError):
        raise InputError(f"no prompt {prompt_id!r}") from None
    if lang not in texts:
        raise InputError(f"no {lang!r} text for prompt {prompt_id!r} (have {', '.join(texts)})")
    reason = args.get("reason")
    if isinstance(reason, str) and reason in REASON_WORDS:
        args = {**args, "reason": REASON_WORDS[reason].get(lang, reason)}
    try:
        return texts[lang].format(**args)
    except (KeyError, ValueError) as err:
        raise InputError(f"prompt {prompt_id!r} needs arguments: {err}") from None
