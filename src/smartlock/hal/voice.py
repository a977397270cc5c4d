"""Spoken prompts through espeak-ng, for lock hardware without a voice chip.

Why espeak-ng: the well-kept offline speech synthesiser of Debian and Raspberry Pi OS
(`apt install espeak-ng`), with English and Mandarin voices; nothing leaves the lock.
Speaking must never block the lock, so each prompt runs in its own process, and a new
prompt cuts the one still playing (a lock's voice says the latest thing, not a queue).
The voice follows the text: prompts with Chinese characters use the Mandarin voice, so
a change of the lock's language setting needs nothing here.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

VOICES = {"en": "en", "zh": "cmn"}


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class EspeakVoice:
    """A `tts` callable for `hal.rpi.build_rpi_hardware` (or any speaker part)."""

    def __init__(
        self,
        binary: str | None = None,
        *,
        speed_wpm: int = 150,
        wav_out: Path | None = None,
    ) -> None:
        """`binary`: espeak-ng's path (default: found on PATH; missing → silent, logged).
        `wav_out`: write each prompt to this WAV file instead of the sound card (tests,
        or a board whose audio is played by another process).
        """
        self.binary = binary if binary is not None else shutil.which("espeak-ng")
        self.speed_wpm = speed_wpm
        self.wav_out = wav_out
        self._playing: subprocess.Popen[bytes] | None = None
        if self.binary is None:
            log.warning("espeak-ng not found: prompts are shown, not spoken")

    @property
    def available(self) -> bool:
        return self.binary is not None

    def argv(self, text: str) -> list[str]:
        """The espeak-ng command for one prompt (the text after `--`: never an option)."""
        assert self.binary is not None
        voice = VOICES["zh"] if _is_chinese(text) else VOICES["en"]
        out = ["-w", str(self.wav_out)] if self.wav_out is not None else []
        return [self.binary, "-v", voice, "-s", str(self.speed_wpm), *out, "--", text]

    def __call__(self, text: str) -> None:
        if self.binary is None or not text.strip():
            return
        self.stop()
        try:
            self._playing = subprocess.Popen(  # noqa: S603 - fixed binary, text after "--"
                self.argv(text), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:  # the binary vanished or cannot run: stay quiet, say why
            log.error("cannot speak %r: %s", text, exc)
            self._playing = None

    def stop(self) -> None:
        """Cut the prompt still playing, if any."""
        if self._playing is not None and self._playing.poll() is None:
            self._playing.terminate()
        self._playing = None

    def wait(self, timeout_s: float = 10.0) -> None:
        """Block until the current prompt is done (tests, shutdown)."""
        if self._playing is not None:
            self._playing.wait(timeout_s)
