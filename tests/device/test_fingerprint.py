"""Fingerprint enrolment and unlock in the core, fed the module's reports by hand.

Rules proved here (named in the tests' names): D-FINGER-1, D-FINGER-ENROL,
D-FINGER-DUP, D-FINGER-DELETE, D-FINGER-OPEN, D-FINGER-LOCKOUT, D-FINGER-DURESS,
D-FINGER-ANTI, D-FINGER-NAME, D-FINGER-PRIV. The byte-level module is in
tests/hal/test_fingerprint_module.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from smartlock.device.core.effects import (
    PERCEPTIBLE,
    Effect,
    FingerCommand,
)
from smartlock.device.core.finger_enrol import STEP_TIMEOUT_S, TABLE, diagram
from smartlock.device.core.fingerprint import slot_for
from smartlock.device.core.inputs import (
    FactoryReset,
    FingerCaptured,
    FingerFault,
    FingerLifted,
    FingerMatched,
    FingerNotFound,
    FingerSensor,
    FingerStored,
    RemoteAction,
    SettingsKey,
)
from smartlock.device.core.menu_table import Node
from smartlock.device.core.prompts import PromptId
from smartlock.vocab import CredentialType, EventKind, FingerOp, FingerProblem, Method, Source

from .rig import MASTER_PIN, Rig, events, prompts, unlocks


def commands(effects: Sequence[Effect]) -> list[FingerCommand]:
    return [e for e in effects if isinstance(e, FingerCommand)]


def presses(rig: Rig, slot: int, *, found: int | None = None) -> list[Effect]:
    """The module's reports for a good two-press enrolment into `slot`."""
    out = rig.feed(FingerCaptured(1, found))
    out += rig.feed(FingerLifted())
    out += rig.feed(FingerCaptured(2))
    return out + rig.feed(FingerStored(slot))


def finger_creds(rig: Rig, user_no: int) -> list[tuple[CredentialType, bool]]:
    view = next(u for u in rig.core.users() if u.number == user_no)
    kind = CredentialType.FINGERPRINT
    return [(c.cred_type, c.duress) for c in view.credentials if c.cred_type is kind]


@pytest.fixture
def rig() -> Rig:
    """Master 001 with a password, normal user 002 with a password; 001's finger enrolled."""
    r = Rig()
    r.first_master()
    r.add_user_with_pin("222222")
    r.menu_login()
    r.keys("2001#14")
    presses(r, slot_for(1, False))
    r.keys("****")
    r.wait(31)
    return r


# --------------------------------------------------------------------- enrolment


def test_menu_enrolment_guides_place_lift_again_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    out = rig.keys("2001#14")
    assert prompts(out)[-1] is PromptId.FINGER_PLACE
    assert commands(out) == [FingerCommand(FingerOp.CAPTURE, press=1)]
    out = rig.feed(FingerCaptured(1))
    assert prompts(out) == [PromptId.FINGER_LIFT]
    assert commands(out) == [FingerCommand(FingerOp.AWAIT_LIFT)]
    out = rig.feed(FingerLifted())
    assert prompts(out) == [PromptId.FINGER_AGAIN]
    assert commands(out) == [FingerCommand(FingerOp.CAPTURE, press=2)]
    out = rig.feed(FingerCaptured(2))
    assert commands(out) == [FingerCommand(FingerOp.STORE, slots=frozenset({0}))]
    out = rig.feed(FingerStored(0))
    assert PromptId.FINGER_ENROLLED in prompts(out)
    assert commands(out)[-1] == FingerCommand(FingerOp.SCAN)
    added = events(out, EventKind.CREDENTIAL_ADDED)[0]
    assert added.details["cred_type"] == CredentialType.FINGERPRINT and added.source is Source.MENU
    assert finger_creds(rig, 1) == [(CredentialType.FINGERPRINT, False)]
    assert rig.core.menu is not None and rig.core.menu.node is Node.ADD_CRED  # back to the list


