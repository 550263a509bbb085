"""Aftercare timeline and symptom triage."""

from __future__ import annotations

from datetime import date

import pytest

from needlechart.protocol import (
    SymptomReport,
    TriageLevel,
    aftercare_timeline,
    check_in_days,
    triage,
    triage_all,
)
from needlechart.protocol.vocabulary import Symptom

E, C, U = TriageLevel.EXPECTED, TriageLevel.CONTACT_CLINIC, TriageLevel.URGENT


@pytest.mark.parametrize(
    ("symptom", "severity", "days", "worsening", "level"),
    [
        ("redness", "mild", 1, False, E),
        ("redness", "moderate", 7, False, E),
        ("redness", "mild", 8, False, C),
        ("redness", "severe", 1, False, C),
        ("redness", "mild", 2, True, C),
        ("swelling", "mild", 3, False, E),
        ("swelling", "severe", 3, False, C),
        ("pain", "moderate", 2, False, E),
        ("bruising", "mild", 10, False, E),
        ("bruising", "mild", 11, False, C),
        ("dryness_flaking", "mild", 3, False, E),
        ("dryness_flaking", "mild", 6, False, C),
        ("bleeding", "mild", 0, False, E),
        ("bleeding", "mild", 1, False, C),
        ("bleeding", "severe", 0, False, U),
        ("pus_drainage", "mild", 2, False, C),
        ("pus_drainage", "severe", 2, False, U),
        ("fever", "mild", 2, False, U),
        ("blisters_vesicles", "mild", 2, False, C),
        ("dark_patches", "mild", 14, False, C),
        ("firm_bumps", "mild", 30, False, C),
        ("track_marks", "mild", 5, False, C),
        ("burns", "mild", 1, False, C),
        ("burns", "moderate", 1, False, U),
    ],
)
def test_triage(
    symptom: str, severity: str, days: int, worsening: bool, level: TriageLevel
) -> None:
    result = triage(
        SymptomReport.model_validate(
            {
                "symptom": symptom,
                "severity": severity,
                "days_since_session": days,
                "worsening": worsening,
            }
        )
    )
    assert result.level is level
    assert result.reason and result.advice
    assert result.sources or result.evidence == "unsourced"


def test_every_symptom_has_a_rule() -> None:
    for symptom in Symptom:
        assert triage(SymptomReport(symptom=symptom, days_since_session=1)).advice


def test_triage_all_puts_the_most_serious_first() -> None:
    results = triage_all(
        [
            SymptomReport(symptom=Symptom.REDNESS, days_since_session=1),
            SymptomReport(symptom=Symptom.FEVER, days_since_session=1),
            SymptomReport(symptom=Symptom.DARK_PATCHES, days_since_session=1),
        ]
    )
    assert [r.level for r in results] == [U, C, E]


def test_reason_mentions_the_expected_window() -> None:
    result = triage(SymptomReport(symptom=Symptom.REDNESS, days_since_session=9))
    assert "day 7" in result.reason


def test_timeline_is_day_by_day_with_dates() -> None:
    days = aftercare_timeline(session_date=date(2026, 12, 1))
    assert [d.day for d in days] == list(range(15))
    assert days[0].date == date(2026, 12, 1) and days[14].date == date(2026, 12, 15)
    assert any("make-up" in i.text for i in days[0].instructions)
    assert any("SPF" in i.text for i in days[10].instructions)
    assert all(i.sources for d in days for i in d.instructions)


def test_check_in_days_come_from_the_protocol() -> None:
    assert check_in_days() == [1, 3, 7]
