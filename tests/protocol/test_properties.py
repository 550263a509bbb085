"""Properties that must hold for every intake, not just the examples we thought of."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from needlechart.protocol import Intake, Verdict, default_protocol, plan, screen
from needlechart.protocol.document import NumberRange

from .builders import TODAY
from .strategies import ANSWER_FIELDS, intakes

CONTRAINDICATIONS = [f"history.{name}" for name in ANSWER_FIELDS] + [
    "pregnant",
    "breastfeeding",
    "medications.anticoagulants",
    "medications.immunosuppressants",
]


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    result = copy.deepcopy(data)
    *parents, leaf = path.split(".")
    node = result
    for p in parents:
        node = node[p]
    node[leaf] = value
    return result


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for p in path.split("."):
        node = node[p]
    return node


@settings(max_examples=300, deadline=None)
@given(data=intakes(), path=st.sampled_from(CONTRAINDICATIONS))
def test_adding_a_contraindication_never_makes_the_verdict_more_permissive(
    data: dict[str, Any], path: str
) -> None:
    before = screen(Intake.model_validate(_set(data, path, "no")), today=TODAY)
    after = screen(Intake.model_validate(_set(data, path, "yes")), today=TODAY)
    assert after.verdict.rank >= before.verdict.rank


@settings(max_examples=300, deadline=None)
@given(data=intakes(), path=st.sampled_from(CONTRAINDICATIONS))
def test_a_missing_safety_answer_never_yields_proceed(data: dict[str, Any], path: str) -> None:
    result = screen(Intake.model_validate(_set(data, path, "unknown")), today=TODAY)
    if path in ("pregnant", "breastfeeding") and _get(data, "sex") == "male":
        return  # not asked of a male patient
    assert result.verdict is not Verdict.PROCEED
    assert result.questions


@settings(max_examples=200, deadline=None)
@given(data=intakes())
def test_screening_is_deterministic(data: dict[str, Any]) -> None:
    intake = Intake.model_validate(data)
    first = screen(intake, today=TODAY).model_dump()
    second = screen(Intake.model_validate(copy.deepcopy(data)), today=TODAY).model_dump()
    assert first == second


@settings(max_examples=200, deadline=None)
@given(data=intakes())
def test_proceed_only_when_nothing_is_found(data: dict[str, Any]) -> None:
    result = screen(Intake.model_validate(data), today=TODAY)
    assert (result.verdict is Verdict.PROCEED) == (result.findings == [])


@settings(max_examples=200, deadline=None)
@given(data=intakes())
def test_every_plan_range_lies_inside_the_protocols_bounds(data: dict[str, Any]) -> None:
    intake = Intake.model_validate(data)
    course = plan(intake, today=TODAY)
    planning = default_protocol().document.planning
    depth_ranges = [
        e
        for table in planning.depth_tables.values()
        for e in table.values()
        if isinstance(e, NumberRange)
    ]
    lowest = min(e.low for e in depth_ranges)
    highest = max(e.high for e in depth_ranges)
    for zone_depth in course.depths:
        r = zone_depth.depth_mm
        if r.known:
            assert r.low is not None and r.high is not None
            assert lowest <= r.low <= r.high <= highest
        else:
            assert r.unsourced
    session_ranges = [
        r
        for ind in planning.indications
        for r in (ind.sessions, *(c.sessions for c in ind.device_courses.values()))
        if isinstance(r, NumberRange)
    ]
    if course.sessions.known:
        assert course.sessions.low is not None and course.sessions.high is not None
        assert min(r.low for r in session_ranges) <= course.sessions.low
        assert course.sessions.high <= max(r.high for r in session_ranges)
    days = [s.days_before or 0 for s in course.preparation]
    assert days == sorted(days, reverse=True)


@settings(max_examples=200, deadline=None)
@given(
    data=intakes(),
    when=st.dates(),
    path=st.sampled_from(
        [
            "medications.isotretinoin",
            "sun_exposure",
            "procedures.chemical_peel",
            "procedures.filler",
        ]
    ),
    today=st.dates(),
)
def test_any_date_is_either_refused_clearly_or_screened(
    data: dict[str, Any], when: Any, path: str, today: Any
) -> None:
    from pydantic import ValidationError

    changed = _set(data, path, {"status": "past", "last_date": when.isoformat()})
    try:
        intake = Intake.model_validate(changed)
    except ValidationError as exc:
        assert "last_date" in str(exc)
        return
    result = screen(intake, today=today)
    plan(intake, today=today, screening=result)


# --- the safety net (issue 9) ---------------------------------------------------------------

HARD_STOPS = [r for r in default_protocol().document.screening_rules if r.hard_stop]

# Changes that add a risk: each makes the intake at least as risky as before.
RISKS: list[tuple[str, Any]] = [
    *((path, "yes") for path in CONTRAINDICATIONS),
    ("history.diabetes", "controlled"),
    ("history.diabetes", "uncontrolled"),
    ("fitzpatrick", "VI"),
    ("device", "rf_microneedling"),
    ("sun_exposure", {"status": "current"}),
    ("procedures.chemical_peel", {"status": "current"}),
    ("medications.isotretinoin", {"status": "current"}),
    ("active_acne.gags", {"chin": "nodule"}),
    ("scars.counts.keloid", 3),
    ("products_to_apply", ["other"]),
]


# The intake change that answers each hard-stop rule "yes". A hard stop added to the protocol
# without a row here fails the next test.
HARD_STOP_CHANGES: dict[str, dict[str, Any]] = {
    "skin_infection_in_area": {"history.skin_infection_in_area": "yes"},
    "open_wound_in_area": {"history.open_wound_in_area": "yes"},
    "active_cold_sore": {"history.active_cold_sore": "yes"},
    "skin_cancer_in_area": {"history.skin_cancer_in_area": "yes"},
    "pregnancy": {"pregnant": "yes"},
    "breastfeeding": {"breastfeeding": "yes"},
    "under_minimum_age": {"age": 12},
    "rf_implanted_electronic_device": {
        "device": "rf_microneedling",
        "history.implanted_electronic_device": "yes",
    },
}


def test_every_hard_stop_has_a_change_that_triggers_it() -> None:
    device_rules = {
        r.code for r in HARD_STOPS if r.applies_when and "device" in r.applies_when.facts()
    }
    assert {r.code for r in HARD_STOPS} - device_rules <= set(HARD_STOP_CHANGES)


@settings(max_examples=200, deadline=None)
@given(data=intakes(), code=st.sampled_from(sorted(HARD_STOP_CHANGES)))
def test_an_intake_with_any_hard_stop_never_gets_a_treating_verdict(
    data: dict[str, Any], code: str
) -> None:
    changed = data
    for path, value in HARD_STOP_CHANGES[code].items():
        changed = _set(changed, path, value)
    result = screen(Intake.model_validate(changed), today=TODAY)
    assert not result.verdict.treatable
    assert any(f.hard_stop for f in result.findings)


@settings(max_examples=200, deadline=None)
@given(data=intakes(), risk=st.sampled_from(RISKS))
def test_adding_a_risk_factor_never_makes_the_verdict_less_cautious(
    data: dict[str, Any], risk: tuple[str, Any]
) -> None:
    path, value = risk
    before = screen(Intake.model_validate(data), today=TODAY)
    after = screen(Intake.model_validate(_set(data, path, value)), today=TODAY)
    assert after.verdict.rank >= before.verdict.rank


@settings(max_examples=300, deadline=None)
@given(data=intakes())
def test_an_unknown_safety_answer_never_yields_plain_proceed(data: dict[str, Any]) -> None:
    result = screen(Intake.model_validate(data), today=TODAY)
    if result.questions:
        assert result.verdict is not Verdict.PROCEED
        assert any(f.unanswered for f in result.findings)


@settings(max_examples=300, deadline=None)
@given(data=intakes())
def test_every_finding_and_precaution_has_a_source(data: dict[str, Any]) -> None:
    result = screen(Intake.model_validate(data), today=TODAY)
    for finding in result.findings:
        assert finding.sources or (finding.evidence == "unsourced" and finding.note)
    for advice in result.precautions:
        assert advice.sources and advice.because
