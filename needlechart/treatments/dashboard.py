"""Dashboard panels: reported symptoms to review; records awaiting countersignature.

Each panel runs at most two queries."""

from django.http import HttpRequest

from needlechart.accounts.models import User
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.treatments.selectors import (
    sessions_awaiting_countersign,
    symptom_reports_to_review,
)

PANEL_ROWS = 8


@register_panel
def symptoms_to_review_panel(request: HttpRequest) -> DashboardPanel | None:
    user = request.user
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    reports = symptom_reports_to_review(user=user)
    rows = list(reports[:PANEL_ROWS])
    count = len(rows) if len(rows) < PANEL_ROWS else reports.count()
    return DashboardPanel(
        title="Reported symptoms to review",
        template="treatments/_dashboard_symptoms.html",
        context={"reports": rows, "count": count, "can_resolve": user.is_clinician},
        order=15,
    )


@register_panel
def awaiting_countersign_panel(request: HttpRequest) -> DashboardPanel | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active or not user.is_clinician:
        return None
    records = sessions_awaiting_countersign(user=user)
    rows = list(records[:PANEL_ROWS])
    if not rows:
        return None
    count = len(rows) if len(rows) < PANEL_ROWS else records.count()
    return DashboardPanel(
        title="Session records awaiting countersignature",
        template="treatments/_dashboard_countersign.html",
        context={"sessions": rows, "count": count},
        order=16,
    )
