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
import string
from collections.abc import Mapping

from smartlock.credentials import PIN_MAX, PIN_MIN
from smartlock.errors import InputError


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


CATALOGUE: Mapping[PromptId, Mapping[str, str]] = {
    PromptId.WELCOME: {"zh": "欢迎使用", "en": "Welcome"},
    PromptId.ADD_MASTER_FIRST: {
        "zh": "请按#号键添加主用户",
        "en": "Press # to add the master user",
    },
    PromptId.ENTER_PASSWORD: {
        "zh": f"请输入{PIN_MIN}到{PIN_MAX}位密码，按#号键确认",
        "en": f"Enter a {PIN_MIN} to {PIN_MAX} digit password, then press #",
    },
    PromptId.ENTER_AGAIN: {"zh": "请再次输入密码", "en": "Enter the password again"},
    PromptId.PASSWORDS_DIFFER: {
        "zh": "两次输入的密码不一致",
        "en": "The two passwords differ",
    },
    PromptId.BAD_PASSWORD_LENGTH: {
        "zh": f"密码须为{PIN_MIN}到{PIN_MAX}位",
        "en": f"A password has {PIN_MIN} to {PIN_MAX} digits",
    },
    PromptId.PASSWORD_EXISTS: {"zh": "密码已存在", "en": "This password already exists"},
    PromptId.HAS_PASSWORD: {
        "zh": "该用户已有密码，请先删除",
        "en": "This user already has a password; delete it first",
    },
    PromptId.SUCCESS: {"zh": "操作成功", "en": "Success"},
    PromptId.FAILED: {"zh": "操作失败", "en": "Failed"},
    PromptId.UNLOCKED: {"zh": "已开锁", "en": "Unlocked"},
    PromptId.USER_NUMBER: {"zh": "用户编号{user_no:03d}", "en": "User number {user_no:03d}"},
    PromptId.VERIFY_FAILED: {"zh": "验证失败", "en": "Verification failed"},
    PromptId.LOCKED_OUT: {
        "zh": "系统已锁定，请{minutes}分钟后再试",
        "en": "System locked, try again in {minutes} minutes",
    },
    PromptId.LOCKED: {"zh": "已上锁", "en": "Locked"},
    PromptId.ANTI_LOCK_REFUSED: {
        "zh": "已反锁，仅主用户可开门",
        "en": "Anti-lock mode: only master users may open",
    },
    PromptId.ANTI_LOCK_ON: {"zh": "反锁模式已开启", "en": "Anti-lock mode on"},
    PromptId.ANTI_LOCK_OFF: {"zh": "反锁模式已关闭", "en": "Anti-lock mode off"},
    PromptId.NORMALLY_OPEN_ON: {"zh": "常开模式已开启", "en": "Normally-open mode on"},
    PromptId.NORMALLY_OPEN_OFF: {"zh": "常开模式已关闭", "en": "Normally-open mode off"},
    PromptId.ARMED: {"zh": "已布防", "en": "Armed"},
    PromptId.DISARMED: {"zh": "已撤防", "en": "Disarmed"},
    PromptId.ARM_NEEDS_CLOSED_DOOR: {
        "zh": "请先关门再布防",
        "en": "Close the door before arming",
    },
    PromptId.VERIFY_FIRST: {
        "zh": "请先用人脸或密码验证",
        "en": "Verify with a face or password first",
    },
    PromptId.ALARM_INTRUSION: {"zh": "布防告警", "en": "Intrusion alarm"},
    PromptId.ALARM_TAMPER: {"zh": "强拆报警", "en": "Tamper alarm"},
    PromptId.DOOR_NOT_CLOSED: {"zh": "门未关好", "en": "The door is not closed properly"},
    PromptId.VIRTUALLY_LOCKED: {"zh": "门未锁好（虚锁）", "en": "The door is virtually locked"},
    PromptId.BATTERY_LOW: {"zh": "电量不足，请及时充电", "en": "Battery low, please charge"},
    PromptId.STORAGE_FULL: {
        "zh": "存储空间已满，无法保存更改，请联系维修",
        "en": "Storage is full; changes cannot be saved. Please have the lock serviced",
    },
    PromptId.PAIRING_MODE: {"zh": "进入配网模式", "en": "Pairing mode"},
    PromptId.PAIRED: {"zh": "配网成功", "en": "Paired"},
    PromptId.FACTORY_RESET: {"zh": "已恢复出厂设置", "en": "Factory settings restored"},
    PromptId.DOORBELL: {"zh": "叮咚", "en": "Ding dong"},
    PromptId.VERIFY_MASTER: {
        "zh": "请验证主用户人脸或密码",
        "en": "Verify a master user's face or password",
    },
    PromptId.NOT_MASTER: {"zh": "非主用户，无权限", "en": "Not a master user"},
    PromptId.MENU_MAIN: {
        "zh": "新建用户请按1，用户管理请按2，系统设置请按3，系统信息请按4",
        "en": "1 new user, 2 user management, 3 system settings, 4 system info",
    },
    PromptId.MENU_NEW_USER: {
        "zh": "主用户请按1，普通用户请按2",
        "en": "1 master user, 2 normal user",
    },
    PromptId.MENU_CREDENTIAL: {
        "zh": (
            "用户编号{user_no:03d}，添加人脸请按1，添加密码请按2，"
            "添加防挟持钥匙请按3，添加指纹请按4"
        ),
        "en": "User {user_no:03d}: 1 add face, 2 add password, 3 add duress key, 4 add fingerprint",
    },
    PromptId.MENU_DURESS_TYPE: {
        "zh": "防挟持人脸请按1，防挟持密码请按2，防挟持指纹请按3",
        "en": "1 duress face, 2 duress password, 3 duress fingerprint",
    },
    PromptId.MENU_ENTER_USER: {
        "zh": "请输入用户编号，按#号键确认",
        "en": "Enter the user number, then press #",
    },
    PromptId.MENU_USER: {
        "zh": "添加操作请按1，删除操作请按2，注销用户请按3",
        "en": "1 add, 2 delete, 3 deregister user",
    },
    PromptId.MENU_DELETE: {
        "zh": "删除人脸请按1，删除密码请按2，删除防挟持钥匙请按3，删除指纹请按4",
        "en": "1 delete faces, 2 delete password, 3 delete duress keys, 4 delete fingerprint",
    },
    PromptId.MENU_CONFIRM: {"zh": "按#号键确认", "en": "Press # to confirm"},
    PromptId.MENU_SETTINGS: {
        "zh": "音量调节请按1，高级设置请按2",
        "en": "1 volume, 2 advanced settings",
    },
    PromptId.MENU_VOLUME: {
        "zh": "提示音请按1，门铃请按2",
        "en": "1 prompt volume, 2 doorbell volume",
    },
    PromptId.MENU_VOLUME_LEVEL: {
        "zh": "高请按1，中请按2，低请按3，关闭请按4",
        "en": "1 high, 2 medium, 3 low, 4 off",
    },
    PromptId.MENU_ADVANCED: {
        "zh": "反锁模式请按1，常开状态请按2，Wi-Fi设置请按3",
        "en": "1 anti-lock mode, 2 normally-open, 3 Wi-Fi settings",
    },
    PromptId.MENU_EXIT: {"zh": "退出菜单", "en": "Leaving the menu"},
    PromptId.MENU_INVALID: {"zh": "输入无效", "en": "Invalid choice"},
    PromptId.SYSTEM_INFO: {
        "zh": "序列号{serial}，系统版本{version}",
        "en": "Serial number {serial}, firmware version {version}",
    },
    PromptId.USER_LIMIT: {"zh": "用户已满", "en": "No free user number"},
    PromptId.UNKNOWN_USER: {"zh": "用户不存在", "en": "No such user"},
    PromptId.NOTHING_TO_DELETE: {"zh": "无可删除的信息", "en": "Nothing to delete"},
    PromptId.LAST_MASTER: {
        "zh": "最后一个主用户或其密码无法删除",
        "en": "The last master user and their password cannot be deleted",
    },
    PromptId.CANNOT_DEREGISTER_SELF: {
        "zh": "当前登录的用户无法自我注销",
        "en": "You cannot deregister yourself",
    },
    PromptId.CANNOT_DEREGISTER_MASTER: {
        "zh": "主用户无法注销",
        "en": "Master users cannot be deregistered here",
    },
    PromptId.FACE_FRONT: {"zh": "请正对镜头", "en": "Look straight at the camera"},
    PromptId.FACE_RIGHT: {"zh": "请微微偏向右侧", "en": "Turn slightly to the right"},
    PromptId.FACE_UP: {"zh": "请微微抬头", "en": "Raise your head slightly"},
    PromptId.FACE_LEFT: {"zh": "请微微偏向左侧", "en": "Turn slightly to the left"},
    PromptId.FACE_DOWN: {"zh": "请微微低头", "en": "Lower your head slightly"},
    PromptId.FACE_ENROLLED: {"zh": "录入成功", "en": "Face enrolled"},
    PromptId.FACE_FAILED: {"zh": "人脸录入失败：{reason}", "en": "Face enrolment failed: {reason}"},
    PromptId.FACE_EXISTS: {"zh": "该人脸已录入", "en": "This face is already enrolled"},
    PromptId.FACE_ONE_PERSON: {"zh": "请一次一人识别", "en": "One person at a time, please"},
    PromptId.FACE_COME_CLOSER: {"zh": "请靠近一点", "en": "Please come a little closer"},
    PromptId.FACE_STEP_BACK: {"zh": "请后退一点", "en": "Please step back a little"},
    PromptId.FACE_HOLD_STILL: {"zh": "请保持不动", "en": "Please hold still"},
    PromptId.FINGER_PLACE: {"zh": "请放手指", "en": "Place your finger on the sensor"},
    PromptId.FINGER_LIFT: {"zh": "请抬起手指", "en": "Lift your finger"},
    PromptId.FINGER_AGAIN: {"zh": "请再次放手指", "en": "Place the same finger again"},
    PromptId.FINGER_RETRY: {
        "zh": "未能识别，请重新放手指",
        "en": "Could not read it; place your finger again",
    },
    PromptId.FINGER_ENROLLED: {"zh": "指纹录入成功", "en": "Fingerprint enrolled"},
    PromptId.FINGER_FAILED: {
        "zh": "指纹录入失败：{reason}",
        "en": "Fingerprint enrolment failed: {reason}",
    },
    PromptId.FINGER_EXISTS: {"zh": "该指纹已录入", "en": "This fingerprint is already enrolled"},
    PromptId.HAS_FINGERPRINT: {
        "zh": "该用户已有指纹，请先删除",
        "en": "This user already has a fingerprint; delete it first",
    },
    PromptId.NO_FINGERPRINT_SENSOR: {
        "zh": "本机没有指纹模块",
        "en": "This lock has no fingerprint sensor",
    },
    PromptId.FIRMWARE_UPDATED: {
        "zh": "固件已更新到版本 {version}",
        "en": "Firmware updated to version {version}",
    },
    PromptId.TEMPLATE_LIMIT: {"zh": "人脸模板已满", "en": "No room for more face templates"},
}

