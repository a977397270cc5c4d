"""The §7 menu tree as data (D-MENU-1, D-MENU-2): one table, no nested ifs.

`MENU[node]` gives the node's prompt, how it takes input (a choice key, digits + `#`,
a `#` confirmation, or faces) and, for choice nodes, key -> `Choice(target, action)`.
`smartlock.device.core.menu.Menu` walks it; actions are its `_act_<name>` methods.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smartlock.device.core.prompts import PromptId
from smartlock.errors import ErrorCode
from smartlock.vocab import UserType

MENU_TIMEOUT_S = 30.0  # D-MENU-1
MAX_ENTRY = 20


class Node(enum.StrEnum):
    MAIN = "main"
    NEW_USER = "new_user"
    NEW_CRED = "new_cred"
    ADD_CRED = "add_cred"
    DURESS_TYPE = "duress_type"
    ENTER_USER = "enter_user"
    USER = "user"
    DELETE = "delete"
    DELETE_CONFIRM = "delete_confirm"
    DEREGISTER = "deregister"
    SETTINGS = "settings"
    VOLUME = "volume"
    VOLUME_LEVEL = "volume_level"
    ADVANCED = "advanced"
    PIN_FIRST = "pin_first"
    PIN_AGAIN = "pin_again"
    FACE = "face"
    FINGER = "finger"
    EXIT = "exit"


class Entry(enum.Enum):
    CHOICE = "choice"  # one key picks a Choice
    DIGITS = "digits"  # digits then `#` runs `action`
    CONFIRM = "confirm"  # `#` runs `action`
    FACES = "faces"  # face observations (enrolment); keys only go back
    FINGERS = "fingers"  # fingerprint presses (enrolment); keys only go back


@dataclass(frozen=True, slots=True)
class Choice:
    target: Node | None
    action: str | None = None
    arg: Any = None


@dataclass(frozen=True, slots=True)
class NodeSpec:
    prompt: PromptId
    entry: Entry = Entry.CHOICE
    choices: Mapping[str, Choice] = field(default_factory=dict)
    action: str | None = None  # for DIGITS / CONFIRM nodes


N = Node


def _keys(*choices: Choice) -> dict[str, Choice]:
    """The choices under the keys 1, 2, ... in the order the node's prompt reads them."""
    return {str(key): choice for key, choice in enumerate(choices, start=1)}


_CREDENTIAL_CHOICES = _keys(
    Choice(N.FACE, "enrol", False),
    Choice(N.PIN_FIRST, "pin", False),
    Choice(N.DURESS_TYPE),
    Choice(N.FINGER, "enrol_finger", False),
)
MENU: Mapping[Node, NodeSpec] = {
    N.MAIN: NodeSpec(
        PromptId.MENU_MAIN,
        choices=_keys(
            Choice(N.NEW_USER),
            Choice(N.ENTER_USER),
            Choice(N.SETTINGS),
            Choice(None, "system_info"),
        ),
    ),
    N.NEW_USER: NodeSpec(
        PromptId.MENU_NEW_USER,
        choices=_keys(
            Choice(N.NEW_CRED, "pick_new", UserType.MASTER),
            Choice(N.NEW_CRED, "pick_new", UserType.NORMAL),
        ),
    ),
    N.NEW_CRED: NodeSpec(PromptId.MENU_CREDENTIAL, choices=_CREDENTIAL_CHOICES),
    N.ADD_CRED: NodeSpec(PromptId.MENU_CREDENTIAL, choices=_CREDENTIAL_CHOICES),
    N.DURESS_TYPE: NodeSpec(
        PromptId.MENU_DURESS_TYPE,
        choices=_keys(
            Choice(N.FACE, "enrol", True),
            Choice(N.PIN_FIRST, "pin", True),
            Choice(N.FINGER, "enrol_finger", True),
        ),
    ),
    N.ENTER_USER: NodeSpec(PromptId.MENU_ENTER_USER, Entry.DIGITS, action="select_user"),
    N.USER: NodeSpec(
        PromptId.MENU_USER,
        choices=_keys(Choice(N.ADD_CRED), Choice(N.DELETE), Choice(N.DEREGISTER)),
    ),
    N.DELETE: NodeSpec(
        PromptId.MENU_DELETE,
        choices=_keys(
            Choice(N.DELETE_CONFIRM, "pick_delete", "face"),
            Choice(N.DELETE_CONFIRM, "pick_delete", "password"),
            Choice(N.DELETE_CONFIRM, "pick_delete", "duress"),
            Choice(N.DELETE_CONFIRM, "pick_delete", "fingerprint"),
        ),
    ),
    N.DELETE_CONFIRM: NodeSpec(PromptId.MENU_CONFIRM, Entry.CONFIRM, action="delete"),
    N.DEREGISTER: NodeSpec(PromptId.MENU_CONFIRM, Entry.CONFIRM, action="deregister"),
    N.SETTINGS: NodeSpec(
        PromptId.MENU_SETTINGS,
        choices=_keys(Choice(N.VOLUME), Choice(N.ADVANCED)),
    ),
    N.VOLUME: NodeSpec(
        PromptId.MENU_VOLUME,
        choices=_keys(
            Choice(N.VOLUME_LEVEL, "pick_volume", "prompt_volume"),
            Choice(N.VOLUME_LEVEL, "pick_volume", "doorbell_volume"),
        ),
    ),
    N.VOLUME_LEVEL: NodeSpec(
        PromptId.MENU_VOLUME_LEVEL,
        choices=_keys(
            *(Choice(N.VOLUME, "set_volume", level) for level in ("high", "medium", "low", "off"))
        ),
    ),
    N.ADVANCED: NodeSpec(
        PromptId.MENU_ADVANCED,
        choices=_keys(
            Choice(None, "toggle", "anti_lock"),
            Choice(None, "toggle", "normally_open"),
            Choice(None, "pair"),
        ),
    ),
    N.PIN_FIRST: NodeSpec(PromptId.ENTER_PASSWORD, Entry.DIGITS, action="pin_first"),
    N.PIN_AGAIN: NodeSpec(PromptId.ENTER_AGAIN, Entry.DIGITS, action="pin_again"),
    N.FACE: NodeSpec(PromptId.FACE_FRONT, Entry.FACES),
    N.FINGER: NodeSpec(PromptId.FINGER_PLACE, Entry.FINGERS),
}
REFUSAL_PROMPTS = {
    ErrorCode.USER_LIMIT: PromptId.USER_LIMIT,
    ErrorCode.UNKNOWN_USER: PromptId.UNKNOWN_USER,
    ErrorCode.LAST_MASTER: PromptId.LAST_MASTER,
    ErrorCode.SELF_DEREGISTER: PromptId.CANNOT_DEREGISTER_SELF,
    ErrorCode.MASTER_FROM_KEYPAD: PromptId.CANNOT_DEREGISTER_MASTER,
    ErrorCode.HAS_PASSWORD: PromptId.HAS_PASSWORD,
    ErrorCode.DUPLICATE_PASSWORD: PromptId.PASSWORD_EXISTS,
    ErrorCode.BAD_PASSWORD: PromptId.BAD_PASSWORD_LENGTH,
    ErrorCode.TEMPLATE_LIMIT: PromptId.TEMPLATE_LIMIT,
    ErrorCode.DUPLICATE_FACE: PromptId.FACE_EXISTS,
    ErrorCode.HAS_FINGERPRINT: PromptId.HAS_FINGERPRINT,
    ErrorCode.NO_FINGERPRINT_SENSOR: PromptId.NO_FINGERPRINT_SENSOR,
}
