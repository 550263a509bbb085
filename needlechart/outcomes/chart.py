"""Geometry of the progress chart, drawn as inline SVG by `outcomes/_progress_svg.html`.

Pure: takes the `Progress` read and returns coordinates already formatted as strings (so the
template never localises a float). Three panels share one time axis: the qualitative grade
(confirmed filled, suggested hollow), the quantitative score (UNVERIFIED table) and the
patient's ratings; signed sessions are dashed vertical lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from needlechart.outcomes.selectors import Progress, ProgressPoint

WIDTH = 720
LEFT = 118  # room for the grade names on the y axis
RIGHT = 44  # room for the last date label
TOP = 26  # room for the session labels
PANEL_GAP = 34  # room for each panel's title
AXIS_HEIGHT = 40  # x-axis labels at the bottom
GRADE_HEIGHT = 110
SCORE_HEIGHT = 120
RATING_HEIGHT = 90
MAX_X_TICKS = 6
RATING_TOP = 10  # the rating scale's own ends (0-10), not a clinical figure


def _f(value: float) -> str:
    return f"{value:.1f}"


def short_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


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
    url_id: int | None = None  # the assessment's id (for a link in the table)


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    top: str
    bottom: str
    title_y: str
    ticks: list[Tick]
    points: list[ChartPoint]
    path: str  # "x,y x,y ..." for the polyline; empty with fewer than two points
    empty_text: str = ""


@dataclass(frozen=True)
class SessionLine:
    x: str
    label: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: str
    right: str
    plot_top: str
    plot_bottom: str
    axis_label_y: str
    axis_tick_y: str
    panels: list[Panel]
    x_ticks: list[Tick]
    sessions: list[SessionLine] = field(default_factory=list)
    start: date | None = None
    end: date | None = None

    @property
    def empty(self) -> bool:
        return self.start is None


def _nice_max(value: int) -> int:
    """A round top for the score axis (display scaling only)."""
    if value <= 10:
        return 10
    magnitude = 10 ** int(math.log10(value))
    return int(math.ceil(value / magnitude) * magnitude)


def _shift(day: date, delta: timedelta) -> date:
    """`day + delta`, or `day` itself at the ends of the calendar (a stored year 1 or 9999
    leaves no room for the axis padding; the chart still draws)."""
    try:
        return day + delta
    except OverflowError:
        return day


def _date_range(progress: Progress) -> tuple[date, date] | None:
    days = [p.on for p in progress.points] + [s.on for s in progress.sessions]
    if not days:
        return None
    start, end = min(days), max(days)
    if start == end:
        return _shift(start, -timedelta(days=14)), _shift(end, timedelta(days=14))
    pad = max(timedelta(days=(end - start).days * 0.04), timedelta(days=2))
    return _shift(start, -pad), _shift(end, pad)


def _panel(
    *,
    key: str,
    title: str,
    top: float,
    height: float,
    low: float,
    high: float,
    ticks: list[tuple[float, str]],
    values: list[tuple[ProgressPoint, float, str, bool]],
    x_of: dict[int, float],
    empty_text: str,
) -> Panel:
    bottom = top + height

    def y_of(value: float) -> float:
        span = high - low or 1
        return bottom - (value - low) / span * height

    points = [
        ChartPoint(
            x=_f(x_of[p.assessment_id]),
            y=_f(y_of(v)),
            title=tip,
            filled=filled,
            url_id=p.assessment_id,
        )
        for p, v, tip, filled in values
    ]
    path = " ".join(f"{pt.x},{pt.y}" for pt in points) if len(points) > 1 else ""
    return Panel(
        key=key,
        title=title,
        top=_f(top),
        bottom=_f(bottom),
        title_y=_f(top - 12),
        ticks=[Tick(pos=_f(y_of(v)), label=label) for v, label in ticks],
        points=points,
        path=path,
        empty_text="" if points else empty_text,
    )


def _score_panel(progress: Progress, *, top: float, x_of: dict[int, float]) -> Panel:
    scores = [p for p in progress.points if p.score is not None]
    score_top = _nice_max(max((p.score or 0) for p in scores)) if scores else 10
    verified = "" if progress.quantitative_verified else " (UNVERIFIED)"
    return _panel(
        key="score",
        title="Goodman & Baron quantitative score" + (" — UNVERIFIED table" if verified else ""),
        top=top,
        height=SCORE_HEIGHT,
        low=0,
        high=score_top,
        ticks=[(v, str(int(v))) for v in (0, score_top / 2, score_top)],
        values=[
            (
                p,
                float(p.score or 0),
                f"{short_date(p.on)} · {p.kind_label}: score {p.score}{verified}",
                True,
            )
            for p in scores
        ],
        x_of=x_of,
        empty_text="No quantitative counts recorded",
    )


def progress_chart(progress: Progress, *, for_patient: bool = False) -> Chart:
    """Lay the progress out; an empty chart (no dates at all) has no panels. The patient's
    own copy leaves out the UNVERIFIED quantitative score and speaks to the patient."""
    plot_right = WIDTH - RIGHT
    span = _date_range(progress)
    if span is None:
        return Chart(
            width=WIDTH,
            height=TOP + AXIS_HEIGHT,
            left=_f(LEFT),
            right=_f(plot_right),
            plot_top=_f(TOP),
            plot_bottom=_f(TOP),
            axis_label_y=_f(TOP + 20),
            axis_tick_y=_f(TOP + 4),
            panels=[],
            x_ticks=[],
        )
    start, end = span
    total_days = max((end - start).days, 1)

    def x_at(day: date) -> float:
        return LEFT + (day - start).days / total_days * (plot_right - LEFT)

    x_of = {p.assessment_id: x_at(p.on) for p in progress.points}

    # --- qualitative grade (levels from the protocol)
    levels = progress.grade_levels or {}
    grade_low = min(levels) if levels else 1
    grade_high = max(levels) if levels else 4
    grade_values = []
    for p in progress.points:
        if p.grade is None:
            continue
        how = "confirmed" if p.grade_confirmed else "suggested, not confirmed"
        level = levels.get(p.grade, "")
        tip = f"{short_date(p.on)} · {p.kind_label}: grade {p.grade} {level} ({how})"
        grade_values.append((p, float(p.grade), tip, p.grade_confirmed))
    top = TOP + PANEL_GAP
    grade_panel = _panel(
        key="grade",
        title=(
            "Scar grade (filled: confirmed by your clinician; hollow: suggested, not confirmed)"
            if for_patient
            else "Goodman & Baron qualitative grade (filled: confirmed; hollow: suggested)"
        ),
        top=top,
        height=GRADE_HEIGHT,
        low=grade_low,
        high=grade_high,
        ticks=[(float(k), f"{k} {levels.get(k, '')}".strip()) for k in sorted(levels)],
        values=grade_values,
        x_of=x_of,
        empty_text="No grade recorded",
    )

    # --- quantitative score (UNVERIFIED point table)
    top += GRADE_HEIGHT + PANEL_GAP
    panels = [grade_panel]
    if not for_patient:
        panels.append(_score_panel(progress, top=top, x_of=x_of))
        top += SCORE_HEIGHT + PANEL_GAP

    # --- patient ratings at follow-up visits
    rating_panel = _panel(
        key="rating",
        title=(
            "Your rating of the improvement (0 = none, 10 = best imaginable)"
            if for_patient
            else "Patient's rating of improvement (0 = none, 10 = best imaginable)"
        ),
        top=top,
        height=RATING_HEIGHT,
        low=0,
        high=RATING_TOP,
        ticks=[(0, "0 none"), (RATING_TOP / 2, str(RATING_TOP // 2)), (RATING_TOP, "10 best")],
        values=[
            (
                p,
                float(p.rating or 0),
                f"{short_date(p.on)} · patient rating {p.rating} of {RATING_TOP}",
                True,
            )
            for p in progress.ratings
        ],
        x_of=x_of,
        empty_text="No follow-up rating yet",
    )
    plot_bottom = top + RATING_HEIGHT

    ticks_n = min(MAX_X_TICKS, total_days + 1)
    x_ticks = []
    for i in range(ticks_n):
        day = _shift(start, timedelta(days=round(total_days * i / max(ticks_n - 1, 1))))
        x_ticks.append(Tick(pos=_f(x_at(day)), label=short_date(day)))
    sessions = [
        SessionLine(
            x=_f(x_at(s.on)),
            label=f"S{s.number}",
            title=f"Session {s.number} on {short_date(s.on)}",
        )
        for s in progress.sessions
    ]
    return Chart(
        width=WIDTH,
        height=int(plot_bottom + AXIS_HEIGHT),
        left=_f(LEFT),
        right=_f(plot_right),
        plot_top=_f(TOP),
        plot_bottom=_f(plot_bottom),
        axis_label_y=_f(plot_bottom + 20),
        axis_tick_y=_f(plot_bottom + 5),
        panels=[*panels, rating_panel],
        x_ticks=x_ticks,
        sessions=sessions,
        start=start,
        end=end,
    )
