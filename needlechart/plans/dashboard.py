"""Dashboard panel: plans waiting for a clinician's approval (two queries at most)."""

from django.http import HttpRequest

from needlechart.accounts.models import CLINICAL_ROLES
from needlechart.accounts.permissions import acting_user
from needlechart.core.dashboard import DashboardPanel, first_rows, register_panel
from needlechart.plans.selectors import plans_awaiting_approval

PANEL_ROWS = 8


@register_panel(roles=CLINICAL_ROLES)
def plans_awaiting_panel(request: HttpRequest) -> DashboardPanel | None:
    user = acting_user(request)
    drafts = plans_awaiting_approval(user=user)
    if user.is_clinician:
        rows, count = first_rows(drafts, PANEL_ROWS)
        context = {"plans": rows, "count": count, "can_approve": True}
    else:
        # Read-only count for the other clinical role: who approves is the clinician.
        context = {"plans": [], "count": drafts.count(), "can_approve": False}
    return DashboardPanel(
        title="Plans awaiting approval",
        template="plans/_dashboard_awaiting.html",
        context=context,
        order=30,
    )
