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
