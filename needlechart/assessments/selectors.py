"""Reads of assessments, scoped by the acting user."""

from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.assessments.models import Assessment
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID


def assessment_get_for(*, user: User, assessment_id: int) -> Assessment:
    """One assessment with its patient, consultation and author (one query)."""
    require_clinical(user)
    if not 0 < assessment_id <= MAX_DB_ID:
        raise Http404("No such assessment.")
    try:
        return Assessment.objects.select_related("patient", "consultation", "created_by").get(
            pk=assessment_id
        )
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


def assessment_list_for(*, user: User, patient: Patient) -> QuerySet[Assessment]:
    require_clinical(user)
    return (
        Assessment.objects.filter(patient=patient)
        .select_related("created_by")
        .order_by("-assessed_on", "-id")
    )


def assessment_latest(*, patient: Patient) -> Assessment | None:
    """The most recent assessment of a patient (by date, then by recording order)."""
    return (
        Assessment.objects.filter(patient=patient)
        .order_by("-assessed_on", "-created_at", "-id")
        .first()
    )
