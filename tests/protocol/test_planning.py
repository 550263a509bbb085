"""Plans: ranges from the protocol with sources, and honesty where the protocol has none."""

from __future__ import annotations

from datetime import date

from needlechart.protocol import plan, preparation_schedule, within_protocol
from needlechart.protocol.vocabulary import Zone

from .builders import TODAY, intake_with


def test_atrophic_scar_plan_for_a_pen() -> None:
    course = plan(intake_with({"zones": ["cheeks", "forehead", "periorbital"]}), today=TODAY)
    assert course.indication == "atrophic_acne_scars"
    assert (course.sessions.low, course.sessions.high) == (3, 6)
    assert (course.interval_weeks.low, course.interval_weeks.high) == (4, 6)
    cheeks = course.depth_for(Zone.CHEEKS)
    assert cheeks is not None and (cheeks.low, cheeks.high) == (1.0, 2.0) and cheeks.sources
    periorbital = course.depth_for(Zone.PERIORBITAL)
    assert periorbital is not None and (periorbital.low, periorbital.high) == (0.25, 0.5)
    assert course.endpoint.sources == ["S39"]
    assert course.maintenance_interval_months == 12
    assert course.protocol.id == "needlechart-default"


def test_neck_depth_is_not_guessed() -> None:
    course = plan(intake_with({"zones": ["neck"]}), today=TODAY)
    neck = course.depth_for(Zone.NECK)
    assert neck is not None and not neck.known
    assert neck.low is None and "neck" in (neck.unsourced or "")


def test_rf_device_uses_its_own_course_and_no_depth_table() -> None:
    course = plan(intake_with({"device": "rf_microneedling"}), today=TODAY)
    assert (course.sessions.low, course.sessions.high) == (3, 4)
    assert all(not d.depth_mm.known for d in course.depths)
    assert any(p.code == "rf_safety" for p in course.precautions)


def test_adjuncts_follow_scar_types() -> None:
    course = plan(
        intake_with({"scars.counts": {"ice_pick": 4, "rolling": 3, "boxcar_deep": 2}}), today=TODAY
    )
    assert [a.code for a in course.adjuncts] == [
        "tca_cross_or_punch",
        "subcision",
        "deep_boxcar_options",
        "prp",
    ]
    course = plan(intake_with({"scars.counts": {"boxcar_shallow": 4}}), today=TODAY)
    assert [a.code for a in course.adjuncts] == ["prp"]


def test_stretch_marks_plan_says_sessions_are_unsourced() -> None:
    course = plan(
        intake_with(
            {
                "concerns": ["stretch_marks"],
                "scars.counts": {},
                "zones": ["body"],
                "device": "roller",
            }
        ),
        today=TODAY,
    )
    assert course.indication == "stretch_marks"
    assert not course.sessions.known and "S58" in (course.sessions.unsourced or "")
    body = course.depth_for(Zone.BODY)
    assert body is not None and (body.low, body.high) == (1.5, 2.0)


def test_no_indication_is_said_plainly() -> None:
    course = plan(intake_with({"concerns": [], "scars.counts": {}}), today=TODAY)
    assert course.indication is None
    assert "No indication" in course.indication_title
    assert not course.sessions.known


def test_conditional_preparation_steps() -> None:
    plain = plan(intake_with({}), today=TODAY)
    assert "start_antiviral" not in {s.code for s in plain.preparation}
    hsv = plan(intake_with({"history.hsv_history": "yes"}), today=TODAY)
    assert "start_antiviral" in {s.code for s in hsv.preparation}


def test_preparation_schedule_counts_back_from_the_first_session() -> None:
    course = plan(intake_with({}), today=TODAY)
    schedule = dict((s.code, d) for s, d in preparation_schedule(course, date(2026, 12, 15)))
    assert schedule["stop_topical_actives"] == date(2026, 12, 8)
    assert schedule["avoid_sun"] == date(2026, 12, 1)


def test_within_protocol() -> None:
    course = plan(intake_with({"zones": ["cheeks", "neck"]}), today=TODAY)
    cheeks, neck = course.depth_for(Zone.CHEEKS), course.depth_for(Zone.NECK)
    assert cheeks is not None and neck is not None
    assert within_protocol(1.5, cheeks) is True
    assert within_protocol(2.5, cheeks) is False
    assert within_protocol(0.5, neck) is None