def test_new_user_from_the_menu_with_only_a_fingerprint_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("124")  # new normal user 002 -> fingerprint
    out = presses(rig, slot_for(2, False))
    assert [e.kind for e in events(out)][:2] == [EventKind.USER_ADDED, EventKind.CREDENTIAL_ADDED]
    assert finger_creds(rig, 2) == [(CredentialType.FINGERPRINT, False)]


def test_a_module_that_takes_three_presses_is_guided_through_three_D_FINGER_ENROL() -> None:
    from smartlock.device.core import LockCore
    from smartlock.device.core.records import Identity
    from smartlock.device.core.reference_matcher import EuclideanMatcher

    core = LockCore.new(
        Identity("SL-TEST-0003", "VC1234"), b"s" * 32, matcher=EuclideanMatcher(), finger_presses=3
    )
    rig = Rig(core)
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    said: list[PromptId] = []
    for press in (1, 2):
        said += prompts(rig.feed(FingerCaptured(press)))
        said += prompts(rig.feed(FingerLifted()))
    out = rig.feed(FingerCaptured(3))
    assert said == [PromptId.FINGER_LIFT, PromptId.FINGER_AGAIN] * 2
    assert commands(out) == [FingerCommand(FingerOp.STORE, slots=frozenset({0}))]
    assert PromptId.FINGER_ENROLLED in prompts(rig.feed(FingerStored(0)))


def test_a_lock_without_a_sensor_refuses_fingerprint_enrolment_D_FINGER_HW(rig: Rig) -> None:
    rig.feed(FingerSensor(present=False))
    rig.menu_login()
    out = rig.keys("2002#14")
    assert PromptId.NO_FINGERPRINT_SENSOR in prompts(out) and not commands(out)
    rig.keys("****")
    refused = rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=2)
    assert not refused.ok and refused.code == "no_fingerprint_sensor"
    assert finger_creds(rig, 1) == [(CredentialType.FINGERPRINT, False)]  # kept (D-USER-3)


def test_the_sensor_says_how_many_presses_it_takes_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.feed(FingerSensor(present=True, presses=3))
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    rig.feed(FingerCaptured(1), FingerLifted())
    out = rig.feed(FingerCaptured(2))
    assert commands(out) == [FingerCommand(FingerOp.AWAIT_LIFT)]  # a third press to come


def test_a_bad_image_asks_for_the_same_press_again_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    out = rig.feed(FingerFault(FingerProblem.BAD_IMAGE))
    assert prompts(out) == [PromptId.FINGER_RETRY]
    assert commands(out) == [FingerCommand(FingerOp.CAPTURE, press=1)]
    assert PromptId.FINGER_ENROLLED in prompts(presses(rig, 0))


def test_presses_of_different_fingers_fail_with_the_reason_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    rig.feed(FingerCaptured(1), FingerLifted(), FingerCaptured(2))
    before = rig.core.state.credentials
    out = rig.feed(FingerFault(FingerProblem.PRESSES_DIFFER))
    failed = [e for e in out if getattr(e, "prompt_id", None) is PromptId.FINGER_FAILED]
    assert failed[0].args["reason"] == "presses_differ"  # type: ignore[attr-defined]
    assert commands(out) == [FingerCommand(FingerOp.SCAN)]
    assert rig.core.state.credentials == before and rig.core.finger_enrol is None


def test_each_step_times_out_and_star_cancels_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    rig.feed(FingerCaptured(1))
    out = rig.wait(STEP_TIMEOUT_S)
    failed = [e for e in out if getattr(e, "prompt_id", None) is PromptId.FINGER_FAILED]
    assert failed[0].args["reason"] == "timeout"  # type: ignore[attr-defined]
    assert FingerCommand(FingerOp.SCAN) in out
    rig.keys("4")  # the menu is back at the credential list: start again, then `*`
    out = rig.keys("*")
    assert FingerCommand(FingerOp.SCAN) in out and rig.core.finger_enrol is None
    assert PromptId.FINGER_FAILED not in prompts(out)  # a cancel is not a failure


def test_a_slow_enrolment_keeps_the_menu_open_D_FINGER_ENROL() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    for report in (FingerCaptured(1), FingerLifted(), FingerCaptured(2)):
        rig.wait(9)  # each step just inside its 10 s; 27 s in all, then the merge
        rig.feed(report)
    rig.wait(9)
    out = rig.feed(FingerStored(0))
    assert PromptId.FINGER_ENROLLED in prompts(out) and rig.core.menu is not None


