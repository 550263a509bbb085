"""Consultations on the patient chart timeline, and the drafts panel on the dashboard."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from needlechart.accounts.models import User
from needlechart.consultations.models import ConsultationStatus
from needlechart.consultations.selectors import consultations_awaiting_completion
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider

PANEL_LIMIT = 10


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


@register_panel
def consultations_awaiting_completion_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the oldest drafts)."""
    user = request.user
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    drafts = consultations_awaiting_completion(user=user)
    return DashboardPanel(
        title="Consultations awaiting completion",
        template="consultations/_dashboard_drafts.html",
        context={"count": drafts.count(), "items": list(drafts[:PANEL_LIMIT])},
        order=20,
    )
