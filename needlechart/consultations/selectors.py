"""Reads of consultations, scoped by the acting user."""

from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.patients.selectors import MAX_DB_ID


def consultation_get_for(*, user: User, consultation_id: int) -> Consultation:
    """The consultation with its patient (one query), if this user may read clinical records."""
    require_clinical(user)
    if not 0 < consultation_id <= MAX_DB_ID:
        raise Http404("No such consultation.")
    try:
        return Consultation.objects.select_related("patient", "completed_by", "created_by").get(
            pk=consultation_id
        )
    except Consultation.DoesNotExist:
        raise Http404("No such consultation.") from None


def consultations_awaiting_completion(*, user: User) -> QuerySet[Consultation]:
    """Drafts of active patients, oldest first (the longest waiting on top)."""
    require_clinical(user)
    return (
        Consultation.objects.filter(
            status=ConsultationStatus.DRAFT, patient__archived_at__isnull=True
        )
        .select_related("patient")
        .order_by("consulted_on", "id")
    )
