"""Reads of screenings, scoped by the acting user. Each runs a fixed number of queries."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.consultations.models import Consultation
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.screenings.models import Screening


def screening_get_for(*, user: User, screening_id: int) -> Screening:
    """The screening with consultation, patient, override and authors: one query."""
    if not user.can_view_clinical:
        raise PermissionDenied
    if not 0 < screening_id <= MAX_DB_ID:
        raise Http404("No such screening.")
    try:
        return (
            Screening.objects.select_related(
                "consultation",
                "patient",
                "created_by",
                "override",
                "override__created_by",
            )
            .with_latest_of_consultation()
            .get(pk=screening_id)
        )
    except Screening.DoesNotExist:
        raise Http404("No such screening.") from None


def screening_history(*, user: User, consultation: Consultation) -> list[Screening]:
    """All screenings of a consultation, newest first, with overrides: one query."""
    if not user.can_view_clinical:
        raise PermissionDenied
    screenings = list(
        Screening.objects.filter(consultation=consultation)
        .select_related("created_by", "override", "override__created_by")
        .newest_first()
    )
    latest_id = screenings[0].pk if screenings else None
    for s in screenings:
        s.latest_id = latest_id  # type: ignore[attr-defined]  # read by is_current
    return screenings


def screenings_due_for_rescreen(*, user: User, today: date) -> QuerySet[Screening]:
    """The dashboard's deferred patients due for re-screening (`due_for_rescreen`), the
    longest due first, with patient and consultation."""
    if not user.can_view_clinical:
        raise PermissionDenied
    return (
        Screening.objects.due_for_rescreen(today=today)
        .select_related("patient", "consultation")
        .order_by("rescreen_on", "id")
    )
