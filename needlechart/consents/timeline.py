"""Consents on the patient's course timeline (clinical): signed and withdrawn."""

from django.urls import reverse

from needlechart.consents.models import Consent
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider


@register_timeline_provider
def consents(patient: Patient) -> list[TimelineEntry]:
    """One query: an entry when both signatures are in, another when withdrawn."""
    entries = []
    rows = Consent.objects.filter(patient=patient).only(
        "id", "status", "clinician_signed_at", "withdrawn_at", "device"
    )
    for consent in rows:
        url = reverse("consents:detail", args=[consent.pk])
        if consent.clinician_signed_at is not None:
            entries.append(
                TimelineEntry(
                    date=consent.clinician_signed_at,
                    kind="consent",
                    title="Consent signed",
                    url=url,
                    status="signed",
                )
            )
        if consent.withdrawn_at is not None:
            entries.append(
                TimelineEntry(
                    date=consent.withdrawn_at,
                    kind="consent_withdrawn",
                    title="Consent withdrawn",
                    url=url,
                    status="withdrawn",
                )
            )
    return entries
