"""Dashboard panel: plans waiting for a clinician's approval (two queries at most)."""

from django.http import HttpRequest

from needlechart.accounts.models import User
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.plans.selectors import plans_awaiting_approval

PANEL_ROWS = 8


@register_panel
def plans_awaiting_panel(request: HttpRequest) -> DashboardPanel | None:
    user = request.user
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    drafts = plans_awaiting_approval(user=user)
    if user.is_clinician:
        rows = list(drafts[:PANEL_ROWS])
        count = len(rows) if len(rows) < PANEL_ROWS else drafts.count()
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
