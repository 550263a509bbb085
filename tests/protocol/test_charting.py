"""Day-of re-screen and consent helpers."""

from __future__ import annotations

import pytest

from needlechart.protocol import Verdict, screen
from needlechart.protocol.charting import (
    ChecklistError,
    consent_risks,
    day_of_intake,
    glide_product_listed,
)
from needlechart.protocol.vocabulary import Device

from .builders import TODAY, intake_with


def test_nothing_new_keeps_the_intake() -> None:
    before = intake_with({})
    after, review = day_of_intake(before, set())
    assert after == before and review == []


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("cold_sore", "active_cold_sore"),
        ("infection", "skin_infection_in_area"),
        ("open_wound", "open_wound_in_area"),
        ("sunburn", "recent_sun_exposure"),
        ("pregnancy", "pregnancy"),
    ],
)
def test_a_yes_changes_the_fact_and_the_verdict(code: str, rule: str) -> None:
    today, review = day_of_intake(intake_with({}), {code})
    result = screen(today, today=TODAY)
    assert result.verdict is Verdict.DEFER
    assert rule in {f.code for f in result.findings}
    assert review == []


def test_items_without_a_fact_go_to_the_clinician() -> None:
    _, review = day_of_intake(intake_with({}), {"new_medication", "reaction"})
    assert review == ["new_medication", "reaction"]


def test_unknown_checklist_code_is_refused() -> None:
    with pytest.raises(ChecklistError, match="not on the day-of checklist: nope"):
        day_of_intake(intake_with({}), {"nope"})


def test_rf_risks_only_for_rf() -> None:
    assert "rf_burns" in {r.code for r in consent_risks(Device.RF)}
    assert "rf_burns" not in {r.code for r in consent_risks(Device.PEN)}
    assert all(r.sources or r.evidence == "unsourced" for r in consent_risks(Device.RF))


def test_glide_products() -> None:
    assert glide_product_listed("kit_hyaluronic_gel")
    assert not glide_product_listed("vitamin_c_serum")


@pytest.mark.parametrize(
    ("code", "changes", "rule", "verdict"),
    [
        (
            "implanted_device",
            {"device": "rf_microneedling"},
            "rf_implanted_electronic_device",
            Verdict.REFER_TO_PHYSICIAN,
        ),
        (
            "implanted_device",
            {},
            "implanted_electronic_device",
            Verdict.PROCEED_WITH_PRECAUTIONS,
        ),
        (
            "metal_implants",
            {"device": "rf_microneedling"},
            "rf_metal_implants_in_area",
            Verdict.REFER_TO_PHYSICIAN,
        ),
        ("metal_implants", {}, "metal_implants_in_area", Verdict.PROCEED_WITH_PRECAUTIONS),
        ("product_reaction", {}, "previous_microneedling_reaction", Verdict.REFER_TO_PHYSICIAN),
        ("unlisted_product", {}, "unlisted_product_to_apply", Verdict.PROCEED_WITH_PRECAUTIONS),
    ],
)
def test_a_yes_to_a_new_intake_question_is_screened_again(
    code: str, changes: dict[str, str], rule: str, verdict: Verdict
) -> None:
    consultation = intake_with(changes)
    assert rule not in {f.code for f in screen(consultation, today=TODAY).findings}
    today, review = day_of_intake(consultation, {code})
    result = screen(today, today=TODAY)
    assert result.verdict is verdict
    assert rule in {f.code for f in result.findings}
    assert review == []


def test_a_product_added_on_the_day_keeps_the_consultations_products() -> None:
    consultation = intake_with({"products_to_apply": ["kit_hyaluronic_gel"]})
    today, _ = day_of_intake(consultation, {"unlisted_product"})
    assert today.products_to_apply == ("kit_hyaluronic_gel", "other")
    # Already there: not listed twice (the intake refuses repeats).
    again, _ = day_of_intake(today, {"unlisted_product"})
    assert again.products_to_apply == ("kit_hyaluronic_gel", "other")
    undecided, _ = day_of_intake(intake_with({"products_to_apply": None}), {"unlisted_product"})
    assert undecided.products_to_apply == ("other",)