LANGUAGES = ("zh", "en")


def placeholders(prompt_id: PromptId, lang: str) -> frozenset[str]:
    """The argument names a prompt's text needs."""
    fields = string.Formatter().parse(CATALOGUE[prompt_id][lang])
    return frozenset(name for _, name, _, _ in fields if name)


# A `reason` argument is a code (enrolment `Problem` values); it is spoken as words.
REASON_WORDS: Mapping[str, Mapping[str, str]] = {
    "no_face": {"zh": "未看到人脸", "en": "no face seen"},
    "two_faces": {"zh": "画面中不止一人", "en": "more than one person in view"},
    "too_far": {"zh": "距离太远", "en": "too far from the camera"},
    "wrong_pose": {"zh": "姿势不对", "en": "not the pose asked for"},
    "moving": {"zh": "请保持不动", "en": "moving too much"},
    "low_quality": {"zh": "画面不清楚", "en": "the picture was not clear"},
    "timeout": {"zh": "等待超时", "en": "took too long"},
    "bad_image": {"zh": "指纹不清楚", "en": "the fingerprint was not clear"},
    "presses_differ": {"zh": "两次不是同一手指", "en": "the presses were not the same finger"},
    "no_answer": {"zh": "指纹模块无响应", "en": "the fingerprint sensor does not answer"},
    "module_error": {"zh": "指纹模块出错", "en": "the fingerprint sensor reported an error"},
}


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
