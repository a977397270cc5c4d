"""The parameters of cloud commands, checked, and the JSON forms they arrive in.

Apart from `remote` so the store reads stored schedules with the same parser
without depending on the command handlers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from smartlock.device.core.records import Schedule, WeekDaySchedule, YearDaySchedule
from smartlock.errors import InputError

Params = Mapping[str, Any]


def get_param(params: Params, name: str, kind: type, *, optional: bool = False) -> Any:
    """`params[name]` checked to be a `kind` (a bool is no int, a float is finite)."""
    if name not in params:
        if optional:
            return None
        raise InputError(f"missing parameter {name!r}")
    value = params[name]
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok:
        raise InputError(f"parameter {name!r} must be {kind.__name__}, got {value!r}")
    return value


def parse_schedules(raw: Any) -> tuple[Schedule, ...]:
    """Schedules from their JSON form (see `views.schedule_to_dict`)."""
    if not isinstance(raw, list | tuple):
        raise InputError("schedules must be a list")
    out: list[Schedule] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InputError("each schedule must be an object")
        if item.get("kind") == "week_day":
            days = item.get("days")
            if not isinstance(days, list | tuple) or not all(isinstance(d, int) for d in days):
                raise InputError("week_day schedule needs days: [0..6]")
            out.append(
                WeekDaySchedule(
                    frozenset(days),
                    get_param(item, "start_min", int),
                    get_param(item, "end_min", int),
                )
            )
        elif item.get("kind") == "year_day":
            out.append(
                YearDaySchedule(get_param(item, "start", float), get_param(item, "end", float))
            )
        else:
            raise InputError("schedule kind must be week_day or year_day")
    return tuple(out)
