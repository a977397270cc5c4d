"""The honest evaluation split: a tuning half and a report half of a photo folder, by name.

Every threshold, margin and gate parameter is chosen on the *tuning* half; the figures
the README and docs/face.md quote are measured on the *report* half, whose people no
choice has seen. The half of a person is a fixed hash of their folder name, so the split
is the same on every machine and for any LFW-layout folder, and a person never has
photos on both sides.
"""

from __future__ import annotations

import enum
import hashlib


class Half(enum.StrEnum):
    """Which people of a folder a run uses."""

    TUNING = "tuning"
    REPORT = "report"
    ALL = "all"  # a folder whose people no choice has seen (e.g. LFW's held-back half)


# Salted: lfw-dev itself is exactly the LFW names whose plain SHA-256 starts with an even
# byte, so an unsalted hash of that kind would put every lfw-dev person in one half.
_SALT = b"smartlock/face/split/v1\0"


def half_of(name: str) -> Half:
    """TUNING or REPORT for one identity (its folder name): salted SHA-256, lowest bit."""
    digest = hashlib.sha256(_SALT + name.encode("utf-8")).digest()
    return Half.TUNING if digest[0] % 2 == 0 else Half.REPORT


def in_half(name: str, half: Half) -> bool:
    """Whether the identity `name` belongs to `half` (ALL holds everybody)."""
    return half is Half.ALL or half_of(name) is half
