"""The settings page, built generically from ``device.settings.DESCRIPTORS`` (A-SETTINGS).

Only the grouping lives here; a new descriptor shows up under "other" without a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartlock.device.settings import DESCRIPTORS, Descriptor

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("face", ("face_unlock", "sensitivity", "watch_window_s")),
    ("audio", ("prompt_volume", "doorbell_volume", "mute", "language")),
    (
        "security",
        (
            "remote_unlock",
            "ha_control",
            "ha_unlock_code",
            "anti_lock",
            "normally_open",
            "armed",
            "virtual_lock_detection",
            "double_press_to_open",
            "auto_relock_s",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    settings: tuple[dict[str, Any], ...]


def groups() -> list[Group]:
    """Descriptor dicts grouped for the page; ungrouped ones end up in ``other``."""
    by_name: dict[str, Descriptor] = {d.name: d for d in DESCRIPTORS}
    placed: set[str] = set()
    out: list[Group] = []
    for key, names in GROUPS:
        found = tuple(by_name[n].to_dict() for n in names if n in by_name)
        placed.update(names)
        out.append(Group(key, found))
    rest = tuple(d.to_dict() for d in DESCRIPTORS if d.name not in placed)
    if rest:
        out.append(Group("other", rest))
    return out
