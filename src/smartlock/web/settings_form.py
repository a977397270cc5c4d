"""The settings page, built generically from ``device.core.settings.DESCRIPTORS`` (A-SETTINGS).

Only the grouping lives here; a new descriptor shows up under "other" without a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartlock.device.core.settings import DESCRIPTORS, Descriptor

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


# The UTC offsets in use somewhere (minutes), for the lock's time zone picker, with a
# well-known place for each common one so "UTC+08:00" reads as "Beijing".
TZ_OFFSETS: tuple[int, ...] = tuple(
    sorted(
        {h * 60 for h in range(-12, 15)}
        | {-570, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765, 825}
    )
)
TZ_NAMES: dict[int, str] = {
    -480: "Los Angeles",
    -420: "Denver",
    -360: "Chicago",
    -300: "New York",
    -180: "São Paulo",
    0: "London, Lisbon",
    60: "Berlin, Paris",
    120: "Athens, Cairo",
    180: "Moscow",
    240: "Dubai",
    330: "India",
    420: "Bangkok",
    480: "Beijing, Singapore",
    540: "Tokyo, Seoul",
    600: "Sydney",
    720: "Auckland",
}


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
        found = tuple(_view(by_name[n]) for n in names if n in by_name)
        placed.update(names)
        out.append(Group(key, found))
    rest = tuple(_view(d) for d in DESCRIPTORS if d.name not in placed)
    if rest:
        out.append(Group("other", rest))
    return out


def _view(d: Descriptor) -> dict[str, Any]:
    """The descriptor for the template; a mode (D-MODE-*) is switched by a command."""
    return {**d.to_dict(), "mode": d.mode.value if d.mode is not None else None}
