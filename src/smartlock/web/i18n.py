"""String catalogues, one JSON file per language, shared by the templates and the JS.

Keeping both sides on one file per language means a translator edits one place and a
test can check that every language has every key.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from smartlock.credentials import PIN_MAX, PIN_MIN

# Filled into every string at load time, so the pages and the JS say the lengths the
# lock and the cloud check (D-USER-4, A-TEMP) and no catalogue spells them again.
RULES = {"{pin_min}": str(PIN_MIN), "{pin_max}": str(PIN_MAX)}

LANGUAGES: tuple[str, ...] = ("en", "zh")
DEFAULT = "en"
COOKIE = "smartlock_lang"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every string of ``lang``; unknown languages get the default one."""
    if lang not in LANGUAGES:
        lang = DEFAULT
    text = resources.files("smartlock.web").joinpath(f"static/i18n/{lang}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    for key, value in data.items():
        for name, rule in RULES.items():
            value = value.replace(name, rule)
        data[key] = value
    return data


def pick(cookie: str | None, accept_language: str | None) -> str:
    """The cookie wins; else the browser's first supported language; else English."""
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


def translator(lang: str) -> Any:
    """``t(key, **vars)`` for templates; a missing key shows itself (easy to spot)."""
    strings = catalogue(lang)

    def t(key: str, **values: object) -> str:
        text = strings.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    return t
