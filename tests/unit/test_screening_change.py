"""Completing a consultation again: a confirm step before replacing a screening with an
override or an approved plan, and an approved plan held for a clinician's review when the new
screening differs from the one it was approved on."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.completion import CONFIRM_REPLACE_CODE
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.selectors import plan_screening_change
from needlechart.plans.services import (
    REVIEW_NOT_TREATABLE,
    REVIEW_NOTHING,
    REVIEW_ROLE,
    SCREENING_CHANGED,
    plan_screening_review,
)
from needlechart.screenings.models import Screening
from needlechart.screenings.services import (
    REPLACE_HAS_OVERRIDE,
    REPLACE_HAS_PLAN,
    consultation_complete,
    screening_override,
)
from needlechart.treatments.services import session_start
from tests.factories.plans import example_intake, screen_patient
from tests.factories.treatments import all_no, consented_plan

pytestmark = pytest.mark.django_db


def intake(**history: str) -> dict[str, Any]:
    data = example_intake()
    data["history"] = {**data.get("history", {}), **history}
    return data


def recomplete(plan: TreatmentPlan, by: User, data: dict[str, Any], **kw: Any) -> Screening:
    return consultation_complete(consultation=plan.consultation, by=by, data=data, **kw)


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


def test_recompleting_under_an_approved_plan_asks_for_a_confirmation(
    clinician: User, plan: TreatmentPlan
) -> None:
    before = Screening.objects.count()
    with pytest.raises(ValidationError) as exc:
        recomplete(plan, clinician, intake(hsv_history="yes"))
    assert exc.value.code == CONFIRM_REPLACE_CODE
    assert REPLACE_HAS_PLAN in exc.value.message
    assert Screening.objects.count() == before  # nothing replaced
    recomplete(plan, clinician, intake(hsv_history="yes"), replace_confirmed=True)
    assert Screening.objects.count() == before + 1


def test_recompleting_over_an_override_asks_for_a_confirmation(
    clinician: User, patient: Patient
) -> None:
    screening = screen_patient(patient=patient, by=clinician)
    screening_override(screening=screening, verdict="defer", reason="Wait", by=clinician)
    with pytest.raises(ValidationError) as exc:
        consultation_complete(
            consultation=screening.consultation, by=clinician, data=example_intake()
        )
    assert REPLACE_HAS_OVERRIDE in exc.value.message
    assert REPLACE_HAS_PLAN not in exc.value.message


def test_recompleting_with_nothing_to_lose_needs_no_confirmation(
    clinician: User, patient: Patient
) -> None:
    screening = screen_patient(patient=patient, by=clinician)
    again = consultation_complete(
        consultation=screening.consultation, by=clinician, data=example_intake()
    )
    assert again.pk != screening.pk


def test_a_different_screening_holds_charting_until_a_clinician_reviews(
    clinician: User, aesthetician: User, plan: TreatmentPlan
) -> None:
    assert plan_screening_change(plan=plan) is None
    new = recomplete(plan, clinician, intake(hsv_history="yes"), replace_confirmed=True)
    assert new.is_treatable
    change = plan_screening_change(plan=plan)
    assert change is not None and change.current == new
    assert change.added  # the new finding is named
    with pytest.raises(ValidationError) as blocked:
        session_start(plan=plan, by=clinician, answers=all_no())
    assert blocked.value.messages == [SCREENING_CHANGED]
    with pytest.raises(PermissionDenied, match=REVIEW_ROLE):
        plan_screening_review(plan=plan, by=aesthetician)
    plan_screening_review(plan=plan, by=clinician)
    event = AuditEvent.objects.get(action="plan.screening_review")
    assert event.detail["reviewed_screening"] == new.pk
    plan.refresh_from_db()
    assert plan_screening_change(plan=plan) is None
    assert session_start(plan=plan, by=clinician, answers=all_no()).pk
    with pytest.raises(ValidationError, match=REVIEW_NOTHING):
        plan_screening_review(plan=plan, by=clinician)


def test_the_same_result_screened_again_needs_no_review(
    clinician: User, plan: TreatmentPlan
) -> None:
    recomplete(plan, clinician, example_intake(), replace_confirmed=True)
    assert plan_screening_change(plan=plan) is None
    assert session_start(plan=plan, by=clinician, answers=all_no()).pk


def test_a_new_screening_that_stops_treatment_cannot_be_reviewed_away(
    clinician: User, plan: TreatmentPlan
) -> None:
    data = example_intake(pregnant="yes")
    new = recomplete(plan, clinician, data, replace_confirmed=True)
    assert not new.is_treatable
    with pytest.raises(ValidationError) as exc:
        plan_screening_review(plan=plan, by=clinician)
    assert exc.value.messages == [
        REVIEW_NOT_TREATABLE.format(verdict=new.get_effective_verdict_display())
    ]
    with pytest.raises(ValidationError):
        session_start(plan=plan, by=clinician, answers=all_no())
