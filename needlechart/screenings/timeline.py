"""Screenings on the patient chart timeline, and the re-screening panel on the dashboard."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.protocol import Verdict
from needlechart.screenings.selectors import (
    overrides_awaiting_confirmation,
    screenings_due_for_rescreen,
)

PANEL_LIMIT = 10


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


@register_panel
def rescreen_due_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the longest-due deferrals)."""
    user = request.user
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    due = screenings_due_for_rescreen(user=user, today=timezone.localdate())
    return DashboardPanel(
        title="Deferred patients due for re-screening",
        template="screenings/_dashboard_rescreen.html",
        context={"count": due.count(), "items": list(due[:PANEL_LIMIT])},
        order=21,
    )


@register_panel
def override_confirmations_panel(request: HttpRequest) -> DashboardPanel | None:
    """Hard-stop overrides waiting for a second clinician. Two queries."""
    user = request.user
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    pending = overrides_awaiting_confirmation(user=user)
    return DashboardPanel(
        title="Overrides awaiting a second clinician",
        template="screenings/_dashboard_confirmations.html",
        context={"count": pending.count(), "items": list(pending[:PANEL_LIMIT])},
        order=20,
    )
