"""Credential formats and lengths, written once for every layer (lock, link, cloud, web).

The lock checks them when a credential is added (D-USER-4, A-TEMP) and when it reads
the keypad (D-KEY-VIRTUAL); the cloud, Home Assistant's discovery document and the
web forms check the same rules before a request leaves for the lock. A temporary
password is a password (spec D-USER-4: 6-10 digits); it is only typed exactly.
"""

from __future__ import annotations

PIN_MIN, PIN_MAX = 6, 10  # D-USER-4: a password's digits
TEMP_MIN, TEMP_MAX = PIN_MIN, PIN_MAX  # A-TEMP: a temporary password is a password
VIRTUAL_MAX = 20  # D-KEY-VIRTUAL: the longest keypad entry, padding included

PIN_PATTERN = rf"^[0-9]{{{PIN_MIN},{PIN_MAX}}}$"
"""A password or temporary password, as a whole-string regular expression."""

PIN_INPUT_PATTERN = rf"[0-9]{{{PIN_MIN},{PIN_MAX}}}"
"""The same for an HTML `pattern` attribute (which is anchored by the browser)."""

OPTIONAL_PIN_PATTERN = rf"^(\d{{{PIN_MIN},{PIN_MAX}}})?$"
"""A password or nothing: Home Assistant's `code_format` (locking needs no code)."""


def is_pin(digits: str) -> bool:
    """ASCII digits of a password's length (D-USER-4); also a temporary password's."""
    return digits.isascii() and digits.isdigit() and PIN_MIN <= len(digits) <= PIN_MAX
