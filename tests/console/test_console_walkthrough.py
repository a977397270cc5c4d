"""The console walkthrough of docs/console.md, scripted with a fake clock.

First use, a normal user added by the menu, a virtual password, a lockout that
announces its time left and survives a restart with the same data dir.

Rules proved here (named in the tests' names): D-FIRST, D-KEY-SHOW, D-KEY-VIRTUAL, D-LOCKOUT,
D-MENU-1, D-MENU-2, D-OPEN-IN.
"""

from __future__ import annotations

from smartlock.device.core.prompts import PromptId, render

MASTER_PIN = "123456"
NORMAL_PIN = "24681357"


def say(prompt: PromptId, lang: str = "en", **args: object) -> str:
    return f"speaker: {render(prompt, lang, **args)}"


def first_use(session) -> str:
    return session.type("1", "#", f"{MASTER_PIN}#", f"{MASTER_PIN}#")


def add_normal_user(session) -> str:
    return session.type(
        "settings", f"{MASTER_PIN}#", "1", "2", "2", f"{NORMAL_PIN}#", f"{NORMAL_PIN}#"
    )


def test_first_use_asks_for_the_master_and_nothing_unlocks_before_D_FIRST(start_console):
    lock = start_console()
    out = lock.type("555555#")
    assert say(PromptId.ADD_MASTER_FIRST) in out
    assert "bolt: retracted" not in out and lock.console.lock.bolt.state == "thrown"
    assert "bolt: retracted" in lock.type("key")  # the mechanical key still works
    lock.type("wait 31")  # let the half-finished first-use step time out
    out = first_use(lock)
    assert say(PromptId.ADD_MASTER_FIRST) in out
    assert say(PromptId.ENTER_AGAIN) in out and say(PromptId.SUCCESS) in out
    assert "log #" in out and "user_added by user 001" in out


def test_menu_adds_a_normal_user_and_star_goes_back_then_exits_D_MENU_1(start_console):
    lock = start_console()
    first_use(lock)
    out = add_normal_user(lock)
    assert say(PromptId.MENU_MAIN) in out
    assert "user_added by user 002" in out and "credential_added by user 002" in out
    back = lock.type("*")
    assert say(PromptId.MENU_NEW_USER) in back
    assert say(PromptId.MENU_MAIN) in lock.type("*")
    assert say(PromptId.MENU_EXIT) in lock.type("*")
    assert lock.type("*") == ""  # out of the menu: another * does nothing


def test_menu_closes_after_30_s_without_input_D_MENU_1(start_console):
    lock = start_console()
    first_use(lock)
    assert say(PromptId.MENU_MAIN) in lock.type("settings", f"{MASTER_PIN}#")
    assert say(PromptId.MENU_EXIT) not in lock.type("wait 29")
    assert say(PromptId.MENU_EXIT) in lock.type("wait 2")


def test_virtual_password_unlocks_shows_the_user_and_relocks_D_KEY_VIRTUAL_D_KEY_SHOW(
    start_console,
):
    lock = start_console()
    first_use(lock)
    add_normal_user(lock)
    lock.type("*", "*", "*")
    out = lock.type(f"99{NORMAL_PIN}000#")  # any digits around the real password
    assert "bolt: retracted" in out and say(PromptId.UNLOCKED) in out
    assert "display: 002" in out and "unlock by user 002 (password, keypad)" in out
    out = lock.type("wait 6")  # D-BOLT: not opened within 5 s
    assert "bolt: thrown" in out and "relocked" in out


def test_twenty_one_digits_are_too_many_for_a_virtual_password_D_KEY_VIRTUAL(start_console):
    lock = start_console()
    first_use(lock)
    out = lock.type("0" * 15 + MASTER_PIN + "#")  # 21 digits
    assert "bolt: retracted" not in out and say(PromptId.VERIFY_FAILED) in out


def test_lockout_tells_the_time_left_and_survives_a_restart_D_LOCKOUT(start_console, tmp_path):
    lock = start_console()
    first_use(lock)
    out = lock.type("111111#", "222222#", "333333#", "444444#", "555555#")
    assert out.count(say(PromptId.VERIFY_FAILED)) == 5
    assert say(PromptId.LOCKED_OUT, minutes=3) in out and "lockout" in out
    out = lock.type(f"{MASTER_PIN}#")  # the right password is refused now
    assert "bolt: retracted" not in out
    stopped_at = lock.close()

    again = start_console(at=stopped_at + 60)  # a reboot a minute later, same data dir
    out = again.type("wait 1", "1")
    assert say(PromptId.LOCKED_OUT, minutes=2) in out
    assert "bolt: retracted" not in again.type("*", f"{MASTER_PIN}#")
    again.type("wait 125")
    out = again.type("*", f"{MASTER_PIN}#")
    assert "bolt: retracted" in out and "unlock by user 001" in out


def test_the_inside_still_works_during_a_lockout_D_LOCKOUT_D_OPEN_IN(start_console):
    lock = start_console()
    first_use(lock)
    lock.type("111111#", "222222#", "333333#", "444444#", "555555#")
    out = lock.type("button")
    assert "bolt: retracted" in out and "unlock (button" in out
    assert "door: open" in lock.type("door open")


def test_bad_input_says_why_and_loses_nothing(start_console):
    lock = start_console()
    first_use(lock)
    lock.type("wait 15")
    out = lock.type("12", "frobnicate", "battery lots", "hold settings", "door open", "jam maybe")
    assert "?? unknown command 'frobnicate': type `help`" in out
    assert "?? give a level from 0 to 100. Usage: battery N" in out
    assert "Usage: hold settings|button|arm|bell N" in out
    assert "?? the bolt is thrown" in out and "say on or off" in out
    assert "?? 'a' is not on the keypad (0-9, * and #): nothing was typed" in lock.type("34a#")
    out = lock.type("3456#")  # the keys typed before the mistakes are still there
    assert "unlock by user 001" in out
    assert lock.console.lock.battery.level == 100


def test_help_lists_every_command_and_keys(start_console):
    lock = start_console()
    out = lock.type("help")
    for word in ("door open|close", "hold settings|button|arm|bell N", "wait N", "quit"):
        assert word in out
    assert lock.console.execute("quit") is False


def test_prompts_in_chinese_and_switching_language_D_MENU_2(start_console):
    lock = start_console(lang="zh")
    assert say(PromptId.ADD_MASTER_FIRST, "zh") in lock.type("1")
    assert "Usage: lang zh|en" in lock.type("lang fr")
    lock.type("lang en", "wait 31")
    assert say(PromptId.ADD_MASTER_FIRST, "en") in lock.type("1")


def test_added_commands_show_in_help_and_a_failing_store_is_reported_not_fatal(start_console):
    from smartlock.device.console import Command
    from smartlock.device.core.inputs import DoorbellKey

    lock = start_console()
    lock.console.add_command(
        Command(
            "ring", "ring", "ring through the runtime", lambda c, _: c.runtime.submit(DoorbellKey())
        )
    )
    assert "ring through the runtime" in lock.type("help")
    assert "chime: ding-dong" in lock.type("ring")
    lock.console.runtime.core.store.close()  # the flash died
    out = lock.type("ring", "status")
    assert "?? store_failed" in out and "door " in out  # said why, and still running
