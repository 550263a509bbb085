"""Every screening rule: its finding appears with the right severity, and not without it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from needlechart.protocol import Intake, Verdict, default_protocol, screen
from needlechart.protocol.vocabulary import Answer, Device

from .builders import TODAY, clear_data, intake_with, with_changes

# (rule code, change that triggers it, expected severity)
TRIGGERS: list[tuple[str, dict[str, Any], Verdict]] = [
    ("skin_infection_in_area", {"history.skin_infection_in_area": "yes"}, Verdict.DEFER),
    ("open_wound_in_area", {"history.open_wound_in_area": "yes"}, Verdict.DEFER),
    ("active_cold_sore", {"history.active_cold_sore": "yes"}, Verdict.DEFER),
    ("hsv_history", {"history.hsv_history": "yes"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    ("keloid_tendency", {"history.keloid_tendency": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    ("raised_scars_present", {"scars.counts.keloid": 2}, Verdict.REFER_TO_PHYSICIAN),
    ("raised_scars_present", {"scars.counts.hypertrophic": 1}, Verdict.REFER_TO_PHYSICIAN),
    ("eczema_active", {"history.dermatoses.eczema": "active_in_area"}, Verdict.DEFER),
    ("eczema_quiet", {"history.dermatoses.eczema": "inactive"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    ("psoriasis_active", {"history.dermatoses.psoriasis": "active_in_area"}, Verdict.DEFER),
    (
        "psoriasis_quiet",
        {"history.dermatoses.psoriasis": "active_elsewhere"},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    ("lichen_planus_active", {"history.dermatoses.lichen_planus": "active_in_area"}, Verdict.DEFER),
    (
        "lichen_planus_quiet",
        {"history.dermatoses.lichen_planus": "inactive"},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "rosacea_active",
        {"history.dermatoses.rosacea": "active_in_area"},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    ("rosacea_quiet", {"history.dermatoses.rosacea": "inactive"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    ("vitiligo", {"history.vitiligo": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    ("bleeding_disorder", {"history.bleeding_disorder": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    ("anticoagulants", {"medications.anticoagulants": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    ("diabetes_uncontrolled", {"history.diabetes": "uncontrolled"}, Verdict.REFER_TO_PHYSICIAN),
    ("immunosuppression", {"history.immunosuppression": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    (
        "immunosuppressant_drugs",
        {"medications.immunosuppressants": "yes"},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    ("radiotherapy_to_area", {"history.radiotherapy_to_area": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    ("skin_cancer_in_area", {"history.skin_cancer_in_area": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    (
        "collagen_vascular_disease",
        {"history.collagen_vascular_disease": "yes"},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    ("metal_allergy", {"history.metal_allergy": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    (
        "topical_anaesthetic_allergy",
        {"history.topical_anaesthetic_allergy": "yes"},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    ("pregnancy", {"pregnant": "yes"}, Verdict.DEFER),
    ("breastfeeding", {"breastfeeding": "yes"}, Verdict.DEFER),
    ("minor_without_guardian", {"age": 16, "guardian_present": "no"}, Verdict.DEFER),
    ("pen_under_labelled_age", {"age": 20}, Verdict.PROCEED_WITH_PRECAUTIONS),
    (
        "active_inflammatory_acne",
        {"active_acne.present": "yes", "active_acne.iga": 3},
        Verdict.DEFER,
    ),
    (
        "active_inflammatory_acne",
        {"active_acne.present": "yes", "active_acne.iga": 2},
        Verdict.DEFER,
    ),
    (
        "mild_acne",
        {"active_acne.present": "yes", "active_acne.iga": 1},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "rf_with_active_acne",
        {"device": "rf_microneedling", "active_acne.present": "yes", "active_acne.iga": 1},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    ("isotretinoin_recent", {"medications.isotretinoin": {"status": "current"}}, Verdict.DEFER),
    (
        "isotretinoin_recent",
        {"medications.isotretinoin": {"status": "past", "last_date": "2026-06-01"}},
        Verdict.DEFER,
    ),
    (
        "topical_retinoids_current",
        {"medications.topical_retinoids": {"status": "current"}},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "recent_sun_exposure",
        {"sun_exposure": {"status": "past", "last_date": "2026-11-15"}},
        Verdict.DEFER,
    ),
    (
        "recent_chemical_peel",
        {"procedures.chemical_peel": {"status": "past", "last_date": "2026-11-01"}},
        Verdict.DEFER,
    ),
    (
        "recent_laser",
        {"procedures.laser": {"status": "past", "last_date": "2026-11-10"}},
        Verdict.DEFER,
    ),
    (
        "recent_filler",
        {"procedures.filler": {"status": "past", "last_date": "2026-11-01"}},
        Verdict.DEFER,
    ),
    (
        "recent_botulinum_toxin",
        {"procedures.botulinum_toxin": {"status": "past", "last_date": "2026-11-10"}},
        Verdict.DEFER,
    ),
    ("pigment_prone_phototype", {"fitzpatrick": "IV"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    ("pih_history", {"history.pih_history": "yes"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    ("rf_device", {"device": "rf_microneedling"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    ("under_minimum_age", {"age": 14, "guardian_present": "yes"}, Verdict.NOT_A_CANDIDATE),
    ("minor", {"age": 17, "guardian_present": "yes"}, Verdict.REFER_TO_PHYSICIAN),
    (
        "gags_moderate_or_worse",
        {
            "active_acne.gags": {
                "forehead": "pustule",
                "right_cheek": "pustule",
                "left_cheek": "pustule",
                "nose": "comedone",
            }
        },
        Verdict.DEFER,
    ),
    ("gags_moderate_or_worse", {"active_acne.gags": {"chin": "nodule"}}, Verdict.DEFER),
    (
        "acne_grades_disagree",
        {"active_acne.gags": {"chin": "nodule"}},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    ("diabetes_controlled", {"history.diabetes": "controlled"}, Verdict.PROCEED_WITH_PRECAUTIONS),
    (
        "topical_actives_recent",
        {"medications.topical_retinoids": {"status": "past", "last_date": "2026-11-18"}},
        Verdict.DEFER,
    ),
    (
        "deep_narrow_scars_dominant",
        {"scars.counts.ice_pick": 20, "scars.counts.boxcar_deep": 5, "scars.counts.rolling": 5},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "rf_implanted_electronic_device",
        {"device": "rf_microneedling", "history.implanted_electronic_device": "yes"},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    (
        "implanted_electronic_device",
        {"history.implanted_electronic_device": "yes"},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "implanted_electronic_device",
        {"device": "roller", "history.implanted_electronic_device": "yes"},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "rf_metal_implants_in_area",
        {"device": "rf_microneedling", "history.metal_implants_in_area": "yes"},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    (
        "metal_implants_in_area",
        {"history.metal_implants_in_area": "yes"},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "previous_microneedling_reaction",
        {"history.previous_microneedling_reaction": "yes"},
        Verdict.REFER_TO_PHYSICIAN,
    ),
    (
        "unlisted_product_to_apply",
        {"products_to_apply": ["kit_hyaluronic_gel", "other"], "other_products": ["Vitamin C"]},
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "unlisted_product_to_apply",
        {"products_to_apply": ["other"]},  # named later: still outside the list
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
    (
        "unlisted_product_to_apply",
        {"products_to_apply": ["vitamin_c_serum"]},  # a code this protocol does not list
        Verdict.PROCEED_WITH_PRECAUTIONS,
    ),
]


def _codes(result: Any) -> dict[str, Verdict]:
    return {f.code: f.severity for f in result.findings}


def test_the_clear_candidate_proceeds_with_no_findings() -> None:
    result = screen(intake_with({}), today=TODAY)
    assert result.verdict is Verdict.PROCEED
    assert result.findings == []
    assert result.questions == []
    assert result.protocol == default_protocol().ref


@pytest.mark.parametrize(
    ("code", "changes", "severity"), TRIGGERS, ids=[f"{t[0]}-{i}" for i, t in enumerate(TRIGGERS)]
)
def test_rule_fires_with_its_trigger(code: str, changes: dict[str, Any], severity: Verdict) -> None:
    result = screen(intake_with(changes), today=TODAY)
    found = _codes(result)
    assert found.get(code) is severity
    assert result.verdict.rank >= severity.rank
    finding = next(f for f in result.findings if f.code == code)
    assert finding.fact and not finding.unanswered
    assert finding.sources or finding.evidence == "unsourced"


def test_every_rule_in_the_default_protocol_has_a_trigger_test() -> None:
    tested = {code for code, _, _ in TRIGGERS}
    assert {c.rule.code for c in default_protocol().rules} == tested


@pytest.mark.parametrize(
    "changes",
    [
        {
            "medications.isotretinoin": {"status": "past", "last_date": "2026-05-20"}
        },  # 6 months + a day
        {"sun_exposure": {"status": "past", "last_date": "2026-11-07"}},  # exactly 14 days ago
        {"procedures.chemical_peel": {"status": "past", "last_date": "2026-10-01"}},
        {"age": 18, "device": "roller"},
        {"age": 22},
        {"pregnant": "unknown", "breastfeeding": "unknown", "sex": "male"},  # not asked of men
        {"active_acne.present": "no", "active_acne.iga": None},
        {"active_acne.present": "yes", "active_acne.iga": 0},
        {"history.diabetes": "none"},
        {"fitzpatrick": "III"},
        {"active_acne.gags": {"forehead": "comedone", "chin": "papule"}},  # GAGS mild
        {"scars.counts.ice_pick": 4, "scars.counts.rolling": 5},  # ice-pick below half
        {"medications.topical_retinoids": {"status": "past", "last_date": "2026-11-14"}},
        {"products_to_apply": []},  # nothing applied to the open skin
        {"products_to_apply": ["kit_hyaluronic_gel"]},
        {"history.implanted_electronic_device": "no", "history.metal_implants_in_area": "no"},
        {"history.previous_microneedling_reaction": "no"},
    ],
)
def test_no_finding_without_its_trigger(changes: dict[str, Any]) -> None:
    result = screen(intake_with(changes), today=TODAY)
    assert result.verdict is Verdict.PROCEED, result.findings


def test_isotretinoin_wash_out_sets_the_rescreen_date() -> None:
    result = screen(
        intake_with({"medications.isotretinoin": {"status": "past", "last_date": "2026-08-31"}}),
        today=TODAY,
    )
    assert result.verdict is Verdict.DEFER
    assert result.rescreen_on == date(2027, 2, 28)  # 31 Aug + 6 months: end of February


def test_rescreen_date_is_the_latest_window() -> None:
    result = screen(
        intake_with(
            {
                "sun_exposure": {"status": "past", "last_date": "2026-11-20"},
                "procedures.chemical_peel": {"status": "past", "last_date": "2026-11-10"},
            }
        ),
        today=TODAY,
    )
    assert result.rescreen_on == date(2026, 12, 10)
    assert {f.until for f in result.findings} == {date(2026, 12, 4), date(2026, 12, 10)}


def test_rescreen_date_survives_a_graver_verdict() -> None:
    result = screen(
        intake_with(
            {
                "sun_exposure": {"status": "past", "last_date": "2026-11-20"},
                "history.collagen_vascular_disease": "yes",
            }
        ),
        today=TODAY,
    )
    assert result.verdict is Verdict.REFER_TO_PHYSICIAN
    assert result.rescreen_on == date(2026, 12, 4)


def test_no_rescreen_date_without_a_time_limited_finding() -> None:
    result = screen(intake_with({"history.collagen_vascular_disease": "yes"}), today=TODAY)
    assert result.rescreen_on is None


def test_precautions_name_the_findings_that_call_for_them() -> None:
    result = screen(intake_with({"history.hsv_history": "yes", "fitzpatrick": "V"}), today=TODAY)
    by_code = {p.code: p for p in result.precautions}
    assert by_code["antiviral_prophylaxis"].because == ["hsv_history"]
    assert by_code["strict_photoprotection"].because == ["pigment_prone_phototype"]


def test_findings_are_sorted_most_restrictive_first() -> None:
    result = screen(
        intake_with(
            {
                "history.hsv_history": "yes",
                "history.collagen_vascular_disease": "yes",
                "pregnant": "yes",
            }
        ),
        today=TODAY,
    )
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)


# --- unknown answers -------------------------------------------------------------------------

SAFETY_ANSWERS = [
    name
    for name in (
        "pregnant",
        "breastfeeding",
        *(f"history.{f}" for f in Intake.model_fields["history"].annotation.model_fields),  # type: ignore[union-attr]
        "medications.anticoagulants",
        "medications.immunosuppressants",
    )
    if name not in ("history.dermatoses", "history.diabetes")
]


@pytest.mark.parametrize("path", SAFETY_ANSWERS)
def test_an_unknown_safety_answer_is_asked_and_never_proceeds(path: str) -> None:
    result = screen(intake_with({path: "unknown"}), today=TODAY)
    assert result.verdict is not Verdict.PROCEED
    assert result.questions, path
    assert all(f.unanswered for f in result.findings)
    assert result.verdict.rank <= Verdict.DEFER.rank  # asks before it refers


@pytest.mark.parametrize(
    "changes",
    [
        {"history.dermatoses.eczema": "unknown"},
        {"history.diabetes": "unknown"},
        {"fitzpatrick": None},
        {"medications.isotretinoin": {"status": "unknown"}},
        {"medications.isotretinoin": {"status": "past"}},  # no date: the window is unknown
        {"sun_exposure": {"status": "unknown"}},
        {"active_acne.present": "unknown", "active_acne.iga": None},
        {"active_acne.present": "yes", "active_acne.iga": None},
        {"age": 15, "guardian_present": "unknown"},
        {"products_to_apply": None},
        {"device": "rf_microneedling", "history.implanted_electronic_device": "unknown"},
        {"device": "roller", "history.metal_implants_in_area": "unknown"},
    ],
)
def test_other_unknowns_ask_a_question(changes: dict[str, Any]) -> None:
    result = screen(intake_with(changes), today=TODAY)
    assert result.verdict is not Verdict.PROCEED
    assert result.questions


def test_a_blank_intake_asks_every_question_once() -> None:
    result = screen(Intake.model_validate({"age": 30, "zones": ["cheeks"]}), today=TODAY)
    texts = [q.text for q in result.questions]
    assert len(texts) == len(set(texts)) > 20
    assert result.verdict is Verdict.DEFER


def test_yaml_booleans_are_read_as_answers() -> None:
    data = with_changes(clear_data(), {"history.hsv_history": True, "pregnant": False})
    parsed = Intake.model_validate(data)
    assert parsed.history.hsv_history is Answer.YES
    assert parsed.pregnant is Answer.NO


# --- implants, earlier reactions, products on the open skin -----------------------------------

IMPLANT_RULES = {
    "history.implanted_electronic_device": (
        "rf_implanted_electronic_device",
        "implanted_electronic_device",
    ),
    "history.metal_implants_in_area": ("rf_metal_implants_in_area", "metal_implants_in_area"),
}


@pytest.mark.parametrize("device", list(Device))
@pytest.mark.parametrize("path", list(IMPLANT_RULES))
def test_an_implant_yes_is_found_once_for_every_device(path: str, device: Device) -> None:
    rf_rule, other_rule = IMPLANT_RULES[path]
    result = screen(intake_with({"device": device.value, path: "yes"}), today=TODAY)
    found = _codes(result)
    if device is Device.RF:
        # With RF: a physician decides; the note for other devices is not shown beside it.
        assert found.get(rf_rule) is Verdict.REFER_TO_PHYSICIAN and other_rule not in found
    else:
        assert found.get(other_rule) is Verdict.PROCEED_WITH_PRECAUTIONS and rf_rule not in found
    finding = next(f for f in result.findings if f.code in (rf_rule, other_rule))
    assert finding.evidence == "unsourced" and "UNSOURCED" in (finding.note or "")


@pytest.mark.parametrize("device", list(Device))
@pytest.mark.parametrize("path", list(IMPLANT_RULES))
def test_an_unknown_implant_answer_is_asked_for_every_device(path: str, device: Device) -> None:
    result = screen(intake_with({"device": device.value, path: "unknown"}), today=TODAY)
    assert [f.unanswered for f in result.findings if f.code in IMPLANT_RULES[path]] == [True]
    assert len(result.questions) == 1
    # With RF the answer decides a referral, so the verdict waits for it.
    waits = Verdict.DEFER if device is Device.RF else Verdict.PROCEED_WITH_PRECAUTIONS
    assert result.verdict is waits


def test_an_earlier_reaction_calls_for_approved_products_only() -> None:
    result = screen(intake_with({"history.previous_microneedling_reaction": "yes"}), today=TODAY)
    assert result.verdict is Verdict.REFER_TO_PHYSICIAN
    assert [p.code for p in result.precautions] == ["approved_topicals_only"]
    finding = result.findings[0]
    assert set(finding.sources) == {"S21", "S22", "S19"}


def test_an_unlisted_product_names_itself_and_its_precaution() -> None:
    result = screen(
        intake_with(
            {"products_to_apply": ["kit_hyaluronic_gel", "other"], "other_products": ["Serum X"]}
        ),
        today=TODAY,
    )
    finding = next(f for f in result.findings if f.code == "unlisted_product_to_apply")
    assert finding.fact == (
        "products_to_apply = kit_hyaluronic_gel, other; other_products = Serum X"
    )
    assert [p.code for p in result.precautions] == ["approved_topicals_only"]
    assert result.precautions[0].because == ["unlisted_product_to_apply"]


def test_products_not_yet_decided_are_asked() -> None:
    result = screen(intake_with({"products_to_apply": None}), today=TODAY)
    assert result.verdict is Verdict.PROCEED_WITH_PRECAUTIONS
    assert [q.code for q in result.questions] == ["unlisted_product_to_apply"]
    assert "applied to the open skin" in result.questions[0].text


def test_the_product_rule_follows_the_protocols_own_list() -> None:
    from needlechart.protocol import parse_protocol
    from needlechart.protocol.loader import DEFAULT_PROTOCOL_PATH

    listed = "    - {code: kit_hyaluronic_gel,"
    text = DEFAULT_PROTOCOL_PATH.read_text()
    assert listed in text
    clinic = parse_protocol(
        text.replace(
            listed,
            "    - {code: clinic_prp, label: PRP, sources: [S13]}\n" + listed,
            1,
        )
    )
    prp = intake_with({"products_to_apply": ["clinic_prp"]})
    assert "unlisted_product_to_apply" in _codes(screen(prp, today=TODAY))
    assert "unlisted_product_to_apply" not in _codes(screen(prp, today=TODAY, protocol=clinic))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"other_products": ["Serum X"]}, "named products need 'other'"),
        (
            {"products_to_apply": ["kit_hyaluronic_gel", "kit_hyaluronic_gel"]},
            "each product may be listed once",
        ),
        ({"products_to_apply": ["Vitamin C serum"]}, "String should match pattern"),
        ({"products_to_apply": "kit_hyaluronic_gel"}, "tuple"),
        ({"products_to_apply": ["other"], "other_products": ["  "]}, "at least 1 character"),
        ({"history.implanted_electronic_device": "maybe"}, "'yes', 'no' or 'unknown'"),
    ],
)
def test_bad_product_and_implant_answers_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        intake_with(changes)
