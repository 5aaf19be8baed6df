"""The admin index's dashboard: its data (one selector) and its chart, drawn as SVG here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from ..console.selectors import Dashboard, dashboard
from ..selectors import open_incidents, source_liveness

register = template.Library()

WIDTH, HEIGHT = 900, 220
LEFT, BOTTOM, TOP = 48, 24, 12
TYPES = ("hard", "soft", "complaint")


@register.filter
def thousands(value: int) -> str:
    return f"{value:,}"


def _n(value: float) -> str:
    # SVG wants a dot; the template would localize a float (a comma in Ukrainian).
    return f"{value:.1f}"


@dataclass
class Bar:
    x: str
    y: str
    width: str
    height: str
    css: str
    title: str


@dataclass
class Chart:
    bars: list[Bar]
    labels: list[tuple[str, str]]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: int = HEIGHT - BOTTOM
    top: int = TOP


def chart(data: Dashboard) -> Chart:
    """Stacked bars, one per day, scaled to the busiest day; every number is computed here."""
    busiest = max((day.total for day in data.days), default=0)
    peak = busiest or 1
    slot = (WIDTH - LEFT) / max(len(data.days), 1)
    scale = (HEIGHT - BOTTOM - TOP) / peak
    bars, labels = [], []
    for index, day in enumerate(data.days):
        x = LEFT + index * slot + 1
        y = float(HEIGHT - BOTTOM)
        for kind in TYPES:
            n = day.by_type.get(kind, 0)
            if not n:
                continue
            height = n * scale
            y -= height
            bars.append(
                Bar(
                    _n(x),
                    _n(y),
                    _n(slot - 2),
                    _n(height),
                    f"bar-{kind}",
                    f"{day.day:%d %b}: {n:,} {kind}",
                )
            )
        if index % 7 == 0 or (index == len(data.days) - 1 and index % 7 > 3):
            labels.append((_n(x), f"{day.day:%d %b}"))
    return Chart(bars, labels, busiest)


@register.simple_tag
def console_dashboard() -> dict[str, Any]:
    now = timezone.now()
    data = dashboard(now=now)
    return {
        "data": data,
        # Open incidents (a handful at most) and the ways in that fell silent: one small query each.
        "incidents": list(open_incidents()[:20]),
        "silent_sources": [source for source in source_liveness(now=now) if source.silent],
        "chart": chart(data),
        "oldest_wait": now - data.oldest_pending_at if data.oldest_pending_at else None,
    }
