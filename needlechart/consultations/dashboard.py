"""Dashboard panel: consultations still in draft."""

from __future__ import annotations

from django.http import HttpRequest

from needlechart.accounts.models import CLINICAL_ROLES
from needlechart.accounts.permissions import acting_user
from needlechart.consultations.selectors import consultations_awaiting_completion
from needlechart.core.dashboard import DashboardPanel, register_panel

PANEL_LIMIT = 10


@register_panel(roles=CLINICAL_ROLES)
def consultations_awaiting_completion_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the oldest drafts)."""
    drafts = consultations_awaiting_completion(user=acting_user(request))
    return DashboardPanel(
        title="Consultations awaiting completion",
        template="consultations/_dashboard_drafts.html",
        context={"count": drafts.count(), "items": list(drafts[:PANEL_LIMIT])},
        order=20,
    )
