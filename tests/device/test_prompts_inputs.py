"""The prompt catalogue (D-MENU-2) and self-checking inputs (bad input: clear error)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import smartlock.device as device
from smartlock.device.core.inputs import BatteryLevel, FaceSeen, KeyPress, SettingsKey, Tick
from smartlock.device.core.prompts import CATALOGUE, LANGUAGES, PromptId, placeholders, render
from smartlock.device.core.settings import DESCRIPTORS, Settings
from smartlock.errors import ErrorCode, InputError

from .rig import Rig


def _prompt_ids_used_in_source() -> set[str]:
    used: set[str] = set()
    for path in Path(device.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            is_attr = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_attr and node.value.id == "PromptId":  # type: ignore[attr-defined]
                used.add(node.attr)  # type: ignore[attr-defined]
    return used


def test_every_prompt_the_core_can_emit_exists_in_zh_and_en_D_MENU_2() -> None:
    used = _prompt_ids_used_in_source()
    assert used, "no PromptId found in the device sources"
    for name in used:
        prompt = PromptId[name]
        for lang in LANGUAGES:
            assert CATALOGUE[prompt][lang]
    assert set(CATALOGUE) == set(PromptId)


@pytest.mark.parametrize("prompt", list(PromptId))
def test_both_languages_take_the_same_arguments_D_MENU_2(prompt: PromptId) -> None:
    assert placeholders(prompt, "zh") == placeholders(prompt, "en")
    args = {
        name: 7 if name in ("user_no", "minutes") else "x" for name in placeholders(prompt, "en")
    }
    for lang in LANGUAGES:
        assert render(prompt, lang, **args)


def test_chinese_wording_follows_the_manual_D_MENU_2() -> None:
    assert render(PromptId.FACE_RIGHT, "zh") == "请微微偏向右侧"
    assert render(PromptId.FACE_ENROLLED, "zh") == "录入成功"
    assert render(PromptId.USER_NUMBER, "en", user_no=3) == "User number 003"


def test_render_refuses_unknown_prompt_language_or_missing_argument() -> None:
    with pytest.raises(InputError, match="no prompt"):
        render("nope", "en")
    with pytest.raises(InputError, match="no 'fr'"):
        render(PromptId.SUCCESS, "fr")
    with pytest.raises(InputError, match="needs arguments"):
        render(PromptId.LOCKED_OUT, "en")


def test_emitted_prompts_render_in_both_languages_in_a_long_scenario() -> None:
    from .test_store import _rich_rig

    rig = _rich_rig()
    for effect in rig.history:
        if isinstance(effect, device.core.effects.Prompt):
            for lang in LANGUAGES:
                render(effect.prompt_id, lang, **effect.args)


@pytest.mark.parametrize(
    "build",
    [
        lambda: KeyPress("a"),
        lambda: KeyPress("12"),
        lambda: Tick(float("nan")),
        lambda: BatteryLevel(101),
        lambda: BatteryLevel(True),
        lambda: SettingsKey(-1),
        lambda: FaceSeen(()),
        lambda: FaceSeen((0.1, float("inf"))),
        lambda: FaceSeen((0.1,), quality=2.0),
    ],
)
def test_bad_inputs_are_refused_when_built(build: object) -> None:
    with pytest.raises(InputError):
        build()  # type: ignore[operator]


def test_handle_refuses_a_non_input_and_changes_nothing() -> None:
    rig = Rig()
    before, seq = rig.core.state, rig.core.state.next_seq
    with pytest.raises(InputError) as err:
        rig.core.handle("123456#")  # type: ignore[arg-type]
    assert err.value.code is ErrorCode.BAD_INPUT
    assert rig.core.state is before and rig.core.state.next_seq == seq


def test_settings_descriptors_list_every_setting_with_defaults() -> None:
    defaults = Settings()
    names = [d.name for d in DESCRIPTORS]
    assert names == list(defaults.to_dict())
    for d in DESCRIPTORS:
        assert getattr(defaults, d.name) == d.default
        assert d.to_dict()["help"]
    assert defaults.auto_relock_s == 5 and defaults.watch_window_s == 30
    with pytest.raises(InputError) as err:
        defaults.with_value("watch_window_s", 61)
    assert err.value.code is ErrorCode.BAD_SETTING_VALUE
    with pytest.raises(InputError) as err:
        defaults.with_value("colour", "red")
    assert err.value.code is ErrorCode.UNKNOWN_SETTING


def test_enrolment_failure_reasons_are_spoken_as_words_in_both_languages() -> None:
    from smartlock.device.core.enrol import Problem
    from smartlock.device.core.prompts import REASON_WORDS
    from smartlock.vocab import FingerProblem

    faces = {p.value for p in Problem}
    fingers = {p.value for p in FingerProblem} | {"timeout"}  # D-FINGER-ENROL
    assert set(REASON_WORDS) == faces | fingers  # every reason has words
    en = render(PromptId.FACE_FAILED, "en", reason="two_faces")
    assert en == "Face enrolment failed: more than one person in view"
    assert "two_faces" not in render(PromptId.FACE_FAILED, "zh", reason="two_faces")
