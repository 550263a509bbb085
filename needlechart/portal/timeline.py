"""Portal check-ins on the patient chart timeline."""

from __future__ import annotations

from django.urls import reverse

from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.portal.models import CheckIn


@register_timeline_provider
def check_ins(patient: Patient) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            date=c.created_at,
            kind="check_in",
            title=f"Portal check-in, day {c.day}" + (" (reviewed)" if c.reviewed_at else ""),
            url=reverse("portal:check_in_review", args=[c.pk]),
            status=c.worst_level,
        )
        for c in CheckIn.objects.filter(patient=patient).order_by("created_at")
    ]