def test_a_no_on_the_day_answers_an_open_question() -> None:
    rf = {"device": "rf_microneedling"}
    consultation = intake_with(rf | {"history.implanted_electronic_device": "unknown"})
    assert screen(consultation, today=TODAY).verdict is Verdict.DEFER  # RF waits for the answer
    today, _ = day_of_intake(consultation, set(), answered_no={"implanted_device"})
    assert today.history.implanted_electronic_device == "no"
    assert screen(today, today=TODAY).verdict is Verdict.PROCEED_WITH_PRECAUTIONS


def test_a_no_on_the_day_never_overrules_a_recorded_yes() -> None:
    consultation = intake_with({"history.previous_microneedling_reaction": "yes"})
    today, _ = day_of_intake(consultation, set(), answered_no={"product_reaction"})
    assert today.history.previous_microneedling_reaction == "yes"
    assert screen(today, today=TODAY).verdict is Verdict.REFER_TO_PHYSICIAN


def test_a_no_on_the_day_to_an_unknown_code_is_refused() -> None:
    with pytest.raises(ChecklistError, match="not on the day-of checklist: nope"):
        day_of_intake(intake_with({}), set(), answered_no={"nope"})


def test_a_no_to_the_pregnancy_question_answers_pregnant_and_breastfeeding() -> None:
    consultation = intake_with({"sex": "female", "pregnant": "unknown", "breastfeeding": "unknown"})
    before = {f.code for f in screen(consultation, today=TODAY).questions}
    assert {"pregnancy", "breastfeeding"} <= before
    today, _ = day_of_intake(consultation, set(), answered_no={"pregnancy"})
    assert (today.pregnant, today.breastfeeding) == ("no", "no")
    after = screen(today, today=TODAY)
    assert not {"pregnancy", "breastfeeding"} & {f.code for f in after.questions}


def test_a_no_on_the_day_leaves_a_recorded_breastfeeding_yes() -> None:
    consultation = intake_with({"sex": "female", "pregnant": "unknown", "breastfeeding": "yes"})
    today, _ = day_of_intake(consultation, set(), answered_no={"pregnancy"})
    assert (today.pregnant, today.breastfeeding) == ("no", "yes")
    assert screen(today, today=TODAY).verdict is Verdict.DEFER


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ("infection", "history.skin_infection_in_area"),
        ("open_wound", "history.open_wound_in_area"),
        ("cold_sore", "history.active_cold_sore"),
        ("sunburn", "sun_exposure.status"),
        ("pregnancy", "pregnant"),
        ("pregnancy", "breastfeeding"),
        ("implanted_device", "history.implanted_electronic_device"),
        ("metal_implants", "history.metal_implants_in_area"),
        ("product_reaction", "history.previous_microneedling_reaction"),
    ],
)
# RF: the device questions are asked of RF only; female: pregnancy is not asked of men.
def test_every_checklist_no_answers_the_fact_its_question_covers(code: str, path: str) -> None:
    consultation = intake_with({path: "unknown", "sex": "female", "device": "rf_microneedling"})
    fact = path.removesuffix(".status")  # an exposure's question names the exposure
    open_before = screen(consultation, today=TODAY)
    assert [q for q in open_before.questions if q.fact.startswith(fact)]
    today, _ = day_of_intake(consultation, set(), answered_no={code})
    value: object = today
    for part in path.split("."):
        value = getattr(value, part)
    assert value == "no"
    # The question the consultation left open is no longer asked, nor left unanswered.
    result = screen(today, today=TODAY)
    assert not [q for q in result.questions if q.fact.startswith(fact)]
    assert not [f for f in result.findings if f.unanswered and f.fact.startswith(fact)]
