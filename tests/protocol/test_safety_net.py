"""The engine's safety net (issue 9): each rule at its boundaries.

Table tests: the day before, the day of and the day after a window closes; the age either
side of a limit; the band edges of a score.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from needlechart.protocol import (
    OverrideLevel,
    Verdict,
    default_protocol,
    depth_limit,
    interval_limit,
    override_level,
    plan,
    screen,
    session_limit,
)
from needlechart.protocol.aftercare import SymptomReport, triage
from needlechart.protocol.vocabulary import Symptom, SymptomSeverity, TriageLevel, Zone

from .builders import TODAY, intake_with


def _codes(changes: dict[str, Any], today: date = TODAY) -> dict[str, Any]:
    return {f.code: f for f in screen(intake_with(changes), today=today).findings}


# --- 1. GAGS counts ------------------------------------------------------------------------

MODERATE_GAGS = {  # 2x3 + 2x3 + 2x3 + 1x1 = 19: the first moderate score
    "forehead": "pustule",
    "right_cheek": "pustule",
    "left_cheek": "pustule",
    "nose": "comedone",
}
MILD_GAGS = {**MODERATE_GAGS, "nose": "none"}  # 18: the last mild score


@pytest.mark.parametrize(
    ("gags", "deferred"),
    [(MILD_GAGS, False), (MODERATE_GAGS, True), ({"chin": "nodule"}, True), ({}, False)],
)
def test_gags_moderate_or_a_nodule_defers(gags: dict[str, str], deferred: bool) -> None:
    found = _codes({"active_acne.gags": gags})
    assert ("gags_moderate_or_worse" in found) is deferred


def test_a_recorded_gags_counts_even_when_acne_was_answered_no() -> None:
    found = _codes({"active_acne.present": "no", "active_acne.gags": {"chin": "nodule"}})
    assert found["gags_moderate_or_worse"].severity is Verdict.DEFER


@pytest.mark.parametrize(
    ("iga", "gags", "disagree"),
    [
        (1, MODERATE_GAGS, True),  # IGA says almost clear, GAGS says moderate
        (3, MILD_GAGS, True),  # IGA says moderate, GAGS says mild
        (3, MODERATE_GAGS, False),
        (1, MILD_GAGS, False),
        (3, {"chin": "nodule"}, False),  # a nodule on both sides
    ],
)
def test_iga_and_gags_disagreeing_is_said(iga: int, gags: dict[str, str], disagree: bool) -> None:
    result = screen(
        intake_with(
            {"active_acne.present": "yes", "active_acne.iga": iga, "active_acne.gags": gags}
        ),
        today=TODAY,
    )
    assert ("acne_grades_disagree" in {f.code for f in result.findings}) is disagree
    if disagree:  # the more severe grade wins
        assert result.verdict is Verdict.DEFER


def test_no_gags_recorded_asks_nothing_more() -> None:
    result = screen(intake_with({}), today=TODAY)
    assert result.verdict is Verdict.PROCEED


# --- 2. Age -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "verdict"),
    [
        (14, Verdict.NOT_A_CANDIDATE),
        (15, Verdict.REFER_TO_PHYSICIAN),
        (17, Verdict.REFER_TO_PHYSICIAN),
        (18, Verdict.PROCEED),
    ],
)
@pytest.mark.parametrize("device", ["roller", "rf_microneedling", "automated_pen"])
def test_age_limits_whatever_the_device(age: int, verdict: Verdict, device: str) -> None:
    result = screen(
        intake_with({"age": age, "guardian_present": "yes", "device": device}), today=TODAY
    )
    assert result.verdict.rank >= verdict.rank
    if verdict is not Verdict.PROCEED:
        assert result.verdict is verdict


def test_a_minor_still_needs_a_guardian() -> None:
    found = _codes({"age": 16, "guardian_present": "no"})
    assert {"minor", "minor_without_guardian"} <= set(found)


# --- 3. An explicit "yes" is never discarded ----------------------------------------------


@pytest.mark.parametrize("question", ["pregnant", "breastfeeding"])
@pytest.mark.parametrize("sex", ["male", "female", "other", "unknown"])
def test_pregnancy_or_breastfeeding_yes_counts_whatever_the_sex(question: str, sex: str) -> None:
    result = screen(intake_with({"sex": sex, question: "yes"}), today=TODAY)
    assert result.verdict is Verdict.DEFER
    assert any(f.hard_stop for f in result.findings)


def test_an_unanswered_pregnancy_question_is_not_asked_of_a_man() -> None:
    result = screen(intake_with({"sex": "male", "pregnant": "unknown"}), today=TODAY)
    assert result.verdict is Verdict.PROCEED


# --- 4. Unknown answers carry their precautions --------------------------------------------


@pytest.mark.parametrize(
    ("changes", "precaution"),
    [
        ({"history.hsv_history": "unknown"}, "antiviral_prophylaxis"),
        ({"fitzpatrick": None}, "strict_photoprotection"),
        ({"fitzpatrick": None}, "conservative_depth"),
        ({"history.pih_history": "unknown"}, "strict_photoprotection"),
        ({"history.topical_anaesthetic_allergy": "unknown"}, "alternative_anaesthesia"),
    ],
)
def test_an_unknown_answer_still_gets_its_precaution(
    changes: dict[str, Any], precaution: str
) -> None:
    result = screen(intake_with(changes), today=TODAY)
    assert result.verdict is not Verdict.PROCEED
    assert precaution in {p.code for p in result.precautions}


def test_an_unknown_hsv_history_keeps_the_antiviral_step_in_the_plan() -> None:
    course = plan(intake_with({"history.hsv_history": "unknown"}), today=TODAY)
    assert "start_antiviral" in {s.code for s in course.preparation}


def test_an_unknown_phototype_gets_the_capped_depth() -> None:
    course = plan(intake_with({"fitzpatrick": None}), today=TODAY)
    cheeks = course.depth_for(Zone.CHEEKS)
    cap = default_protocol().document.planning.phototype_depth_cap
    assert cheeks is not None and cap is not None and cheeks.high == cap.max_mm


# --- 5. Recent exposures inside a preparation window ---------------------------------------

WINDOWS = [
    ("medications.topical_retinoids", "stop_topical_actives", "topical_actives_recent"),
    ("sun_exposure", "avoid_sun", "recent_sun_exposure"),
    ("procedures.chemical_peel", "no_peel_before", "recent_chemical_peel"),
    ("procedures.laser", "avoid_laser_ipl", "recent_laser"),
    ("procedures.filler", "no_filler_before", "recent_filler"),
    ("procedures.botulinum_toxin", "no_toxin_before", "recent_botulinum_toxin"),
]


def _window(step: str) -> int:
    steps = default_protocol().document.planning.preparation
    return next(s.days_before for s in steps if s.code == step)


@pytest.mark.parametrize(("path", "step", "rule"), WINDOWS)
@pytest.mark.parametrize(("offset", "deferred"), [(-1, True), (0, False), (1, False)])
def test_a_past_exposure_defers_until_its_preparation_window_has_passed(
    path: str, step: str, rule: str, offset: int, deferred: bool
) -> None:
    """The day before the window closes: defer to that day; the day of and after: no finding."""
    days = _window(step)
    last = TODAY - timedelta(days=days + offset)
    result = screen(
        intake_with({path: {"status": "past", "last_date": last.isoformat()}}), today=TODAY
    )
    found = {f.code: f for f in result.findings}
    assert (rule in found) is deferred
    if deferred:
        assert found[rule].until == last + timedelta(days=days)
        assert result.rescreen_on == last + timedelta(days=days)


# --- 6. Re-screen dates survive -----------------------------------------------------------


def test_every_time_limited_finding_keeps_its_date_under_a_graver_verdict() -> None:
    result = screen(
        intake_with(
            {
                "sun_exposure": {"status": "past", "last_date": "2026-11-20"},
                "procedures.filler": {"status": "past", "last_date": "2026-11-10"},
                "history.bleeding_disorder": "yes",
            }
        ),
        today=TODAY,
    )
    assert result.verdict is Verdict.REFER_TO_PHYSICIAN
    untils = {f.code: f.until for f in result.findings if f.until}
    assert untils == {"recent_sun_exposure": date(2026, 12, 4), "recent_filler": date(2026, 12, 8)}
    assert result.rescreen_on == date(2026, 12, 8)


# --- 8. Scar mix and indication ------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "dominant"),
    [
        ({"ice_pick": 11, "boxcar_deep": 0, "rolling": 3, "boxcar_shallow": 8}, True),  # 50%
        ({"ice_pick": 10, "boxcar_deep": 0, "rolling": 4, "boxcar_shallow": 8}, False),  # 45%
        ({"ice_pick": 0, "boxcar_deep": 12, "rolling": 4, "boxcar_shallow": 8}, True),
    ],
)
def test_ice_pick_or_deep_boxcar_dominance_names_combination_treatments(
    counts: dict[str, int], dominant: bool
) -> None:
    result = screen(intake_with({f"scars.counts.{k}": v for k, v in counts.items()}), today=TODAY)
    assert ("deep_narrow_scars_dominant" in {f.code for f in result.findings}) is dominant
    if dominant:
        advice = {p.code: p for p in result.precautions}["combination_treatments"]
        assert "TCA CROSS" in advice.text and "subcision" in advice.text


def test_flat_marks_only_are_planned_as_macular_marks() -> None:
    counts = {k: 0 for k in ("ice_pick", "boxcar_shallow", "boxcar_deep", "rolling")}
    changes = {f"scars.counts.{k}": v for k, v in counts.items()}
    course = plan(intake_with({**changes, "scars.counts.macular": 12}), today=TODAY)
    assert course.indication == "macular_marks"
    cheeks = course.depth_for(Zone.CHEEKS)
    general = default_protocol().document.planning.depth_tables["general_facial"]
    assert cheeks is not None and cheeks.high == general[Zone.CHEEKS].high  # type: ignore[union-attr]


# --- 9. Systemic conditions ----------------------------------------------------------------


def test_controlled_diabetes_is_a_precaution_and_collagen_disease_a_referral() -> None:
    diabetes = screen(intake_with({"history.diabetes": "controlled"}), today=TODAY)
    assert diabetes.verdict is Verdict.PROCEED_WITH_PRECAUTIONS
    assert "slow_healing" in {p.code for p in diabetes.precautions}
    lupus = screen(intake_with({"history.collagen_vascular_disease": "yes"}), today=TODAY)
    assert lupus.verdict is Verdict.REFER_TO_PHYSICIAN


# --- 10. Depth ------------------------------------------------------------------------------

# The upper bound of each atrophic-scar zone and the source that gives that very figure
# (clinical reference §5.2).
UPPER_BOUNDS = {
    "cheeks": (2.0, "C54"),
    "chin": (2.0, "C54"),
    "jawline": (2.0, "C54"),
    "forehead": (0.75, "C54"),
    "nose": (0.75, "C36"),
    "perioral": (0.75, "C54"),
    "periorbital": (0.5, "C54"),
}


@pytest.mark.parametrize(("zone", "bound"), UPPER_BOUNDS.items())
def test_each_zone_upper_bound_is_the_figure_of_its_first_source(
    zone: str, bound: tuple[float, str]
) -> None:
    entry = default_protocol().document.planning.depth_tables["atrophic_scars"][zone]  # type: ignore[index]
    high, source = bound
    assert entry.high == high and entry.sources[0] == source  # type: ignore[union-attr]


@pytest.mark.parametrize(("phototype", "capped"), [("III", False), ("IV", True), ("VI", True)])
def test_phototypes_iv_to_vi_get_a_numeric_depth_cap(phototype: str, capped: bool) -> None:
    course = plan(intake_with({"fitzpatrick": phototype}), today=TODAY)
    cheeks = course.depth_for(Zone.CHEEKS)
    assert cheeks is not None
    cap = default_protocol().document.planning.phototype_depth_cap
    assert cap is not None
    assert (cheeks.high == cap.max_mm) is capped
    if capped:
        assert set(cap.sources) <= set(cheeks.sources)


# --- 11. Triage ------------------------------------------------------------------------------


@pytest.mark.parametrize("symptom", [Symptom.REDNESS, Symptom.SWELLING, Symptom.PAIN])
@pytest.mark.parametrize(
    ("severity", "worsening", "level"),
    [
        (SymptomSeverity.SEVERE, True, TriageLevel.URGENT),
        (SymptomSeverity.SEVERE, False, TriageLevel.CONTACT_CLINIC),
        (SymptomSeverity.MODERATE, True, TriageLevel.CONTACT_CLINIC),
    ],
)
def test_severe_and_worsening_in_the_first_days_is_urgent(
    symptom: Symptom, severity: SymptomSeverity, worsening: bool, level: TriageLevel
) -> None:
    report = SymptomReport(
        symptom=symptom, severity=severity, days_since_session=2, worsening=worsening
    )
    assert triage(report).level is level


@pytest.mark.parametrize(
    ("symptom", "level", "says"),
    [
        (Symptom.LIP_TONGUE_SWELLING, TriageLevel.URGENT, "emergency services"),
        (Symptom.EYE_PAIN_VISION, TriageLevel.URGENT, "urgent"),
        (Symptom.HIVES_RASH, TriageLevel.CONTACT_CLINIC, "call the clinic"),
    ],
)
def test_new_symptoms(symptom: Symptom, level: TriageLevel, says: str) -> None:
    result = triage(SymptomReport(symptom=symptom, days_since_session=1))
    assert result.level is level
    assert says in result.advice.lower()


@pytest.mark.parametrize(
    ("day", "level"), [(4, TriageLevel.EXPECTED), (5, TriageLevel.CONTACT_CLINIC)]
)
def test_dryness_is_expected_up_to_the_day_the_sources_give(day: int, level: TriageLevel) -> None:
    report = SymptomReport(symptom=Symptom.DRYNESS_FLAKING, days_since_session=day)
    assert triage(report).level is level


def test_the_aftercare_sheet_data_has_red_flags_and_extras() -> None:
    aftercare = default_protocol().document.aftercare
    urgent = [f.text for f in aftercare.red_flags if f.level == "urgent"]
    assert any("emergency services" in t for t in urgent)
    assert {"topical_anaesthetic", "antiviral_course"} <= {e.code for e in aftercare.sheet_extras}
    day0 = [i.text for w in aftercare.timeline if w.from_day == 0 for i in w.instructions]
    assert any("exercise" in t for t in day0)


# --- Hard stops, override levels and absolute limits ---------------------------------------


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({}, OverrideLevel.AESTHETICIAN),
        ({"sun_exposure": {"status": "current"}}, OverrideLevel.AESTHETICIAN),
        ({"history.metal_allergy": "yes"}, OverrideLevel.CLINICIAN),
        ({"history.metal_allergy": "unknown"}, OverrideLevel.CLINICIAN),  # physician-level unknown
        ({"pregnant": "unknown"}, OverrideLevel.CLINICIAN),  # a hard stop left unknown
        ({"pregnant": "yes"}, OverrideLevel.SECOND_CLINICIAN),
        ({"history.active_cold_sore": "yes"}, OverrideLevel.SECOND_CLINICIAN),
        ({"age": 14, "guardian_present": "yes"}, OverrideLevel.SECOND_CLINICIAN),
        (
            {"device": "rf_microneedling", "history.implanted_electronic_device": "yes"},
            OverrideLevel.SECOND_CLINICIAN,
        ),
        (  # left unknown with RF: physician-level, a clinician must decide
            {"device": "rf_microneedling", "history.implanted_electronic_device": "unknown"},
            OverrideLevel.CLINICIAN,
        ),
        ({"history.implanted_electronic_device": "yes"}, OverrideLevel.AESTHETICIAN),  # no RF
        (
            {"device": "rf_microneedling", "history.metal_implants_in_area": "yes"},
            OverrideLevel.CLINICIAN,
        ),
        ({"history.previous_microneedling_reaction": "yes"}, OverrideLevel.CLINICIAN),
        ({"products_to_apply": ["other"]}, OverrideLevel.AESTHETICIAN),
    ],
)
def test_who_may_override(changes: dict[str, Any], level: OverrideLevel) -> None:
    assert override_level(screen(intake_with(changes), today=TODAY)) is level


@pytest.mark.parametrize(
    ("device", "zone", "limit"),
    [
        ("automated_pen", "cheeks", 2.5),  # the pen's own range
        ("roller", "cheeks", 2.5),  # the deepest figure for the cheeks
        ("roller", "periorbital", 0.5),
        ("rf_microneedling", "temples", 3.0),  # nothing sourced: the ceiling
    ],
)
def test_depth_limit_is_the_lowest_that_applies(device: str, zone: str, limit: float) -> None:
    found = depth_limit(device, zone)
    assert found.value == limit
    assert not found.exceeded_by(limit) and found.exceeded_by(limit + 0.01)
    assert f"{limit:g} mm" in found.refusal(limit + 0.01)


def test_session_and_interval_limits() -> None:
    sessions, interval = session_limit(), interval_limit()
    assert sessions.exceeded_by(sessions.value + 1) and not sessions.exceeded_by(sessions.value)
    assert interval.exceeded_by(interval.value - 1) and not interval.exceeded_by(interval.value)
    assert "minimum" in interval.refusal(interval.value - 1)


def test_every_recommended_range_sits_inside_its_limit() -> None:
    document = default_protocol().document
    for zones in document.planning.depth_tables.values():
        for zone, entry in zones.items():
            if hasattr(entry, "high"):
                assert entry.high <= depth_limit("roller", zone).value
