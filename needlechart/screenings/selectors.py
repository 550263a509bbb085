"""Reads of screenings, scoped by the acting user. Each runs a fixed number of queries."""

from datetime import date

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.consultations.models import Consultation
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.protocol import OverrideLevel
from needlechart.screenings.models import Screening, ScreeningOverride


def screening_get_for(*, user: User, screening_id: int) -> Screening:
    """The screening with consultation, patient, override and authors: one query."""
    require_clinical(user)
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
                "override__confirmed_by",
            )
            .with_latest_of_consultation()
            .get(pk=screening_id)
        )
    except Screening.DoesNotExist:
        raise Http404("No such screening.") from None


def screening_history(*, user: User, consultation: Consultation) -> list[Screening]:
    """All screenings of a consultation, newest first, with overrides: one query."""
    require_clinical(user)
    screenings = list(
        Screening.objects.filter(consultation=consultation)
        .select_related("created_by", "override", "override__created_by", "override__confirmed_by")
        .newest_first()
    )
    latest_id = screenings[0].pk if screenings else None
    for s in screenings:
        s.latest_id = latest_id  # type: ignore[attr-defined]  # read by is_current
    return screenings


def screenings_due_for_rescreen(*, user: User, today: date) -> QuerySet[Screening]:
    """The dashboard's deferred patients due for re-screening (`due_for_rescreen`), the
    longest due first, with patient and consultation."""
    require_clinical(user)
    return (
        Screening.objects.due_for_rescreen(today=today)
        .select_related("patient", "consultation")
        .order_by("rescreen_on", "id")
    )


def overrides_awaiting_confirmation(*, user: User) -> QuerySet[ScreeningOverride]:
    """Hard-stop overrides waiting for a second clinician, on screenings still current,
    oldest first. Clinical staff read them; only a clinician (not the overrider) confirms."""
    require_clinical(user)
    latest = Subquery(
        Screening.objects.filter(consultation_id=OuterRef("screening__consultation_id"))
        .newest_first()
        .values("id")[:1]
    )
    return (
        ScreeningOverride.objects.filter(
            level=OverrideLevel.SECOND_CLINICIAN.value,
            confirmed_at__isnull=True,
            screening__patient__archived_at__isnull=True,
        )
        .annotate(latest_screening=latest)
        .filter(screening_id=F("latest_screening"))
        .select_related("screening", "screening__patient", "created_by")
        .order_by("created_at", "id")
    )
