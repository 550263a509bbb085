"""Dashboard panels and the chart timeline entries of the portal."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.portal.models import CheckIn, RescheduleRequest
from needlechart.portal.selectors import check_ins_needing_review

PANEL_LIMIT = 20


@register_panel
def check_ins_to_review(request: HttpRequest) -> DashboardPanel | None:
    if not getattr(request.user, "can_view_clinical", False):
        return None
    items = list(check_ins_needing_review()[:PANEL_LIMIT])
    return DashboardPanel(
        title="Check-ins needing review",
        template="portal/_dashboard_check_ins.html",
        context={"items": items},
        order=15,
    )


@register_panel
def reschedule_requests(request: HttpRequest) -> DashboardPanel | None:
    if not getattr(request.user, "can_manage_patients", False):
        return None
    items = list(
        RescheduleRequest.objects.filter(handled_at__isnull=True)
        .select_related("patient", "appointment")
        .order_by("created_at")[:PANEL_LIMIT]
    )
    return DashboardPanel(
        title="Reschedule requests",
        template="portal/_dashboard_reschedule.html",
        context={"items": items},
        order=16,
    )


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
