"""The dashboard's "New pre-screen requests" panel."""

from __future__ import annotations

from django.http import HttpRequest

from needlechart.accounts.permissions import acting_user
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.prescreen.selectors import new_leads

PANEL_LIMIT = 5


@register_panel()
def new_prescreen_requests_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the latest few)."""
    leads = new_leads(user=acting_user(request))
    return DashboardPanel(
        title="New pre-screen requests",
        template="prescreen/_dashboard_leads.html",
        context={
            "count": leads.count(),
            "items": list(leads.only("id", "name", "created_at")[:PANEL_LIMIT]),
        },
        order=15,
    )
