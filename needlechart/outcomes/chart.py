"""Geometry of the progress chart, drawn as inline SVG by `outcomes/_progress_svg.html`.

Pure: takes the `Progress` read and lays it out with the shared pieces of
`needlechart.core.charts`. Three panels share one time axis: the qualitative grade
(confirmed filled, suggested hollow), the quantitative score (UNVERIFIED table) and the
patient's ratings; signed sessions are dashed vertical lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from needlechart.core.charts import (
    WIDTH,
    ChartPoint,
    Frame,
    Line,
    Tick,
    even_steps,
    fmt,
    frame,
    scale,
    short_date,
)

if TYPE_CHECKING:
    from needlechart.outcomes.selectors import Progress, ProgressPoint

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


@dataclass(frozen=True)
class Panel(Line):
    key: str
    title: str
    top: str
    bottom: str
    title_y: str
    ticks: list[Tick]
    empty_text: str = ""


@dataclass(frozen=True)
class SessionLine:
    x: str
    label: str
    title: str


@dataclass(frozen=True)
class Chart:
    frame: Frame
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
    y_of = scale(low, high, bottom, top)
    points = [
        ChartPoint(
            x=fmt(x_of[p.assessment_id]),
            y=fmt(y_of(v)),
            title=tip,
            filled=filled,
            url_id=p.assessment_id,
        )
        for p, v, tip, filled in values
    ]
    return Panel(
        points=points,
        key=key,
        title=title,
        top=fmt(top),
        bottom=fmt(bottom),
        title_y=fmt(top - 12),
        ticks=[Tick(pos=fmt(y_of(v)), label=label) for v, label in ticks],
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
    span = _date_range(progress)
    if span is None:
        empty = frame(left=LEFT, right=RIGHT, top=TOP, bottom=TOP, axis_height=AXIS_HEIGHT)
        return Chart(frame=empty, panels=[], x_ticks=[])
    start, end = span
    total_days = max((end - start).days, 1)
    x_at_day = scale(0, total_days, LEFT, WIDTH - RIGHT)

    def x_at(day: date) -> float:
        return x_at_day((day - start).days)

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

    x_ticks = []
    for days in even_steps(total_days, MAX_X_TICKS):
        day = _shift(start, timedelta(days=days))
        x_ticks.append(Tick(pos=fmt(x_at(day)), label=short_date(day)))
    sessions = [
        SessionLine(
            x=fmt(x_at(s.on)),
            label=f"S{s.number}",
            title=f"Session {s.number} on {short_date(s.on)}",
        )
        for s in progress.sessions
    ]
    return Chart(
        frame=frame(left=LEFT, right=RIGHT, top=TOP, bottom=plot_bottom, axis_height=AXIS_HEIGHT),
        panels=[*panels, rating_panel],
        x_ticks=x_ticks,
        sessions=sessions,
        start=start,
        end=end,
    )
