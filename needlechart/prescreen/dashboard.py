"""The dashboard's "New pre-screen requests" panel."""

from __future__ import annotations

from django.http import HttpRequest

from needlechart.accounts.models import User
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.prescreen.selectors import new_leads

PANEL_LIMIT = 5


@register_panel
def new_prescreen_requests_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the latest few)."""
    user = request.user
    if not isinstance(user, User) or not user.can_manage_patients:
        return None
    leads = new_leads(user=user)
    return DashboardPanel(
        title="New pre-screen requests",
        template="prescreen/_dashboard_leads.html",
        context={
            "count": leads.count(),
            "items": list(leads.only("id", "name", "created_at")[:PANEL_LIMIT]),
        },
        order=15,
    )
