"""The activity chart: unlocks per day by method, rendered on the server as SVG.

Server-side on purpose: no chart library, nothing to download, and the page stays
readable without script. Days are the lock's local days (its ``tz_offset_min``
setting), so "Tuesday" means the same at the door and in the app. The same numbers
go into a table next to the chart for screen readers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartlock.cloud.models import Event, SettingsShadow, utcnow

DAYS = 14
# Colours >= 3:1 against white for graphical objects (WCAG 1.4.11), one per method.
COLOURS: dict[str, str] = {
    "password": "#0b57d0",
    "face": "#0f6b2f",
    "temp_password": "#8a4b00",
    "offline_code": "#6a1b9a",
    "remote": "#b3261e",
    "key": "#37474f",
    "button": "#00695c",
    "knob": "#5d4037",
    "handle": "#ad1457",
}
OTHER = "#616161"


@dataclass(frozen=True, slots=True)
class Chart:
    svg: str
    days: list[dt.date]
    methods: list[str]
    counts: dict[tuple[dt.date, str], int]
    total: int


def tz_offset(session: Session, device_id: str) -> int:
    shadow = session.get(SettingsShadow, device_id)
    if shadow is None:
        return 0
    value = shadow.reported.get("tz_offset_min", shadow.desired.get("tz_offset_min", 0))
    return int(value) if isinstance(value, int | float) else 0


def unlocks_per_day(
    session: Session, *, device_id: str, days: int = DAYS, now: dt.datetime | None = None
) -> tuple[list[dt.date], dict[tuple[dt.date, str], int]]:
    offset = dt.timedelta(minutes=tz_offset(session, device_id))
    today = ((now or utcnow()) + offset).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - offset
    rows = session.execute(
        select(Event.occurred_at, Event.method).where(
            Event.device_id == device_id, Event.kind == "unlock", Event.occurred_at >= since
        )
    ).all()
    counts: dict[tuple[dt.date, str], int] = {}
    for at, method in rows:
        if at.tzinfo is None:  # SQLite gives naive UTC back
            at = at.replace(tzinfo=dt.UTC)
        day = (at + offset).date()
        key = (day, method or "other")
        counts[key] = counts.get(key, 0) + 1
    return [first + dt.timedelta(days=i) for i in range(days)], counts


def render(
    days: list[dt.date],
    counts: dict[tuple[dt.date, str], int],
    *,
    title: str,
    method_label: dict[str, str],
    day_label: list[str],
) -> Chart:
    """A stacked bar per day; ``day_label`` is the axis text of each day."""
    methods = sorted({m for _, m in counts}, key=lambda m: (m not in COLOURS, m))
    per_day = [sum(counts.get((d, m), 0) for m in methods) for d in days]
    top = max([*per_day, 1])
    step = 1 if top <= 5 else 2 if top <= 10 else 5 if top <= 25 else 10 * (1 + top // 100)
    top = ((top + step - 1) // step) * step
    w, h, left, bottom, right, upper = 480, 260, 34, 36, 6, 10
    plot_w, plot_h = w - left - right, h - bottom - upper
    bar = plot_w / len(days)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'aria-labelledby="chart-title" data-testid="activity-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for value in range(0, top + 1, step):
        y = upper + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c4c7cc"/>'
            f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="15" '
            f'fill="#4a4a4a">{value}</text>'
        )
    for i, day in enumerate(days):
        x = left + i * bar + bar * 0.15
        y = upper + plot_h
        for m in methods:
            n = counts.get((day, m), 0)
            if not n:
                continue
            seg = plot_h * n / top
            y -= seg
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.7:.1f}" height="{seg:.1f}" '
                f'fill="{COLOURS.get(m, OTHER)}" data-day="{day.isoformat()}" data-method="{m}" '
                f'data-count="{n}"><title>{escape(day_label[i])}: '
                f"{escape(method_label.get(m, m))} {n}</title></rect>"
            )
        if (len(days) - 1 - i) % 2 == 0:  # every other day, ending today: readable on a phone
            parts.append(
                f'<text x="{left + i * bar + bar / 2:.1f}" y="{h - 10}" text-anchor="middle" '
                f'font-size="15" fill="#4a4a4a">{escape(day_label[i])}</text>'
            )
    parts.append("</svg>")
    return Chart("".join(parts), days, methods, counts, sum(per_day))
