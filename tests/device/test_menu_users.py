"""First use, the §7 menu and the D-USER rules, walked through the keypad.

Rules proved here (named in the tests' names): D-FIRST, D-MENU-1, D-MENU-2, D-USER-1, D-USER-2,
D-USER-4, D-USER-6.
"""

from __future__ import annotations

import pytest

from smartlock.device.core.inputs import SettingsKey
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import CredentialType, EventKind, UserType

from .rig import MASTER_PIN, Rig, events, prompts, unlocks


def test_first_use_adds_master_001_with_a_password_D_FIRST() -> None:
    rig = Rig()
    woke = rig.keys("1")
    assert PromptId.ADD_MASTER_FIRST in prompts(woke)
    assert unlocks(rig.keys("123456#")) == []  # nothing unlocks before a master exists
    out = rig.first_master()
    assert prompts(out)[:2] == [PromptId.ENTER_PASSWORD, PromptId.ENTER_AGAIN]
    assert PromptId.SUCCESS in prompts(out)
    [user] = rig.core.users()
    assert (user.number, user.user_type) == (1, UserType.MASTER)
    assert [c.cred_type for c in user.credentials] == [CredentialType.PIN]
    assert [e.user_no for e in unlocks(rig.keys(f"{MASTER_PIN}#"))] == [1]


def test_first_use_password_mismatch_asks_again_D_FIRST_D_USER_4() -> None:
    rig = Rig()
    rig.keys("*")
    out = rig.keys("#123456#654321#")
    assert PromptId.PASSWORDS_DIFFER in prompts(out)
    assert rig.core.users() == []
    rig.keys("111111#111111#")
    assert [u.number for u in rig.core.users()] == [1]


def test_new_normal_user_with_password_through_the_menu_D_USER_1_D_USER_2() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    out = rig.keys("12")
    assert PromptId.MENU_CREDENTIAL in prompts(out)
    announced = [e for e in out if getattr(e, "prompt_id", None) is PromptId.MENU_CREDENTIAL]
    assert announced[0].args["user_no"] == 2  # lowest free number is announced
    out = rig.keys("2246810#246810#")
    assert PromptId.SUCCESS in prompts(out)
    assert [e.kind for e in events(out)] == [EventKind.USER_ADDED, EventKind.CREDENTIAL_ADDED]
    rig.keys("****")
    assert rig.core.menu is None
    user = rig.core.users()[1]
    assert (user.number, user.user_type) == (2, UserType.NORMAL)
    assert [e.user_no for e in unlocks(rig.keys("246810#"))] == [2]


def test_duplicate_password_is_refused_and_nothing_changes_D_USER_4() -> None:
    rig = Rig()
    rig.first_master()
    rig.add_user_with_pin("246810")
    before = rig.core.state
    rig.menu_login()
    out = rig.keys(f"12 2{MASTER_PIN}#".replace(" ", ""))
    assert PromptId.PASSWORD_EXISTS in prompts(out)
    out = rig.keys("246810#")  # the duress password of another user counts too
    assert PromptId.PASSWORD_EXISTS in prompts(out)
    rig.keys("*****")
    assert rig.core.state.users == before.users
    assert rig.core.state.credentials == before.credentials


def test_user_with_a_password_must_delete_it_first_D_USER_4() -> None:
    rig = Rig()
    rig.first_master()
    rig.add_user_with_pin("246810")
    rig.menu_login()
    out = rig.keys("2002#12")
    assert PromptId.HAS_PASSWORD in prompts(out)
    out = rig.keys("*22#")  # back, delete, password, confirm
    assert PromptId.SUCCESS in prompts(out)
    assert rig.core.users()[1].credentials == ()
    out = rig.keys("12135791#135791#")
    assert PromptId.SUCCESS in prompts(out)


@pytest.mark.parametrize("pin", ["12345", "12345678901"])
def test_password_length_is_6_to_10_digits_D_USER_4(pin: str) -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    out = rig.keys(f"122{pin}#")
    assert PromptId.BAD_PASSWORD_LENGTH in prompts(out)
    assert len(rig.core.users()) == 1


def test_last_master_and_its_password_cannot_be_deleted_D_USER_6() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    out = rig.keys("2001#22#")
    assert PromptId.LAST_MASTER in prompts(out)
    assert len(rig.core.users()[0].credentials) == 1


