"""Mermaid text of a transition table, shared by the tables that the docs draw
(the door's bolt, the fingerprint enrolment): one drawing rule, so they look alike.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

Row = tuple[tuple[enum.StrEnum, enum.StrEnum], tuple[enum.StrEnum, Sequence[enum.StrEnum]]]


def state_diagram(rows: Iterable[Row]) -> str:
    """One `src --> dst: event / actions` line a row (a table's `items()`)."""
    lines = ["stateDiagram-v2"]
    for (src, event), (dst, actions) in rows:
        label = event.value + (f" / {', '.join(a.value for a in actions)}" if actions else "")
        lines.append(f"    {src.value} --> {dst.value}: {label}")
    return "\n".join(lines)
