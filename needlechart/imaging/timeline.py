"""Photos on the patient's course timeline (clinical): one entry per visit date,
"N photos (visit)". One query whatever the number of photos."""

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.urls import reverse

from needlechart.imaging.models import Photo, VisitKind
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider


def _visit_label(kind: str, session_numbers: set[int]) -> str:
    try:
        label = str(VisitKind(kind).label).lower()
    except ValueError:
        label = kind
    if kind == VisitKind.SESSION and session_numbers:
        label += " " + ", ".join(str(n) for n in sorted(session_numbers))
    return label


@register_timeline_provider
def photos(patient: Patient) -> list[TimelineEntry]:
    rows = (
        Photo.objects.filter(patient=patient, archived_at__isnull=True)
        .values("taken_on", "visit_kind", "session__session_number")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[date, int] = defaultdict(int)
    kinds: dict[date, dict[str, set[int]]] = defaultdict(dict)
    for row in rows:
        day = row["taken_on"]
        counts[day] += row["n"]
        numbers = kinds[day].setdefault(row["visit_kind"], set())
        if row["session__session_number"] is not None:
            numbers.add(row["session__session_number"])
    url = reverse("imaging:gallery", args=[patient.pk])
    entries = []
    for day in sorted(counts):
        visits = "; ".join(_visit_label(k, n) for k, n in sorted(kinds[day].items()))
        count = counts[day]
        entries.append(
            TimelineEntry(
                date=day,
                kind="photos",
                title=f"{count} photo{'s' if count != 1 else ''} ({visits})",
                url=url,
            )
        )
    return entries
