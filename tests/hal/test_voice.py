"""The lock's voice on hardware without a voice chip: espeak-ng (Debian package).

Real synthesis, written to a WAV file instead of the sound card (no speaker in CI).
"""

from __future__ import annotations

import os
import shutil
import wave
from pathlib import Path

import pytest

from smartlock.device.core.prompts import PromptId, render
from smartlock.hal.voice import EspeakVoice

ESPEAK = shutil.which("espeak-ng")
# Skipped only off CI: .ci/run installs espeak-ng, and there a missing one must fail.
needs_espeak = pytest.mark.skipif(
    ESPEAK is None and not os.environ.get("CI"), reason="espeak-ng not installed"
)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


@needs_espeak
def test_prompts_are_spoken_in_english_and_mandarin(tmp_path: Path) -> None:
    wav = tmp_path / "prompt.wav"
    voice = EspeakVoice(wav_out=wav)
    for lang in ("en", "zh"):
        text = render(PromptId.FACE_ONE_PERSON, lang)
        voice(text)
        voice.wait()
        assert _seconds(wav) > 0.5, f"nothing said for {text!r}"
        wav.unlink()
    assert voice.argv("请一次一人识别")[2] == "cmn"
    assert voice.argv("Welcome")[2] == "en"


@needs_espeak
def test_text_that_looks_like_an_option_is_spoken_not_obeyed(tmp_path: Path) -> None:
    wav = tmp_path / "prompt.wav"
    voice = EspeakVoice(wav_out=wav)
    voice("--version")
    voice.wait()
    assert _seconds(wav) > 0.2  # it said the words "version", it did not print a version


def test_without_espeak_the_lock_stays_quiet_and_works(tmp_path: Path) -> None:
    voice = EspeakVoice(binary=None)
    if ESPEAK is None:
        assert not voice.available
    quiet = EspeakVoice(binary=str(tmp_path / "no-such-espeak"))
    quiet("Welcome")  # logged, not raised: a lock must not stop for its voice
    quiet.wait()
