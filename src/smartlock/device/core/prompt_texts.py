"""The wording of every voice prompt, in Chinese and English (D-MENU-2).

Each entry is `(zh, en)`, in the order of `prompts.LANGUAGES`. Chinese wording
follows the original manual where it gives one.
"""

from __future__ import annotations

from collections.abc import Mapping

from smartlock.credentials import PIN_MAX, PIN_MIN
from smartlock.device.core.prompt_ids import PromptId

TEXTS: Mapping[PromptId, tuple[str, str]] = {
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

# A `reason` argument is a code (enrolment `Problem` values); it is spoken as words.
REASON_TEXTS: Mapping[str, tuple[str, str]] = {
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
