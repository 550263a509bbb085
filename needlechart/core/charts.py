"""The pieces of the small inline-SVG charts (the progress and the redness charts).

Pure: a chart module lays its data out with these pieces and hands the template numbers
already formatted as strings (so a template never localises a float). The templates
`components/chart_y_axis.html`, `chart_x_axis.html` and `chart_line.html` draw them; the
PDF's PNG renderer draws the same geometry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

WIDTH = 720  # viewBox width; the SVG scales to its card
TICK_LENGTH = 5  # x-axis tick marks below the plot
LABEL_GAP = 20  # baseline of the x-axis labels below the plot


def fmt(value: float) -> str:
    return f"{value:.1f}"


def short_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def scale(low: float, high: float, start: float, end: float) -> Callable[[float], float]:
    """Map values from [low, high] onto pixels from `start` to `end`. For a y axis pass
    the bottom as `start`, so that a larger value is drawn higher."""
    span = (high - low) or 1

    def at(value: float) -> float:
        return start + (value - low) / span * (end - start)

    return at


def even_steps(total: int, most: int) -> list[int]:
    """At most `most` whole numbers from 0 to `total` (both included), evenly spread."""
    count = min(most, total + 1)
    return [round(total * i / max(count - 1, 1)) for i in range(count)]


@dataclass(frozen=True)
class Tick:
    pos: str  # x or y, formatted
    label: str


@dataclass(frozen=True)
class ChartPoint:
    x: str
    y: str
    title: str  # the point's <title> tooltip
    filled: bool = True
    url_id: int | None = None  # the row the point stands for (a link in the table)


@dataclass(frozen=True)
class Line:
    """Points joined in order; the template draws the polyline only from two points on."""

    points: list[ChartPoint]

    @property
    def path(self) -> str:
        """ "x,y x,y ..." for <polyline points>; empty with fewer than two points."""
        if len(self.points) < 2:
            return ""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class Frame:
    """The plot area inside the viewBox, and where the x axis's marks and labels go."""

    width: int
    height: int
    left: str
    right: str
    top: str
    bottom: str
    axis_tick_y: str
    axis_label_y: str


def frame(*, left: float, right: float, top: float, bottom: float, axis_height: float) -> Frame:
    """A frame `WIDTH` wide; `right` is the margin on the right, `axis_height` the room
    below the plot for the x axis's labels."""
    return Frame(
        width=WIDTH,
        height=int(bottom + axis_height),
        left=fmt(left),
        right=fmt(WIDTH - right),
        top=fmt(top),
        bottom=fmt(bottom),
        axis_tick_y=fmt(bottom + TICK_LENGTH),
        axis_label_y=fmt(bottom + LABEL_GAP),
    )
