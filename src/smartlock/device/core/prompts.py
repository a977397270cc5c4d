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


# Every prompt's text: (zh, en), in the order of LANGUAGES.
_TEXTS: Mapping[PromptId, tuple[str, str]] = {
    PromptId.WELCOME: (
        "欢迎使用",
        "Welcome",
    ),
    PromptId.ADD_MASTER_FIRST: (
        "请按#号键添加主用户",
        "Press # to add the master user",
    ),
    PromptId.ENTER_PASSWORD: (
        f"请输入{PIN_MIN}到{PIN_MAX}位密码，按#号键确认",
        f"Enter a {PIN_MIN} to {PIN_MAX} digit password, then press #",
    ),
    PromptId.ENTER_AGAIN: (
        "请再次输入密码",
        "Enter the password again",
    ),
    PromptId.PASSWORDS_DIFFER: (
        "两次输入的密码不一致",
        "The two passwords differ",
    ),
    PromptId.BAD_PASSWORD_LENGTH: (
        f"密码须为{PIN_MIN}到{PIN_MAX}位",
        f"A password has {PIN_MIN} to {PIN_MAX} digits",
    ),
    PromptId.PASSWORD_EXISTS: (
        "密码已存在",
        "This password already exists",
    ),
    PromptId.HAS_PASSWORD: (
        "该用户已有密码，请先删除",
        "This user already has a password; delete it first",
    ),
    PromptId.SUCCESS: (
        "操作成功",
        "Success",
    ),
    PromptId.FAILED: (
        "操作失败",
        "Failed",
    ),
    PromptId.UNLOCKED: (
        "已开锁",
        "Unlocked",
    ),
    PromptId.USER_NUMBER: (
        "用户编号{user_no:03d}",
        "User number {user_no:03d}",
    ),
    PromptId.VERIFY_FAILED: (
        "验证失败",
        "Verification failed",
    ),
    PromptId.LOCKED_OUT: (
        "系统已锁定，请{minutes}分钟后再试",
        "System locked, try again in {minutes} minutes",
    ),
    PromptId.LOCKED: (
        "已上锁",
        "Locked",
    ),
    PromptId.ANTI_LOCK_REFUSED: (
        "已反锁，仅主用户可开门",
        "Anti-lock mode: only master users may open",
    ),
    PromptId.ANTI_LOCK_ON: (
        "反锁模式已开启",
        "Anti-lock mode on",
    ),
    PromptId.ANTI_LOCK_OFF: (
        "反锁模式已关闭",
        "Anti-lock mode off",
    ),
    PromptId.NORMALLY_OPEN_ON: (
        "常开模式已开启",
        "Normally-open mode on",
    ),
    PromptId.NORMALLY_OPEN_OFF: (
        "常开模式已关闭",
        "Normally-open mode off",
    ),
    PromptId.ARMED: (
        "已布防",
        "Armed",
    ),
    PromptId.DISARMED: (
        "已撤防",
        "Disarmed",
    ),
    PromptId.ARM_NEEDS_CLOSED_DOOR: (
        "请先关门再布防",
        "Close the door before arming",
    ),
    PromptId.VERIFY_FIRST: (
        "请先用人脸或密码验证",
        "Verify with a face or password first",
    ),
    PromptId.ALARM_INTRUSION: (
        "布防告警",
        "Intrusion alarm",
    ),
    PromptId.ALARM_TAMPER: (
        "强拆报警",
        "Tamper alarm",
    ),
    PromptId.DOOR_NOT_CLOSED: (
        "门未关好",
        "The door is not closed properly",
    ),
    PromptId.VIRTUALLY_LOCKED: (
        "门未锁好（虚锁）",
        "The door is virtually locked",
    ),
    PromptId.BATTERY_LOW: (
        "电量不足，请及时充电",
        "Battery low, please charge",
    ),
    PromptId.STORAGE_FULL: (
        "存储空间已满，无法保存更改，请联系维修",
        "Storage is full; changes cannot be saved. Please have the lock serviced",
    ),
    PromptId.PAIRING_MODE: (
        "进入配网模式",
        "Pairing mode",
    ),
    PromptId.PAIRED: (
        "配网成功",
        "Paired",
    ),
    PromptId.FACTORY_RESET: (
        "已恢复出厂设置",
        "Factory settings restored",
    ),
    PromptId.DOORBELL: (
        "叮咚",
        "Ding dong",
    ),
    PromptId.VERIFY_MASTER: (
        "请验证主用户人脸或密码",
        "Verify a master user's face or password",
    ),
    PromptId.NOT_MASTER: (
        "非主用户，无权限",
        "Not a master user",
    ),
    PromptId.MENU_MAIN: (
        "新建用户请按1，用户管理请按2，系统设置请按3，系统信息请按4",
        "1 new user, 2 user management, 3 system settings, 4 system info",
    ),
    PromptId.MENU_NEW_USER: (
        "主用户请按1，普通用户请按2",
        "1 master user, 2 normal user",
    ),
    PromptId.MENU_CREDENTIAL: (
        ("用户编号{user_no:03d}，添加人脸请按1，添加密码请按2，添加防挟持钥匙请按3，添加指纹请按4"),
        "User {user_no:03d}: 1 add face, 2 add password, 3 add duress key, 4 add fingerprint",
    ),
    PromptId.MENU_DURESS_TYPE: (
        "防挟持人脸请按1，防挟持密码请按2，防挟持指纹请按3",
        "1 duress face, 2 duress password, 3 duress fingerprint",
    ),
    PromptId.MENU_ENTER_USER: (
        "请输入用户编号，按#号键确认",
        "Enter the user number, then press #",
    ),
    PromptId.MENU_USER: (
        "添加操作请按1，删除操作请按2，注销用户请按3",
        "1 add, 2 delete, 3 deregister user",
    ),
    PromptId.MENU_DELETE: (
        "删除人脸请按1，删除密码请按2，删除防挟持钥匙请按3，删除指纹请按4",
        "1 delete faces, 2 delete password, 3 delete duress keys, 4 delete fingerprint",
    ),
    PromptId.MENU_CONFIRM: (
        "按#号键确认",
        "Press # to confirm",
    ),
    PromptId.MENU_SETTINGS: (
        "音量调节请按1，高级设置请按2",
        "1 volume, 2 advanced settings",
    ),
    PromptId.MENU_VOLUME: (
        "提示音请按1，门铃请按2",
        "1 prompt volume, 2 doorbell volume",
    ),
    PromptId.MENU_VOLUME_LEVEL: (
        "高请按1，中请按2，低请按3，关闭请按4",
        "1 high, 2 medium, 3 low, 4 off",
    ),
    PromptId.MENU_ADVANCED: (
        "反锁模式请按1，常开状态请按2，Wi-Fi设置请按3",
        "1 anti-lock mode, 2 normally-open, 3 Wi-Fi settings",
    ),
    PromptId.MENU_EXIT: (
        "退出菜单",
        "Leaving the menu",
    ),
    PromptId.MENU_INVALID: (
        "输入无效",
        "Invalid choice",
    ),
    PromptId.SYSTEM_INFO: (
        "序列号{serial}，系统版本{version}",
        "Serial number {serial}, firmware version {version}",
    ),
    PromptId.USER_LIMIT: (
        "用户已满",
        "No free user number",
    ),
    PromptId.UNKNOWN_USER: (
        "用户不存在",
        "No such user",
    ),
    PromptId.NOTHING_TO_DELETE: (
        "无可删除的信息",
        "Nothing to delete",
    ),
    PromptId.LAST_MASTER: (
        "最后一个主用户或其密码无法删除",
        "The last master user and their password cannot be deleted",
    ),
    PromptId.CANNOT_DEREGISTER_SELF: (
        "当前登录的用户无法自我注销",
        "You cannot deregister yourself",
    ),
    PromptId.CANNOT_DEREGISTER_MASTER: (
        "主用户无法注销",
        "Master users cannot be deregistered here",
    ),
    PromptId.FACE_FRONT: (
        "请正对镜头",
        "Look straight at the camera",
    ),
    PromptId.FACE_RIGHT: (
        "请微微偏向右侧",
        "Turn slightly to the right",
    ),
    PromptId.FACE_UP: (
        "请微微抬头",
        "Raise your head slightly",
    ),
    PromptId.FACE_LEFT: (
        "请微微偏向左侧",
        "Turn slightly to the left",
    ),
    PromptId.FACE_DOWN: (
        "请微微低头",
        "Lower your head slightly",
    ),
    PromptId.FACE_ENROLLED: (
        "录入成功",
        "Face enrolled",
    ),
    PromptId.FACE_FAILED: (
        "人脸录入失败：{reason}",
        "Face enrolment failed: {reason}",
    ),
    PromptId.FACE_EXISTS: (
        "该人脸已录入",
        "This face is already enrolled",
    ),
    PromptId.FACE_ONE_PERSON: (
        "请一次一人识别",
        "One person at a time, please",
    ),
    PromptId.FACE_COME_CLOSER: (
        "请靠近一点",
        "Please come a little closer",
    ),
    PromptId.FACE_STEP_BACK: (
        "请后退一点",
        "Please step back a little",
    ),
    PromptId.FACE_HOLD_STILL: (
        "请保持不动",
        "Please hold still",
    ),
    PromptId.FINGER_PLACE: (
        "请放手指",
        "Place your finger on the sensor",
    ),
    PromptId.FINGER_LIFT: (
        "请抬起手指",
        "Lift your finger",
    ),
    PromptId.FINGER_AGAIN: (
        "请再次放手指",
        "Place the same finger again",
    ),
    PromptId.FINGER_RETRY: (
        "未能识别，请重新放手指",
        "Could not read it; place your finger again",
    ),
    PromptId.FINGER_ENROLLED: (
        "指纹录入成功",
        "Fingerprint enrolled",
    ),
    PromptId.FINGER_FAILED: (
        "指纹录入失败：{reason}",
        "Fingerprint enrolment failed: {reason}",
    ),
    PromptId.FINGER_EXISTS: (
        "该指纹已录入",
        "This fingerprint is already enrolled",
    ),
    PromptId.HAS_FINGERPRINT: (
        "该用户已有指纹，请先删除",
        "This user already has a fingerprint; delete it first",
    ),
    PromptId.NO_FINGERPRINT_SENSOR: (
        "本机没有指纹模块",
        "This lock has no fingerprint sensor",
    ),
    PromptId.FIRMWARE_UPDATED: (
        "固件已更新到版本 {version}",
        "Firmware updated to version {version}",
    ),
    PromptId.TEMPLATE_LIMIT: (
        "人脸模板已满",
        "No room for more face templates",
    ),
}

