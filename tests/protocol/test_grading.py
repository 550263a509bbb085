"""Goodman & Baron (qualitative and the unverified quantitative table), IGA and GAGS."""

from __future__ import annotations

from typing import Any

import pytest

from needlechart.protocol import GradingError, grade
from needlechart.protocol.intake import ActiveAcne, Scars


def _scars(**kw: Any) -> Scars:
    return Scars.model_validate(kw)


@pytest.mark.parametrize(
    ("scars", "expected"),
    [
        ({}, None),
        ({"counts": {"macular": 12}}, 1),
        ({"counts": {"rolling": 5}, "visible_at_social_distance": "no"}, 2),
        (
            {
                "counts": {"rolling": 5},
                "visible_at_social_distance": "yes",
                "flatten_on_stretch": "yes",
            },
            3,
        ),
        (
            {
                "counts": {"boxcar_deep": 5},
                "visible_at_social_distance": "yes",
                "flatten_on_stretch": "no",
            },
            4,
        ),
        ({"counts": {"rolling": 5}, "visible_at_social_distance": "yes"}, None),
        ({"counts": {"rolling": 5}}, None),
    ],
)
def test_qualitative_grade(scars: dict[str, Any], expected: int | None) -> None:
    result = grade(_scars(**scars), ActiveAcne()).qualitative
    assert result.grade == expected
    assert result.reason
    assert result.sources == ["S40"]
    if expected is not None:
        assert result.level and result.definition


def test_qualitative_grade_says_what_is_missing() -> None:
    result = grade(_scars(counts={"rolling": 5}), ActiveAcne()).qualitative
    assert "50 cm" in result.reason and "stretched" in result.reason


def test_quantitative_worked_example_from_the_reference() -> None:
    # Reference §4.2: 12 shallow punched-out (B -> 4) + 6 deep normal-base (C -> 3)
    # + 25 mild dish-like (A -> 3) = 10.
    scars = _scars(
        quantitative_counts={"b_punched_shallow": 12, "c_punched_deep_normal": 6, "a_mild_dish": 25}
    )
    score = grade(scars, ActiveAcne()).quantitative
    assert score is not None
    assert score.score == 10
    assert score.verified is False
    assert "UNVERIFIED" in score.label


@pytest.mark.parametrize(
    ("count", "points"), [(0, 0), (1, 3), (10, 3), (11, 6), (20, 6), (21, 9), (500, 9)]
)
def test_quantitative_count_bands(count: int, points: int) -> None:
    score = grade(_scars(quantitative_counts={"c_deep_broad": count}), ActiveAcne()).quantitative
    assert score is not None and score.score == points


@pytest.mark.parametrize(
    ("area", "points"), [(0.5, 6), (4.99, 6), (5, 12), (19.9, 12), (20, 12), (20.01, 18), (300, 18)]
)
def test_hyperplastic_area_bands(area: float, points: int) -> None:
    score = grade(_scars(hyperplastic_area_cm2=area), ActiveAcne()).quantitative
    assert score is not None and score.per_category == {"d_hyperplastic_area": points}


def test_maximum_score_is_84_under_the_unverified_table() -> None:
    from needlechart.protocol import default_protocol

    codes = [
        c.code for c in default_protocol().document.grading.goodman_baron_quantitative.categories
    ]
    score = grade(
        _scars(quantitative_counts={c: 99 for c in codes}, hyperplastic_area_cm2=50), ActiveAcne()
    ).quantitative
    assert score is not None and score.score == 84


def test_no_quantitative_score_without_counts() -> None:
    assert grade(_scars(counts={"rolling": 3}), ActiveAcne()).quantitative is None


def test_unknown_category_is_a_clear_error() -> None:
    with pytest.raises(GradingError, match="unknown quantitative category 'x_made_up'"):
        grade(_scars(quantitative_counts={"x_made_up": 3}), ActiveAcne())


def test_gags_worked_example_from_the_reference() -> None:
    acne = ActiveAcne.model_validate(
        {
            "present": "yes",
            "iga": 3,
            "gags": {
                "forehead": "papule",
                "right_cheek": "pustule",
                "left_cheek": "papule",
                "nose": "comedone",
                "chin": "nodule",
                "chest_upper_back": "none",
            },
        }
    )
    result = grade(Scars(), acne).acne
    assert result.gags_score == 19
    assert result.gags_band == "moderate"
    assert (
        result.iga == 3 and result.iga_descriptor and result.iga_descriptor.startswith("Moderate")
    )


@pytest.mark.parametrize(
    ("lesions", "band"),
    [
        ({"forehead": "comedone"}, "mild"),  # 2
        (
            {
                "forehead": "nodule",
                "right_cheek": "nodule",
                "left_cheek": "nodule",
                "nose": "nodule",
                "chin": "nodule",
            },
            "severe",
        ),  # 32
        (
            {
                "forehead": "nodule",
                "right_cheek": "nodule",
                "left_cheek": "nodule",
                "nose": "pustule",
                "chest_upper_back": "nodule",
            },
            "very severe",
        ),  # 39
        ({"forehead": "none"}, "none"),
        # The band edges of the reference: 18/19, 30/31, 38/39.
        ({"forehead": "pustule", "right_cheek": "pustule", "left_cheek": "pustule"}, "mild"),
        (
            {
                "forehead": "nodule",
                "right_cheek": "nodule",
                "left_cheek": "nodule",
                "nose": "pustule",
                "chin": "pustule",
            },
            "moderate",
        ),  # 30
        (
            {
                "forehead": "nodule",
                "right_cheek": "nodule",
                "left_cheek": "nodule",
                "nose": "nodule",
                "chin": "pustule",
            },
            "severe",
        ),  # 31
        (
            {
                "forehead": "nodule",
                "right_cheek": "nodule",
                "left_cheek": "nodule",
                "nose": "nodule",
                "chin": "nodule",
                "chest_upper_back": "papule",
            },
            "severe",
        ),  # 38
    ],
)
def test_gags_bands(lesions: dict[str, str], band: str) -> None:
    result = grade(Scars(), ActiveAcne.model_validate({"present": "yes", "gags": lesions})).acne
    assert result.gags_band == band
