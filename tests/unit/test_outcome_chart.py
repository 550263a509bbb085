"""The progress chart: geometry (pure) and the rendered SVG + table."""

import re
from datetime import date

from django.template.loader import render_to_string

from needlechart.outcomes.chart import progress_chart
from needlechart.outcomes.selectors import Progress, ProgressPoint, SessionMark
from needlechart.protocol import default_protocol

GRADING = default_protocol().document.grading
LEVELS = {k: g.level for k, g in sorted(GRADING.goodman_baron_qualitative.grades.items())}


def point(i: int, on: date, **kw: object) -> ProgressPoint:
    data: dict[str, object] = {
        "assessment_id": i,
        "on": on,
        "kind": "follow_up" if i > 1 else "baseline",
        "kind_label": "Follow-up" if i > 1 else "Baseline",
        "score": None,
        "grade": None,
        "grade_confirmed": False,
    }
    data.update(kw)
    return ProgressPoint(**data)  # type: ignore[arg-type]


def progress(points: list[ProgressPoint], sessions: list[SessionMark] | None = None) -> Progress:
    return Progress(
        points=points,
        sessions=sessions or [],
        quantitative_label=GRADING.goodman_baron_quantitative.label,
        quantitative_verified=False,
        grade_levels=LEVELS,
    )


SAMPLE = progress(
    [
        point(1, date(2030, 1, 1), score=24, grade=3, grade_confirmed=True),
        point(2, date(2030, 5, 1), score=16, grade=2, grade_confirmed=False, rating=6),
        point(3, date(2030, 8, 1), score=9, grade=2, grade_confirmed=True, rating=8),
    ],
    [SessionMark(1, date(2030, 1, 8)), SessionMark(2, date(2030, 2, 5))],
)


def render(p: Progress) -> str:
    return render_to_string("outcomes/_progress.html", {"progress": p, "chart": progress_chart(p)})


def test_empty_progress_draws_no_panels() -> None:
    chart = progress_chart(progress([]))
    assert chart.empty and chart.panels == []
    html = render(progress([]))
    assert "<svg" not in html and "No assessments or sessions" in html
    assert "Nothing recorded yet" in html


def test_points_are_ordered_in_time_and_scaled() -> None:
    chart = progress_chart(SAMPLE)
    grade, score, rating = chart.panels
    xs = [float(p.x) for p in grade.points]
    left, right = float(chart.frame.left), float(chart.frame.right)
    assert xs == sorted(xs) and left <= xs[0] and xs[-1] <= right
    # a higher grade / score is drawn higher (smaller y)
    assert float(grade.points[0].y) < float(grade.points[1].y)
    assert [float(p.y) for p in score.points] == sorted(float(p.y) for p in score.points)
    assert float(rating.points[1].y) < float(rating.points[0].y)
    assert [p.filled for p in grade.points] == [True, False, True]
    assert len(rating.points) == 2 and rating.path
    assert [s.label for s in chart.sessions] == ["S1", "S2"]
    assert all(left <= float(s.x) <= right for s in chart.sessions)
    assert [t.label.split()[0] for t in grade.ticks] == [str(k) for k in LEVELS]


def test_single_day_is_centred() -> None:
    chart = progress_chart(progress([point(1, date(2030, 1, 1), grade=2)]))
    x = float(chart.panels[0].points[0].x)
    assert abs(x - (float(chart.frame.left) + float(chart.frame.right)) / 2) < 1
    assert chart.panels[0].path == ""  # one point, no line


def test_svg_has_a_point_per_assessment_titles_label_and_table() -> None:
    html = render(SAMPLE)
    assert html.count("<svg") == 1
    grade_panel = html.split("pc-panel--grade")[1].split("pc-panel--score")[0]
    assert grade_panel.count("<circle") == 3
    score_panel = html.split("pc-panel--score")[1].split("pc-panel--rating")[0]
    assert score_panel.count("<circle") == 3
    assert "UNVERIFIED" in score_panel
    titles = re.findall(r"<circle[^>]*><title>([^<]*)</title>", html)
    assert len(titles) == 3 + 3 + 2
    assert any("score 24 (UNVERIFIED)" in t for t in titles)
    assert any("suggested, not confirmed" in t for t in titles)
    assert "Session 1 on 8 Jan 2030" in html
    assert GRADING.goodman_baron_quantitative.label.split()[0] in html
    table = html.split('id="progress-table"')[1]
    assert table.count("progress-row--assessment") == 3
    assert table.count("progress-row--session") == 2
    assert 'role="img"' in html and "aria-labelledby" in html


def test_text_is_escaped() -> None:
    evil = progress([point(1, date(2030, 1, 1), kind_label="<script>x</script>", grade=2)])
    html = render(evil)
    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_the_patients_copy_leaves_out_the_unverified_score() -> None:
    staff = progress_chart(SAMPLE)
    mine = progress_chart(SAMPLE, for_patient=True)
    assert [p.key for p in staff.panels] == ["grade", "score", "rating"]
    assert [p.key for p in mine.panels] == ["grade", "rating"]
    assert mine.frame.height < staff.frame.height
    words = " ".join(p.title for p in mine.panels) + " ".join(
        pt.title for p in mine.panels for pt in p.points
    )
    assert "UNVERIFIED" not in words.upper() and "your clinician" in words


def test_grades_in_words_say_confirmed_or_suggested() -> None:
    rows = SAMPLE.patient_rows
    assert [r["confirmed"] for r in rows] == [True, False, True]
    assert rows[0]["grade"] == f"3 ({LEVELS[3].lower()}), confirmed by your clinician"
    assert "suggested by the software and not yet confirmed" in rows[1]["grade"]
    assert rows[1]["rating"] == 6 and "score" not in rows[0]
    assert SAMPLE.grade_in_words(point(9, date(2030, 9, 1))) == "Not graded"
