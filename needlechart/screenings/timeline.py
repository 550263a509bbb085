"""Screenings on the patient chart timeline."""

from __future__ import annotations

from django.urls import reverse

from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.protocol import Verdict


@register_timeline_provider
def screenings(patient: Patient) -> list[TimelineEntry]:
    """One query: each screening, and each override as its own entry on the day it was made."""
    entries: list[TimelineEntry] = []
    for s in patient.screenings.select_related("override"):
        url = reverse("screenings:detail", args=[s.pk])
        entries.append(
            TimelineEntry(
                date=s.screened_on,
                kind="screening",
                title=f"Screening: {Verdict(s.verdict).label.lower()}",
                url=url,
                status=s.verdict,
            )
        )
        override = s.override_or_none
        if override is not None:
            change = (
                f"{Verdict(s.verdict).label.lower()} → {Verdict(override.verdict).label.lower()}"
            )
            entries.append(
                TimelineEntry(
                    date=override.created_at,
                    kind="screening_override",
                    title=(
                        f"Screening override awaiting a second clinician: {change}"
                        if override.is_pending
                        else f"Screening verdict overridden: {change}"
                    ),
                    url=url,
                    status="awaiting" if override.is_pending else override.verdict,
                )
            )
            if override.confirmed_at is not None:
                entries.append(
                    TimelineEntry(
                        date=override.confirmed_at,
                        kind="screening_override",
                        title=f"Override confirmed by a second clinician: {change}",
                        url=url,
                        status=override.verdict,
                    )
                )
    return entries
