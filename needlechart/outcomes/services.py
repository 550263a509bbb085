"""Recording a follow-up visit: a re-grade (a follow-up Assessment, through the assessments
app) plus the patient's own rating of improvement, in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.assessments.models import AssessmentKind
from needlechart.assessments.services import assessment_record
from needlechart.audit.services import audit_record
from needlechart.core import dates
from needlechart.outcomes.models import RATING_MAX, RATING_MIN, FollowUp
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.selectors import current_plan

NOT_CLINICAL = "Only clinicians and aestheticians can record a follow-up."
PATIENT_ARCHIVED = "This patient's record is archived; a follow-up cannot be added."
RATING_INVALID = (
    f"Choose a rating from {RATING_MIN} (no improvement) to {RATING_MAX} (best imaginable)."
)
DATE_IN_FUTURE = dates.DATE_IN_FUTURE
DATE_REQUIRED = "Enter the follow-up date."
WRONG_PLAN = "This plan belongs to another patient."
NOTES_MAX = 5000
NOTES_TOO_LONG = f"Keep the notes under {NOTES_MAX} characters."


def _rating(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    if not RATING_MIN <= value <= RATING_MAX:
        raise ValueError
    return value


@transaction.atomic
def follow_up_record(
    *,
    patient: Patient,
    by: User,
    plan: TreatmentPlan | None = None,
    rating: int,
    notes: str = "",
    followed_on: date,
    today: date | None = None,
    **assessment_data: Any,
) -> FollowUp:
    """Record the re-grade and the rating together: either both are stored or neither.

    `assessment_data` goes to `assessment_record` (kind is always follow_up; the assessment
    date defaults to `followed_on`). `plan` defaults to the patient's approved plan."""
    require_clinical(by, NOT_CLINICAL)
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    try:
        rating = _rating(rating)
    except ValueError:
        errors["rating"] = RATING_INVALID
    if not isinstance(followed_on, date):
        errors["followed_on"] = DATE_REQUIRED
    else:
        errors |= dates.date_errors(
            {"followed_on": followed_on}, born=patient.date_of_birth, today=today, past=True
        )
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = NOTES_TOO_LONG
    if plan is not None and plan.patient_id != patient.pk:
        errors["plan"] = WRONG_PLAN
    if errors:
        raise ValidationError(errors)
    if plan is None:
        plan = current_plan(patient=patient)
    assessment_data["kind"] = AssessmentKind.FOLLOW_UP
    assessment_data.setdefault("assessed_on", followed_on)
    assessment = assessment_record(patient=patient, by=by, today=today, **assessment_data)
    follow_up = FollowUp(
        patient=patient,
        plan=plan,
        assessment=assessment,
        followed_on=followed_on,
        patient_rating=rating,
        notes=notes,
        created_by=by,
    )
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        actor=by,
        action="follow_up.create",
        obj=follow_up,
        patient_id=patient.pk,
        detail={
            "assessment": assessment.pk,
            "plan": plan.pk if plan else None,
            "patient_rating": rating,
            "quantitative_score": assessment.quantitative_score,
            "qualitative_grade": assessment.qualitative_grade,
            "suggested_grade": assessment.suggested_grade,
        },
    )
    return follow_up
