"""The fingerprint sensor from the console: the whole shell, the real driver and the
simulated module behind it (only the hardware is simulated).

Rules proved here (named in the tests' names): D-FINGER-ENROL, D-FINGER-OPEN,
D-FINGER-DUP, D-FINGER-DELETE, D-FINGER-LOCKOUT, D-FINGER-HW, D-FINGER-NAME.
"""

from __future__ import annotations

from smartlock.device.core.prompts import PromptId, render

MASTER_PIN = "123456"


def say(prompt: PromptId, **args: object) -> str:
    return f"speaker: {render(prompt, 'en', **args)}"


def master_with_finger(session, finger: int = 6) -> str:
    session.type("1", "#", f"{MASTER_PIN}#", f"{MASTER_PIN}#")
    out = session.type("settings", f"{MASTER_PIN}#", "2", "001#", "1", "4")
    out += session.type(f"finger {finger}", f"finger {finger}")
    return out + session.type("*", "*", "*", "*", "wait 31")


def test_enrol_from_the_menu_with_two_presses_then_unlock_D_FINGER_ENROL(start_console):
    lock = start_console()
    out = master_with_finger(lock)
    place, lift = say(PromptId.FINGER_PLACE), say(PromptId.FINGER_LIFT)
    again, done = say(PromptId.FINGER_AGAIN), say(PromptId.FINGER_ENROLLED)
    assert out.index(place) < out.index(lift) < out.index(again) < out.index(done)
    assert "credential_added by user 001" in out
    out = lock.type("finger 6")
    assert "unlock by user 001 (fingerprint, fingerprint)" in out  # D-FINGER-OPEN, NAME
    assert "display: 001" in out and "bolt: retracted" in out


def test_the_template_survives_a_restart_in_the_modules_flash_D_FINGER_HW(start_console, tmp_path):
    first = start_console(data_dir=tmp_path / "lock")
    master_with_finger(first)
    at = first.close()
    again = start_console(at=at + 5, data_dir=tmp_path / "lock")
    assert "unlock by user 001 (fingerprint" in again.type("wait 31", "finger 6")


def test_a_wrong_finger_fails_and_five_lock_out_D_FINGER_LOCKOUT(start_console):
    lock = start_console()
    master_with_finger(lock)
    out = lock.type("finger 2")
    assert say(PromptId.VERIFY_FAILED) in out and "unlock_failed" in out
    out = lock.type("finger 2", "finger 2", "finger 2", "finger 2")
    assert "lockout" in out
    assert say(PromptId.LOCKED_OUT, minutes=3) in lock.type("finger 6")


def test_the_same_finger_for_another_user_is_refused_D_FINGER_DUP(start_console):
    lock = start_console()
    master_with_finger(lock)
    out = lock.type("settings", f"{MASTER_PIN}#", "1", "2", "4", "finger 6")
    assert say(PromptId.FINGER_EXISTS) in out and "user_added" not in out


def test_deleting_in_the_menu_removes_the_template_D_FINGER_DELETE(start_console):
    lock = start_console()
    master_with_finger(lock)
    assert lock.console.lock.fingerprint.module.library  # the module holds it
    out = lock.type("settings", f"{MASTER_PIN}#", "2", "001#", "2", "4", "#")
    assert "credential_deleted by user 001" in out
    assert lock.console.lock.fingerprint.module.library == {}
    lock.type("*", "*", "*", "wait 31")
    assert "unlock by" not in lock.type("finger 6")


def test_a_silent_sensor_fails_enrolment_with_a_clear_reason_D_FINGER_HW(start_console):
    lock = start_console()
    lock.type("1", "#", f"{MASTER_PIN}#", f"{MASTER_PIN}#")
    lock.type("finger silent")
    out = lock.type("settings", f"{MASTER_PIN}#", "2", "001#", "1", "4", "finger 6")
    assert say(PromptId.FINGER_FAILED, reason="no_answer") in out
    assert say(PromptId.MENU_CREDENTIAL, user_no=1) in out  # back at the list, no hang
    assert "unlock by user 001 (password" in lock.type("*", "*", "*", "*", f"{MASTER_PIN}#")


def test_status_counts_the_templates_in_the_module_D_FINGER_HW(start_console):
    lock = start_console()
    master_with_finger(lock)
    assert "templates in the module: 1" in lock.type("status")
    assert "(sensor silent)" in lock.type("finger silent", "status")


def test_the_console_explains_a_bad_finger_command(start_console):
    lock = start_console()
    assert "Usage: finger N" in lock.type("finger 12x")
    assert "0-9" in lock.type("finger 12")


def test_the_runtime_tells_the_core_whether_there_is_a_sensor_D_FINGER_HW(tmp_path):
    import dataclasses

    from smartlock.device import open_lock
    from smartlock.device.runtime import FastForwardClock, LockRuntime
    from smartlock.hal.virtual import VirtualLock
    from smartlock.hardware import ButtonId

    durable = open_lock(tmp_path / "lock.db", serial="SL-NOFP", verification_code="ABC123")
    lock = VirtualLock()
    without = dataclasses.replace(lock.hardware, fingerprint=None)  # the spec's own model
    runtime = LockRuntime(core=durable, hardware=without, clock=FastForwardClock())
    runtime.boot()
    assert not durable.core.finger_present
    lock.keypad.type(f"1#{MASTER_PIN}#{MASTER_PIN}#")
    lock.press(ButtonId.SETTINGS)
    lock.keypad.type(f"{MASTER_PIN}#2001#14")
    assert lock.speaker.said[-1] == render(PromptId.NO_FINGERPRINT_SENSOR, "en")
    durable.store.close()