def test_logged_in_user_cannot_deregister_themself_and_masters_not_from_keypad_D_USER_6() -> None:
    rig = Rig()
    rig.first_master()
    rig.add_user_with_pin("222222", master=True)
    rig.menu_login()
    assert PromptId.CANNOT_DEREGISTER_SELF in prompts(rig.keys("2001#3#"))
    rig.keys("**")
    assert PromptId.CANNOT_DEREGISTER_MASTER in prompts(rig.keys("2002#3#"))
    assert len(rig.core.users()) == 2


def test_deregister_normal_user_removes_credentials_D_USER_6() -> None:
    rig = Rig()
    rig.first_master()
    rig.add_user_with_pin("246810")
    rig.menu_login()
    out = rig.keys("2002#3#")
    assert PromptId.SUCCESS in prompts(out)
    assert events(out, EventKind.USER_DELETED)[0].user_no == 2
    rig.keys("*")
    assert unlocks(rig.keys("246810#")) == []


def test_menu_star_goes_back_and_exits_at_top_D_MENU_1() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("32")
    assert [str(n) for n in rig.core.menu.stack] == ["main", "settings", "advanced"]
    assert PromptId.MENU_SETTINGS in prompts(rig.keys("*"))
    rig.keys("*")
    assert PromptId.MENU_EXIT in prompts(rig.keys("*"))
    assert rig.core.menu is None


def test_menu_exits_after_30_s_without_input_D_MENU_1() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    assert rig.core.menu is not None
    rig.wait(29)
    assert rig.core.menu is not None
    assert PromptId.MENU_EXIT in prompts(rig.wait(1))
    assert rig.core.menu is None


def test_menu_needs_a_master_not_a_normal_user_D_USER_2() -> None:
    rig = Rig()
    rig.first_master()
    rig.add_user_with_pin("246810")
    rig.feed(SettingsKey(0.2))
    out = rig.keys("246810#")
    assert PromptId.NOT_MASTER in prompts(out)
    assert rig.core.menu is None and unlocks(out) == []


def test_menu_settings_volume_and_system_info_D_MENU_2() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    out = rig.keys("3124")
    assert rig.core.settings.doorbell_volume == "off"
    assert events(out, EventKind.SETTING_CHANGED)[0].details["name"] == "doorbell_volume"
    rig.keys("**")
    info = [e for e in rig.keys("4") if getattr(e, "prompt_id", None) is PromptId.SYSTEM_INFO]
    assert info[0].args["serial"] == "SL-TEST-0001"


def test_menu_has_every_branch_of_section_7_D_MENU_1() -> None:
    from smartlock.device.core.menu_table import MENU, Node

    assert set(MENU[Node.MAIN].choices) == {"1", "2", "3", "4"}
    assert set(MENU[Node.NEW_USER].choices) == {"1", "2"}
    # "4 fingerprint" beside face / password / duress key (D-FINGER-ENROL, D-FINGER-DELETE)
    assert set(MENU[Node.NEW_CRED].choices) == {"1", "2", "3", "4"}
    assert set(MENU[Node.DELETE].choices) == {"1", "2", "3", "4"}
    assert set(MENU[Node.DURESS_TYPE].choices) == {"1", "2", "3"}
    assert set(MENU[Node.USER].choices) == {"1", "2", "3"}
    assert set(MENU[Node.VOLUME_LEVEL].choices) == {"1", "2", "3", "4"}
    assert set(MENU[Node.ADVANCED].choices) == {"1", "2", "3"}


def test_at_most_50_users_lowest_free_number_D_USER_1() -> None:
    from smartlock.device.core.inputs import RemoteAction

    rig = Rig()
    rig.first_master()
    for _ in range(49):
        assert rig.remote(RemoteAction.ADD_USER, user_type="normal").ok
    refused = rig.remote(RemoteAction.ADD_USER, user_type="normal")
    assert not refused.ok and refused.code == "user_limit"
    assert rig.remote(RemoteAction.DEREGISTER_USER, user_no=17).ok
    assert rig.remote(RemoteAction.ADD_USER, user_type="normal").data["user_no"] == 17
    rig.menu_login()
    assert PromptId.USER_LIMIT in prompts(rig.keys("12"))
