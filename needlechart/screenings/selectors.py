"""Reads of screenings, scoped by the acting user. Each runs a fixed number of queries."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.consultations.models import Consultation
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.protocol import Verdict
from needlechart.screenings.models import Screening


def _latest_for_consultation() -> Subquery:
    return Subquery(
        Screening.objects.filter(consultation_id=OuterRef("consultation_id"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )


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
            .annotate(latest_id=_latest_for_consultation())
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
        .order_by("-created_at", "-id")
    )
    latest_id = screenings[0].pk if screenings else None
    for s in screenings:
        s.latest_id = latest_id  # type: ignore[attr-defined]  # read by is_current
    return screenings


def screenings_due_for_rescreen(*, user: User, today: date) -> QuerySet[Screening]:
    """Each active patient's latest screening, if it (as overridden) defers and is now due."""
    if not user.can_view_clinical:
        raise PermissionDenied
    latest_for_patient = Subquery(
        Screening.objects.filter(patient_id=OuterRef("patient_id"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    return (
        Screening.objects.annotate(
            latest_patient_screening=latest_for_patient,
            effective=Coalesce("override__verdict", F("verdict")),
        )
        .filter(
            id=F("latest_patient_screening"),
            effective=Verdict.DEFER.value,
            rescreen_on__lte=today,
            patient__archived_at__isnull=True,
        )
        .select_related("patient", "consultation")
        .order_by("rescreen_on", "id")
    )