def test_the_menu_leaves_an_app_enrolment_alone_D_FINGER_ENROL(rig: Rig) -> None:
    assert rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=2).ok
    rig.menu_login()
    rig.keys("*")  # in and out of the menu while the person at the door enrols
    assert rig.core.menu is None and rig.core.finger_enrol is not None
    assert PromptId.FINGER_ENROLLED in prompts(presses(rig, slot_for(2, False)))


def test_a_module_that_stops_answering_fails_the_enrolment_clearly_D_FINGER_HW() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#14")
    out = rig.feed(FingerFault(FingerProblem.NO_ANSWER))
    failed = [e for e in out if getattr(e, "prompt_id", None) is PromptId.FINGER_FAILED]
    assert failed[0].args["reason"] == "no_answer"  # type: ignore[attr-defined]
    assert rig.core.finger_enrol is None


def test_one_fingerprint_per_user_D_FINGER_1(rig: Rig) -> None:
    rig.menu_login()
    out = rig.keys("2001#14")
    assert PromptId.HAS_FINGERPRINT in prompts(out) and not commands(out)
    refused = rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=1)
    assert not refused.ok  # the menu is open: busy
    rig.keys("****")
    refused = rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=1)
    assert not refused.ok and refused.code == "has_fingerprint"


def test_a_finger_enrolled_for_anyone_is_refused_at_the_first_press_D_FINGER_DUP(
    rig: Rig,
) -> None:
    rig.menu_login()
    rig.keys("2002#14")
    before = rig.core.state.credentials
    out = rig.feed(FingerCaptured(1, found_slot=slot_for(1, False)))
    assert PromptId.FINGER_EXISTS in prompts(out)
    assert not any(c.op is FingerOp.STORE for c in commands(out))
    assert rig.core.state.credentials == before


def test_a_stale_template_is_no_duplicate_D_FINGER_DUP(rig: Rig) -> None:
    rig.menu_login()
    rig.keys("2002#14")
    out = presses(rig, slot_for(2, False), found=77)  # slot 77: nobody's credential
    assert PromptId.FINGER_ENROLLED in prompts(out)


def test_app_enrolment_starts_at_the_lock_D_FINGER_ENROL(rig: Rig) -> None:
    result = rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=2)
    assert result.ok and result.data == {"user_no": 2}
    assert prompts(rig.history)[-1] is PromptId.FINGER_PLACE
    assert FingerCommand(FingerOp.CAPTURE, press=1) in rig.history
    out = presses(rig, slot_for(2, False))
    added = events(out, EventKind.CREDENTIAL_ADDED)[0]
    assert added.source is Source.REMOTE and added.user_no == 2
    assert finger_creds(rig, 2) == [(CredentialType.FINGERPRINT, False)]


def test_an_app_enrolment_that_fails_tells_the_app_why_D_FINGER_ENROL(rig: Rig) -> None:
    assert rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=2).ok
    out = rig.wait(STEP_TIMEOUT_S)
    failed = events(out, EventKind.FINGERPRINT_ENROL_FAILED)
    assert [(e.user_no, e.source, e.details["reason"]) for e in failed] == [
        (2, Source.REMOTE, "timeout")
    ]
    assert rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=2).ok
    out = rig.feed(FingerCaptured(1, found_slot=slot_for(1, False)))  # 001's finger
    assert events(out, EventKind.FINGERPRINT_ENROL_FAILED)[0].details["reason"] == "duplicate"


def test_a_menu_enrolment_that_fails_is_told_at_the_lock_only_D_FINGER_ENROL(rig: Rig) -> None:
    rig.menu_login()
    rig.keys("2002#14")
    out = rig.wait(STEP_TIMEOUT_S)
    assert PromptId.FINGER_FAILED in prompts(out)
    assert not events(out, EventKind.FINGERPRINT_ENROL_FAILED)


# ------------------------------------------------------------------- unlocking