LANGUAGES = ("zh", "en")

CATALOGUE: Mapping[PromptId, Mapping[str, str]] = {
    prompt_id: dict(zip(LANGUAGES, texts, strict=True)) for prompt_id, texts in _TEXTS.items()
}


def placeholders(prompt_id: PromptId, lang: str) -> frozenset[str]:
    """The argument names a prompt's text needs."""
    fields = string.Formatter().parse(CATALOGUE[prompt_id][lang])
    return frozenset(name for _, name, _, _ in fields if name)


# A `reason` argument is a code (enrolment `Problem` values); it is spoken as words.
_REASON_TEXTS: Mapping[str, tuple[str, str]] = {
    "no_face": ("未看到人脸", "no face seen"),
    "two_faces": ("画面中不止一人", "more than one person in view"),
    "too_far": ("距离太远", "too far from the camera"),
    "wrong_pose": ("姿势不对", "not the pose asked for"),
    "moving": ("请保持不动", "moving too much"),
    "low_quality": ("画面不清楚", "the picture was not clear"),
    "timeout": ("等待超时", "took too long"),
    "bad_image": ("指纹不清楚", "the fingerprint was not clear"),
    "presses_differ": ("两次不是同一手指", "the presses were not the same finger"),
    "no_answer": ("指纹模块无响应", "the fingerprint sensor does not answer"),
    "module_error": ("指纹模块出错", "the fingerprint sensor reported an error"),
}
REASON_WORDS: Mapping[str, Mapping[str, str]] = {
    reason: dict(zip(LANGUAGES, texts, strict=True)) for reason, texts in _REASON_TEXTS.items()
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
