"""The voice prompt catalogue in Chinese (zh) and English (en) (D-MENU-2).

The core emits `Prompt(PromptId, args)`; the speaker (or console) renders it with
`render`. The ids are `prompt_ids`, the wording `prompt_texts`.

>>> render(PromptId.USER_NUMBER, "en", user_no=3)
'User number 003'
>>> render(PromptId.LOCKED_OUT, "zh", minutes=3)
'系统已锁定，请3分钟后再试'
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from smartlock.device.core.prompt_ids import PromptId
from smartlock.device.core.prompt_texts import REASON_TEXTS, TEXTS
from smartlock.errors import InputError

__all__ = ["CATALOGUE", "LANGUAGES", "REASON_WORDS", "PromptId", "placeholders", "render"]

LANGUAGES = ("zh", "en")

CATALOGUE: Mapping[PromptId, Mapping[str, str]] = {
    prompt_id: dict(zip(LANGUAGES, texts, strict=True)) for prompt_id, texts in TEXTS.items()
}
# A `reason` argument is a code (enrolment `Problem` values); it is spoken as words.
REASON_WORDS: Mapping[str, Mapping[str, str]] = {
    reason: dict(zip(LANGUAGES, texts, strict=True)) for reason, texts in REASON_TEXTS.items()
}


def placeholders(prompt_id: PromptId, lang: str) -> frozenset[str]:
    """The argument names a prompt's text needs."""
    fields = string.Formatter().parse(CATALOGUE[prompt_id][lang])
    return frozenset(name for _, name, _, _ in fields if name)


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
