"""Consultations on the patient chart timeline."""

from __future__ import annotations

from django.urls import reverse

from needlechart.consultations.models import ConsultationStatus
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider


@register_timeline_provider
def consultations(patient: Patient) -> list[TimelineEntry]:
    """One query."""
    return [
        TimelineEntry(
            date=c.consulted_on,
            kind="consultation",
            title="Consultation (draft)"
            if c.status == ConsultationStatus.DRAFT
            else "Consultation",
            url=reverse("consultations:edit", args=[c.pk]),
            status=c.status,
        )
        for c in patient.consultations.only("id", "consulted_on", "status", "patient_id")
    ]