def test_a_matched_finger_unlocks_and_shows_the_user_D_FINGER_OPEN(rig: Rig) -> None:
    out = rig.feed(FingerMatched(slot_for(1, False), confidence=180))
    unlock = unlocks(out)[0]
    assert unlock.user_no == 1
    assert unlock.method is Method.FINGERPRINT and unlock.source is Source.FINGERPRINT  # NAME
    assert PromptId.UNLOCKED in prompts(out)


def test_a_finger_is_the_verification_after_the_mechanical_key_D_FINGER_OPEN(rig: Rig) -> None:
    from smartlock.device.core.inputs import MechanicalKey

    rig.feed(MechanicalKey())
    assert rig.core.state.mech_pending  # D-MECH: verify once before anything else
    rig.wait(60)
    rig.feed(FingerMatched(slot_for(1, False)))
    assert not rig.core.state.mech_pending


def test_a_master_finger_opens_the_menu_after_the_settings_key_D_FINGER_OPEN(rig: Rig) -> None:
    rig.feed(SettingsKey(0.2))
    out = rig.feed(FingerMatched(slot_for(1, False)))
    assert not unlocks(out) and rig.core.menu is not None
    assert PromptId.MENU_MAIN in prompts(out)


def test_unknown_fingers_count_toward_the_lockout_with_passwords_D_FINGER_LOCKOUT(
    rig: Rig,
) -> None:
    rig.keys("999999#")
    rig.keys("888888#")
    for _ in range(2):
        out = rig.feed(FingerNotFound())
        assert PromptId.VERIFY_FAILED in prompts(out)
        assert events(out, EventKind.UNLOCK_FAILED)[0].method is Method.FINGERPRINT
    out = rig.feed(FingerNotFound())  # the fifth failure in a row, of any kind
    assert events(out, EventKind.LOCKOUT)
    out = rig.feed(FingerMatched(slot_for(1, False)))  # now even a good finger is refused
    assert not unlocks(out) and PromptId.LOCKED_OUT in prompts(out)


def test_a_good_finger_resets_the_count_and_a_bad_image_is_no_attempt_D_FINGER_LOCKOUT(
    rig: Rig,
) -> None:
    for _ in range(4):
        rig.feed(FingerNotFound())
    rig.feed(FingerFault(FingerProblem.BAD_IMAGE))  # not judged: not counted
    assert unlocks(rig.feed(FingerMatched(slot_for(1, False))))
    for _ in range(4):
        rig.feed(FingerNotFound())
    assert not rig.core.locked_out


def test_a_duress_finger_unlocks_alike_and_alerts_the_app_D_FINGER_DURESS(rig: Rig) -> None:
    rig.menu_login()
    rig.keys("2002#133")  # user 002 -> add -> duress key -> fingerprint
    presses(rig, slot_for(2, True))
    rig.keys("****")
    rig.wait(31)
    rig.add_user_with_pin("333333")
    rig.menu_login()
    rig.keys("2003#14")
    presses(rig, slot_for(3, False))
    rig.keys("****")
    rig.wait(60)
    duress = rig.feed(FingerMatched(slot_for(2, True)))
    rig.wait(60)
    normal = rig.feed(FingerMatched(slot_for(3, False)))
    assert events(duress, EventKind.DURESS)[0].method is Method.FINGERPRINT
    assert not events(normal, EventKind.DURESS)

    def seen(out: list[Effect]) -> list[object]:  # what the person sees, user number aside
        return [type(e) for e in out if isinstance(e, PERCEPTIBLE)]

    assert seen(duress) == seen(normal)


def test_anti_lock_mode_refuses_a_normal_users_finger_D_FINGER_ANTI(rig: Rig) -> None:
    rig.menu_login()
    rig.keys("2002#14")
    presses(rig, slot_for(2, False))
    rig.keys("****")
    assert rig.remote(RemoteAction.SET_MODE, mode="anti_lock", on=True).ok
    rig.wait(60)
    out = rig.feed(FingerMatched(slot_for(2, False)))
    assert not unlocks(out) and PromptId.ANTI_LOCK_REFUSED in prompts(out)
    assert events(out, EventKind.UNLOCK_REFUSED)[0].method is Method.FINGERPRINT
    rig.wait(60)
    assert unlocks(rig.feed(FingerMatched(slot_for(1, False))))  # a master's still opens


