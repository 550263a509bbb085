"""Geometry of the redness chart (no database: unsaved rows)."""

from __future__ import annotations

from datetime import date

from needlechart.imaging.models import Photo, RednessMeasurement
from needlechart.imaging.redness import box_style, redness_chart
from needlechart.treatments.models import SessionRecord


def _m(
    pk: int, value: float, days: int | None, session: SessionRecord | None
) -> RednessMeasurement:
    photo = Photo(pk=pk, taken_on=date(2025, 1, 1), width=200, height=100)
    m = RednessMeasurement(
        pk=pk, photo=photo, value=value, days_since_session=days, x=20, y=10, width=50, height=25
    )
    if session is not None:
        m.session = session
    return m


def test_empty_chart_keeps_unplaced_count() -> None:
    chart = redness_chart([_m(1, 12.0, None, None)])
    assert chart.empty and chart.before_first_session == 1


def test_one_series_per_session_ordered_by_days() -> None:
    s1 = SessionRecord(pk=1, session_number=1, performed_on=date(2025, 1, 1))
    s2 = SessionRecord(pk=2, session_number=2, performed_on=date(2025, 2, 1))
    rows = [
        _m(1, 30.0, 3, s2),
        _m(2, 40.0, 1, s2),
        _m(3, 35.0, 0, s1),
        _m(4, -5.0, 10, s1),
        _m(5, 20.0, None, None),
    ]
    chart = redness_chart(rows)
    assert [s.label for s in chart.series] == [
        "Session 1 — 1 Jan 2025",
        "Session 2 — 1 Feb 2025",
    ]
    first = chart.series[0]
    assert [p.x for p in first.points] == sorted((p.x for p in first.points), key=float)
    assert first.path.count(",") == 2
    # a negative index gets room below zero; zero is drawn
    assert float(chart.zero_y) < float(chart.frame.bottom)
    assert any(t.label == "0" for t in chart.y_ticks)
    assert chart.x_ticks[0].label == "day 0" and chart.x_ticks[-1].label == "day 10"
    assert chart.before_first_session == 1
    assert "UNVERIFIED" in first.points[0].title


def test_single_point_has_no_path_and_axis_spans_a_week() -> None:
    s1 = SessionRecord(pk=1, session_number=1, performed_on=date(2025, 1, 1))
    chart = redness_chart([_m(1, 12.5, 2, s1)])
    assert chart.series[0].path == ""
    assert chart.x_ticks[-1].label == "day 7"


def test_box_style_in_percent() -> None:
    m = _m(1, 1.0, None, None)
    assert box_style(m, m.photo) == "left:10.000%;top:10.000%;width:25.000%;height:25.000%"


def test_regions_get_their_own_line() -> None:
    s1 = SessionRecord(pk=1, session_number=1, performed_on=date(2025, 1, 1))
    a, b = _m(1, 30.0, 1, s1), _m(2, 10.0, 1, s1)
    a.label, b.label = "left cheek", "forehead"
    chart = redness_chart([a, b])
    assert sorted(s.label for s in chart.series) == [
        "Session 1 — 1 Jan 2025 · forehead",
        "Session 1 — 1 Jan 2025 · left cheek",
    ]
    assert {s.colour for s in chart.series} == {0, 1}
