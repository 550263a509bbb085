"""Dashboard panels of screenings: deferred patients due for re-screening, and hard-stop
overrides waiting for a second clinician."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from needlechart.accounts.models import CLINICAL_ROLES
from needlechart.accounts.permissions import acting_user
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.screenings.selectors import (
    overrides_awaiting_confirmation,
    screenings_due_for_rescreen,
)

PANEL_LIMIT = 10


@register_panel(roles=CLINICAL_ROLES)
def rescreen_due_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the longest-due deferrals)."""
    due = screenings_due_for_rescreen(user=acting_user(request), today=timezone.localdate())
    return DashboardPanel(
        title="Deferred patients due for re-screening",
        template="screenings/_dashboard_rescreen.html",
        context={"count": due.count(), "items": list(due[:PANEL_LIMIT])},
        order=21,
    )


@register_panel(roles=CLINICAL_ROLES)
def override_confirmations_panel(request: HttpRequest) -> DashboardPanel | None:
    """Hard-stop overrides waiting for a second clinician. Two queries."""
    pending = overrides_awaiting_confirmation(user=acting_user(request))
    return DashboardPanel(
        title="Overrides awaiting a second clinician",
        template="screenings/_dashboard_confirmations.html",
        context={"count": pending.count(), "items": list(pending[:PANEL_LIMIT])},
        order=20,
    )