# -------------------------------------------------------------------- deletion


def test_deleting_a_fingerprint_takes_its_template_off_the_module_D_FINGER_DELETE(
    rig: Rig,
) -> None:
    rig.menu_login()
    out = rig.keys("2001#24#")  # user 001 -> delete -> fingerprint -> confirm
    assert FingerCommand(FingerOp.DELETE, slots=frozenset({0})) in out
    assert finger_creds(rig, 1) == []
    rig.keys("****")
    rig.wait(60)
    out = rig.feed(FingerMatched(0))  # a template the module still had: a failure, cleaned
    assert not unlocks(out) and events(out, EventKind.UNLOCK_FAILED)
    assert FingerCommand(FingerOp.DELETE, slots=frozenset({0})) in out


def test_the_app_deregistering_a_user_deletes_their_fingers_D_FINGER_DELETE(rig: Rig) -> None:
    rig.remote(RemoteAction.ENROL_FINGERPRINT, user_no=2)
    presses(rig, slot_for(2, False))
    assert finger_creds(rig, 2)
    mark = len(rig.history)
    assert rig.remote(RemoteAction.DEREGISTER_USER, user_no=2).ok
    assert FingerCommand(FingerOp.DELETE, slots=frozenset({2})) in rig.history[mark:]


def test_a_refused_command_leaves_the_module_alone_D_FINGER_DELETE(rig: Rig) -> None:
    cred = next(c for c in rig.core.users()[0].credentials if c.cred_type is CredentialType.PIN)
    mark = len(rig.history)
    refused = rig.remote(RemoteAction.DELETE_CREDENTIAL, user_no=1, cred_id=cred.cred_id)
    assert not refused.ok  # the last master's password stays (D-USER-6)
    assert not commands(rig.history[mark:])
    assert finger_creds(rig, 1) == [(CredentialType.FINGERPRINT, False)]


def test_boot_and_factory_reset_keep_only_enrolled_templates_D_FINGER_DELETE(rig: Rig) -> None:
    restored = Rig.restored(rig.core.state, rig.now + 5)
    boot = [e for e in restored.history if isinstance(e, FingerCommand)]
    assert boot == [FingerCommand(FingerOp.KEEP_ONLY, slots=frozenset({0}))]
    out = restored.feed(FactoryReset())
    assert FingerCommand(FingerOp.DELETE, slots=frozenset({0})) in out
    assert FingerCommand(FingerOp.KEEP_ONLY) in out  # and any stale one with them


# ------------------------------------------------------------- privacy, table


def test_nothing_about_a_finger_but_its_user_leaves_the_core_D_FINGER_PRIV(rig: Rig) -> None:
    out = rig.feed(FingerMatched(slot_for(1, False), confidence=180))
    unlock = unlocks(out)[0].to_dict()
    assert "slot" not in str(unlock["details"]) and "confidence" not in str(unlock["details"])
    assert rig.core.status().to_dict()["last_event"]["method"] == "fingerprint"


def test_the_enrolment_table_is_drawn_and_every_stage_can_end_D_FINGER_ENROL() -> None:
    text = diagram()
    assert text.startswith("stateDiagram-v2") and "place --> lift: captured" in text
    stages = {src for src, _ in TABLE}
    for stage in stages:
        assert (stage, next(e for s, e in TABLE if s is stage)) in TABLE
        assert any(s is stage and e.value == "cancel" for s, e in TABLE)


def test_the_docs_show_the_enrolment_table_as_it_is_D_FINGER_ENROL() -> None:
    from pathlib import Path

    doc = Path(__file__).parents[2] / "docs" / "fingerprint.md"
    assert diagram() in doc.read_text(encoding="utf-8")
    assert diagram().count("-->") == len(TABLE)


def test_master_pin_still_opens_alongside_fingers(rig: Rig) -> None:
    assert unlocks(rig.keys(f"{MASTER_PIN}#"))
