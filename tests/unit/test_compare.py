"""Visits from photos, visit keys, and the scores attached to a comparison."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.assessments.models import AssessmentKind
from needlechart.assessments.services import assessment_record
from needlechart.imaging.compare import (
    comparison_for,
    group_visits,
    previous_photo,
    slot_label,
    visits_for,
)
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.imaging.visits import parse_visit_key, visit_key
from needlechart.patients.models import Patient
from tests.factories.imaging import give_photo_consent, store_photo, use_temp_photo_storage
from tests.factories.outcomes import signed_session


def _photo(pk: int, taken_on: date, view: str = "front", zone: str = "", **extra: Any) -> Photo:
    return Photo(pk=pk, taken_on=taken_on, view=view, zone=zone, **extra)


@pytest.mark.parametrize(
    "key",
    [
        "session-1",
        "follow_up-42",
        "consultation-2030-01-07",
        " consultation-2030-01-07 ",
        "session-2030-01-07",
        "follow_up-2030-01-07",
        "other-2030-01-07",
        "session-999999999999999999",
    ],
)
def test_valid_visit_keys(key: str) -> None:
    assert parse_visit_key(key) == key.strip()


@pytest.mark.parametrize(
    "key",
    [
        "",
        "session-",
        "session-0",
        "session-01",
        "session-x",
        "visit-1",
        "2030-01-07",  # a day alone is not a visit
        "consultation-2030-02-31",
        "consultation-2030-1-7",
        "visit-2030-01-07",
        "session-1;drop",
        "follow-up-1",
        "session-1234567890123456789",
    ],
)
def test_bad_visit_keys(key: str) -> None:
    with pytest.raises(ValueError):
        parse_visit_key(key)


def test_visit_key_by_link() -> None:
    day = date(2030, 1, 7)
    assert visit_key(_photo(1, day)) == "other-2030-01-07"
    assert visit_key(_photo(1, day, visit_kind=VisitKind.CONSULTATION)) == "consultation-2030-01-07"
    assert visit_key(_photo(1, day, session_id=5)) == "session-5"
    assert visit_key(_photo(1, day, follow_up_id=6)) == "follow_up-6"


def test_slot_labels() -> None:
    assert slot_label("front") == "Front"
    assert slot_label("close_up:left_cheek") == "Close-up · left cheek"


def test_group_visits_oldest_first_and_newest_photo_per_view() -> None:
    d1, d2 = date(2030, 1, 7), date(2030, 2, 7)
    photos = [
        _photo(4, d2, "front", visit_kind=VisitKind.OTHER),
        _photo(3, d1, "front", visit_kind=VisitKind.CONSULTATION),
        _photo(2, d1, "front", visit_kind=VisitKind.CONSULTATION),  # older of the same view
        _photo(1, d1, "close_up", "forehead", visit_kind=VisitKind.CONSULTATION),
        _photo(5, d1, "close_up", "chin", visit_kind=VisitKind.CONSULTATION),
    ]
    visits = group_visits(photos)
    assert [v.key for v in visits] == ["consultation-2030-01-07", "other-2030-02-07"]
    first = visits[0]
    assert first.photos["front"].pk == 3
    assert set(first.photos) == {"front", "close_up:forehead", "close_up:chin"}
    assert first.title == "Consultation"
    assert visits[1].title == "Other visit"
    assert first.label == "Consultation — 7 Jan 2030"


# ---------------------------------------------------------------- with the database


@pytest.fixture
def photos_ready(settings: Any, tmp_path: Path, clinician: User, patient: Patient) -> Any:
    use_temp_photo_storage(settings, tmp_path)
    return give_photo_consent(patient=patient, by=clinician)


@pytest.mark.django_db
def test_comparison_rows_missing_and_scores(
    photos_ready: Any, clinician: User, patient: Patient
) -> None:
    plan = photos_ready.plan
    session = signed_session(plan=plan, by=clinician, number=1, performed_on=date(2025, 1, 14))
    assessment_record(
        patient=patient,
        by=clinician,
        kind=AssessmentKind.BASELINE,
        assessed_on=date(2025, 1, 1),
        scar_counts={"cheeks": {"rolling": 9}},
        quantitative_counts={"b_moderate_dish": 4},
        qualitative_grade=3,
    )
    store_photo(patient=patient, by=clinician, taken_on=date(2025, 1, 7), view=PhotoView.FRONT)
    store_photo(patient=patient, by=clinician, taken_on=date(2025, 1, 7), view=PhotoView.LEFT_45)
    after_front = store_photo(
        patient=patient,
        by=clinician,
        taken_on=date(2025, 1, 14),
        view=PhotoView.FRONT,
        visit_kind=VisitKind.SESSION,
        session=session,
    )
    store_photo(
        patient=patient,
        by=clinician,
        taken_on=date(2025, 1, 14),
        view=PhotoView.RIGHT_45,
        visit_kind=VisitKind.SESSION,
        session=session,
    )
    visits = visits_for(user=clinician, patient=patient)
    assert [v.key for v in visits] == ["consultation-2025-01-07", f"session-{session.pk}"]
    assert visits[1].title == "Session 1"
    c = comparison_for(
        user=clinician,
        patient=patient,
        visits=visits,
        a="consultation-2025-01-07",
        b=f"session-{session.pk}",
    )
    assert [r.key for r in c.rows] == ["front"]
    assert c.rows[0].b == after_front
    assert [(r.key, r.a is None, r.b is None) for r in c.missing] == [
        ("left_45", False, True),
        ("right_45", True, False),
    ]
    assert c.a.score is not None and c.a.score.grade == 3 and c.a.score.grade_confirmed
    assert c.a.score.score is not None
    assert c.b.score is not None and c.b.score.assessed_on == date(2025, 1, 1)
    assert "UNVERIFIED" in c.quantitative_label.upper()
    with pytest.raises(Http404):
        comparison_for(
            user=clinician, patient=patient, visits=visits, a="consultation-2025-01-08", b="x"
        )


@pytest.mark.django_db
def test_previous_photo_same_view_and_zone(
    photos_ready: Any, clinician: User, patient: Patient
) -> None:
    assert previous_photo(user=clinician, patient=patient, view="front") is None
    store_photo(patient=patient, by=clinician, taken_on=date(2025, 1, 7))
    newest = store_photo(patient=patient, by=clinician, taken_on=date(2025, 2, 7))
    store_photo(patient=patient, by=clinician, taken_on=date(2025, 3, 7), view=PhotoView.LEFT_45)
    forehead = store_photo(
        patient=patient, by=clinician, taken_on=date(2025, 1, 7), view="close_up", zone="forehead"
    )
    store_photo(
        patient=patient, by=clinician, taken_on=date(2025, 3, 7), view="close_up", zone="chin"
    )
    assert previous_photo(user=clinician, patient=patient, view="front") == newest
    assert (
        previous_photo(user=clinician, patient=patient, view="close_up", zone="forehead")
        == forehead
    )
