"""Dashboard panels: reported symptoms to review; records awaiting countersignature.

Each panel runs at most two queries."""

from django.http import HttpRequest

from needlechart.accounts.models import CLINICAL_ROLES, Role
from needlechart.accounts.permissions import acting_user
from needlechart.core.dashboard import DashboardPanel, first_rows, register_panel
from needlechart.treatments.selectors import (
    sessions_awaiting_countersign,
    symptom_reports_to_review,
)

PANEL_ROWS = 8


@register_panel(roles=CLINICAL_ROLES)
def symptoms_to_review_panel(request: HttpRequest) -> DashboardPanel | None:
    user = acting_user(request)
    rows, count = first_rows(symptom_reports_to_review(user=user), PANEL_ROWS)
    return DashboardPanel(
        title="Reported symptoms to review",
        template="treatments/_dashboard_symptoms.html",
        context={"reports": rows, "count": count, "can_resolve": user.is_clinician},
        order=15,
    )


@register_panel(roles={Role.CLINICIAN})
def awaiting_countersign_panel(request: HttpRequest) -> DashboardPanel | None:
    rows, count = first_rows(sessions_awaiting_countersign(user=acting_user(request)), PANEL_ROWS)
    if not rows:
        return None
    return DashboardPanel(
        title="Session records awaiting countersignature",
        template="treatments/_dashboard_countersign.html",
        context={"sessions": rows, "count": count},
        order=16,
    )
