"""Dashboard panel: completed courses whose follow-up window has opened with no follow-up
since the last session (two queries at most)."""

from django.http import HttpRequest
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.outcomes.course import follow_up_window
from needlechart.outcomes.selectors import follow_ups_due
from needlechart.protocol import default_protocol

PANEL_ROWS = 8


@register_panel
def follow_ups_due_panel(request: HttpRequest) -> DashboardPanel | None:
    user = request.user
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    today = timezone.localdate()
    rule = default_protocol().document.follow_up
    due = follow_ups_due(user=user, today=today)
    plans = list(due[:PANEL_ROWS])
    count = len(plans) if len(plans) < PANEL_ROWS else due.count()
    rows = []
    for plan in plans:
        last_on = plan.last_on  # type: ignore[attr-defined]
        window = follow_up_window(last_on, rule)
        rows.append(
            {
                "patient": plan.patient,
                "last_on": last_on,
                "window": window,
                "overdue": today > window.closes,
            }
        )
    return DashboardPanel(
        title="Follow-ups due",
        template="outcomes/_dashboard_due.html",
        context={"rows": rows, "count": count, "rule": rule},
        order=40,
    )
