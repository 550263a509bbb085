"""Dashboard panels of the portal: check-ins to review, reschedule requests."""

from __future__ import annotations

from django.http import HttpRequest

from needlechart.accounts.models import CLINICAL_ROLES
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.portal.models import RescheduleRequest
from needlechart.portal.selectors import check_ins_needing_review

PANEL_LIMIT = 20


@register_panel(roles=CLINICAL_ROLES)
def check_ins_to_review(request: HttpRequest) -> DashboardPanel | None:
    items = list(check_ins_needing_review()[:PANEL_LIMIT])
    return DashboardPanel(
        title="Check-ins needing review",
        template="portal/_dashboard_check_ins.html",
        context={"items": items},
        order=15,
    )


@register_panel()
def reschedule_requests(request: HttpRequest) -> DashboardPanel | None:
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
