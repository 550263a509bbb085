"""The public pre-screen: answers -> engine intake -> plain-language outcome (no database)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import signing
from django.test import RequestFactory

from needlechart.prescreen import antispam
from needlechart.prescreen.explain import SENTENCES, explain, sentence
from needlechart.prescreen.forms import QuestionnaireForm, parse_month
from needlechart.prescreen.questionnaire import (
    DERMATOSES,
    PROCEDURES,
    YES_NO_PATHS,
    build_intake,
    consultation_prefill,
    month_end,
    questions,
    rule_period,
)
from needlechart.protocol import Intake, Verdict, default_protocol, screen
from needlechart.protocol.results import Screening

TODAY = date(2026, 5, 14)


def all_clear(**changes: Any) -> dict[str, Any]:
    """An adult whose every answer is a reassuring "no"."""
    answers: dict[str, Any] = {
        "age": 30,
        "sex": "female",
        "zones": ["cheeks"],
        "concerns": ["acne_scars"],
        "skin_type": "II",
        "spots": "none",
        "raised_scars": "no",
        "isotretinoin": "never",
        "retinoids": "no",
        "sun": "no",
        "diabetes": "none",
    }
    answers.update({k: "no" for k in YES_NO_PATHS if k != "guardian"})
    answers.update({k: "none" for k in DERMATOSES})
    answers.update({k: "no" for k in PROCEDURES})
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def run(answers: dict[str, Any]) -> Screening:
    return screen(Intake.model_validate(build_intake(answers, today=TODAY)), today=TODAY)


def test_every_screening_fact_is_asked() -> None:
    """The questionnaire covers every fact the protocol screens on (the device is the
    clinic's choice, GAGS and scar counts the clinician's grading, not the person's; the
    products question only learns of a product of their own, the rest is the clinic's
    choice too)."""
    clinicians = {
        "device",
        "active_acne.gags",
        "active_acne.gags_recorded",
        "scars.counts.deep_narrow_percent",
    }
    asked = {fact for q in questions() for fact in q.facts}
    for compiled in default_protocol().rules:
        facts = set(compiled.rule.when.facts())
        if compiled.rule.applies_when is not None:
            facts |= set(compiled.rule.applies_when.facts())
        assert facts - clinicians <= asked, compiled.rule.code


def test_every_rule_has_plain_words() -> None:
    codes = {c.rule.code for c in default_protocol().rules}
    assert codes <= set(SENTENCES)


def test_sentences_carry_no_clinical_jargon_codes() -> None:
    for text in SENTENCES.values():
        assert "Fitzpatrick" not in text
        assert "IGA" not in text


def test_all_clear_is_likely_suitable() -> None:
    answers = all_clear()
    result = run(answers)
    # Only the clinic's own choice (which products it applies) is left open: the engine
    # never says plain "proceed" with it open, and it is not a question for the person.
    assert result.verdict is Verdict.PROCEED_WITH_PRECAUTIONS
    assert [(f.code, f.unanswered) for f in result.findings] == [
        ("unlisted_product_to_apply", True)
    ]
    outcome = explain(result, answers)
    assert outcome.kind == "suitable"
    assert "likely suitable" in outcome.headline
    assert "clinician will confirm" in outcome.headline
    assert outcome.ask == []


def test_precautions_are_still_likely_suitable_with_reasons() -> None:
    answers = all_clear(cold_sores_ever="yes")
    result = run(answers)
    assert result.verdict is Verdict.PROCEED_WITH_PRECAUTIONS
    outcome = explain(result, answers)
    assert outcome.kind == "suitable"
    assert any("cold sores before" in r for r in outcome.reasons)


def test_recent_isotretinoin_defers_with_the_protocols_period_and_date() -> None:
    answers = all_clear(isotretinoin="stopped", isotretinoin_month="2026-02")
    result = run(answers)
    assert result.verdict is Verdict.DEFER
    outcome = explain(result, answers)
    assert outcome.kind == "check"
    assert outcome.headline == "Some things need checking or waiting for first"
    assert outcome.rescreen_on == result.rescreen_on is not None
    period = rule_period("isotretinoin_recent")
    assert period is not None
    assert any(period in r for r in outcome.reasons)


def test_recent_peel_quotes_the_protocols_window() -> None:
    answers = all_clear(peel="yes", peel_date="2026-05-10")
    outcome = explain(run(answers), answers)
    period = rule_period("recent_chemical_peel")
    assert period is not None and any(period in r for r in outcome.reasons)
    assert outcome.rescreen_on is not None


@pytest.mark.parametrize(
    "changes",
    [{"blood_thinners": "yes"}, {"keloid": "yes"}, {"connective_tissue": "yes"}],
)
def test_refer_and_not_a_candidate_say_see_a_doctor(changes: dict[str, str]) -> None:
    answers = all_clear(**changes)
    result = run(answers)
    assert result.verdict in (Verdict.REFER_TO_PHYSICIAN, Verdict.NOT_A_CANDIDATE)
    outcome = explain(result, answers)
    assert outcome.kind == "doctor"
    assert outcome.headline == "Please see a doctor first"
    assert outcome.reasons


def test_unsure_is_a_question_never_likely_suitable() -> None:
    answers = all_clear(cold_sores_ever="unsure")
    result = run(answers)
    # The engine alone would allow precautions; the page still never says "likely suitable".
    assert result.verdict is Verdict.PROCEED_WITH_PRECAUTIONS
    outcome = explain(result, answers)
    assert outcome.kind == "check"
    assert "Whether you have ever had cold sores" in outcome.ask


def test_blank_answers_count_as_not_sure() -> None:
    answers = {"age": 40, "zones": ["chin"]}
    outcome = explain(run(answers), answers)
    assert outcome.kind == "check"
    assert len(outcome.ask) > 10
    assert "Whether any of your scars are raised" in outcome.ask


def test_unsure_on_raised_scars_is_asked() -> None:
    answers = all_clear(raised_scars="unsure")
    outcome = explain(run(answers), answers)
    assert outcome.kind == "check"
    assert outcome.ask == ["Whether any of your scars are raised"]


def test_pregnancy_question_is_not_asked_of_a_man() -> None:
    answers = all_clear(sex="male", pregnant=None, breastfeeding=None)
    outcome = explain(run(answers), answers)
    assert outcome.kind == "suitable"


@pytest.mark.parametrize(
    ("spots", "present", "iga"),
    [("none", "no", 0), ("few", "yes", 1), ("many", "yes", 3), ("lumps", "yes", 4)],
)
def test_spots_map_to_an_iga_estimate(spots: str, present: str, iga: int) -> None:
    intake = build_intake(all_clear(spots=spots), today=TODAY)
    assert intake["active_acne"] == {"present": present, "iga": iga}


def test_unsure_spots_stay_unknown() -> None:
    intake = build_intake(all_clear(spots="unsure"), today=TODAY)
    assert intake["active_acne"] == {"present": "unknown"}


def test_many_spots_defer_with_a_kind_sentence() -> None:
    answers = all_clear(spots="many")
    result = run(answers)
    assert result.verdict is Verdict.DEFER
    reasons = explain(result, answers).reasons
    assert any("own estimate" in r for r in reasons)


def test_month_end_is_safe_and_never_after_today() -> None:
    assert month_end("2026-02", TODAY) == date(2026, 2, 28)
    assert month_end("2026-05", TODAY) == TODAY
    assert month_end("nonsense", TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-03", "2025-03"), ("3/2025", "2025-03"), ("2025-13", None), ("soon", None), ("", None)],
)
def test_parse_month(text: str, expected: str | None) -> None:
    assert parse_month(text) == expected


def test_prefill_keeps_answers_drops_estimates_and_unknowns() -> None:
    answers = all_clear(spots="many", raised_scars="yes", cold_sores_ever="unsure")
    prefill = consultation_prefill(build_intake(answers, today=TODAY))
    assert "age" not in prefill and "sex" not in prefill
    assert "scars" not in prefill  # the clinician counts scars
    assert prefill["active_acne"] == {"present": "yes"}  # the grade is the clinician's
    assert "hsv_history" not in prefill["history"]  # not sure stays unknown
    assert prefill["history"]["bleeding_disorder"] == "no"
    assert prefill["fitzpatrick"] == "II"
    assert prefill["zones"] == ["cheeks"]


@pytest.mark.parametrize(
    ("key", "rule", "kind", "words"),
    [
        ("implanted_device", "implanted_electronic_device", "suitable", "pacemaker"),
        ("metal_implants", "metal_implants_in_area", "suitable", "metal implants"),
        ("earlier_reaction", "previous_microneedling_reaction", "doctor", "reaction"),
    ],
)
def test_new_health_questions_reach_the_engine_and_are_told_kindly(
    key: str, rule: str, kind: str, words: str
) -> None:
    answers = all_clear(**{key: "yes"})
    result = run(answers)
    assert rule in {f.code for f in result.findings if not f.unanswered}
    outcome = explain(result, answers)
    assert outcome.kind == kind
    assert any(words in r for r in outcome.reasons)
    # The pre-screen does not know the device: the RF-only referral never shows here.
    assert not any(f.code.startswith("rf_") for f in result.findings)


@pytest.mark.parametrize(
    ("key", "ask"),
    [
        ("implanted_device", "Whether you have a pacemaker or another implanted electronic device"),
        ("metal_implants", "Whether there are metal implants where you want treatment"),
        (
            "earlier_reaction",
            "Whether you have had a reaction to microneedling or to a product used during it",
        ),
    ],
)
def test_not_sure_on_a_new_health_question_is_asked(key: str, ask: str) -> None:
    for unsure in ("unsure", None):  # blank counts as not sure
        answers = all_clear(**{key: unsure})
        outcome = explain(run(answers), answers)
        assert outcome.kind == "check"
        assert outcome.ask == [ask]


def test_a_product_of_ones_own_is_outside_the_list_and_explained() -> None:
    answers = all_clear(own_product="yes", own_product_name=" Vitamin C serum ")
    intake = build_intake(answers, today=TODAY)
    assert intake["products_to_apply"] == ["other"]
    assert intake["other_products"] == ["Vitamin C serum"]
    result = run(answers)
    finding = next(f for f in result.findings if f.code == "unlisted_product_to_apply")
    assert not finding.unanswered and "Vitamin C serum" in finding.fact
    outcome = explain(result, answers)
    assert outcome.kind == "suitable" and outcome.ask == []
    assert any("product of your own" in r and "vitamin C" in r for r in outcome.reasons)
    # Unnamed is still a product of their own.
    assert build_intake(all_clear(own_product="yes"), today=TODAY)["products_to_apply"] == ["other"]


@pytest.mark.parametrize("answer", ["no", "unsure", None])
def test_no_product_of_ones_own_leaves_the_clinic_to_choose(answer: str | None) -> None:
    answers = all_clear(own_product=answer)
    assert "products_to_apply" not in build_intake(answers, today=TODAY)
    assert explain(run(answers), answers).ask == []


def test_prefill_leaves_the_products_to_the_clinic() -> None:
    answers = all_clear(own_product="yes", own_product_name="Serum", implanted_device="yes")
    prefill = consultation_prefill(build_intake(answers, today=TODAY))
    assert "products_to_apply" not in prefill and "other_products" not in prefill
    assert prefill["history"]["implanted_electronic_device"] == "yes"


def test_sentence_adds_the_wait_end_date() -> None:
    answers = all_clear(peel="yes", peel_date="2026-05-10")
    finding = next(f for f in run(answers).findings if f.code == "recent_chemical_peel")
    assert finding.until is not None
    assert f"{finding.until:%B %Y}" in sentence(finding)


# ---------------------------------------------------------------- form


def _post(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, list) else str(v)) for k, v in answers.items()}


def test_form_accepts_the_questionnaire() -> None:
    form = QuestionnaireForm(data=_post(all_clear()), today=TODAY)
    assert form.is_valid(), form.errors
    assert form.answers()["age"] == 30


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"age": ""}, "age"),
        ({"age": "200"}, "age"),
        ({"zones": []}, "zones"),
        ({"zones": ["elbow"]}, "zones"),
        ({"sun": "past", "sun_date": "2030-01-01"}, "sun_date"),
        ({"sun": "no", "sun_date": "2026-05-01"}, "sun_date"),
        ({"isotretinoin": "stopped", "isotretinoin_month": "next year"}, "isotretinoin_month"),
        ({"isotretinoin": "stopped", "isotretinoin_month": "2027-01"}, "isotretinoin_month"),
        ({"skin_type": "VII"}, "skin_type"),
        ({"own_product": "no", "own_product_name": "Serum"}, "own_product_name"),
        ({"own_product": "yes", "own_product_name": "x" * 201}, "own_product_name"),
        ({"implanted_device": "perhaps"}, "implanted_device"),
    ],
)
def test_form_rejects_bad_answers(changes: dict[str, Any], field: str) -> None:
    form = QuestionnaireForm(data=_post(all_clear(**changes)), today=TODAY)
    assert not form.is_valid()
    assert field in form.errors


# ---------------------------------------------------------------- anti-spam helpers


def test_ip_hash_hides_the_address(settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    hashed = antispam.ip_hash(request)
    assert len(hashed) == 64 and "203.0.113.7" not in hashed
    assert hashed == antispam.ip_hash(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7"))
    assert hashed != antispam.ip_hash(RequestFactory().get("/", REMOTE_ADDR="203.0.113.8"))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert hashed != antispam.ip_hash(request)


def test_token_round_trip_and_tampering(settings: Any) -> None:
    fresh = antispam.make_token({"age": 30})
    answers, issued = antispam.read_token(fresh)
    assert answers == {"age": 30} and isinstance(issued, int)
    with pytest.raises(signing.BadSignature):
        antispam.read_token(fresh[:-2] + "xx")
    assert antispam.read_token(antispam.make_token({}, now=1000))[1] == 1000
    settings.PRESCREEN_TOKEN_MAX_AGE_SECONDS = -1
    with pytest.raises(signing.BadSignature):  # expired (SignatureExpired is a BadSignature)
        antispam.read_token(fresh)


def test_fill_time() -> None:
    assert antispam.filled_too_fast(1000, now=1001)
    assert not antispam.filled_too_fast(1000, now=1010)
