"""Dashboard panel: completed courses whose follow-up window has opened with no follow-up
since the last session (two queries at most)."""

from django.http import HttpRequest
from django.utils import timezone

from needlechart.accounts.models import CLINICAL_ROLES
from needlechart.accounts.permissions import acting_user
from needlechart.core.dashboard import DashboardPanel, first_rows, register_panel
from needlechart.outcomes.course import follow_up_window
from needlechart.outcomes.selectors import follow_ups_due
from needlechart.protocol import default_protocol

PANEL_ROWS = 8


@register_panel(roles=CLINICAL_ROLES)
def follow_ups_due_panel(request: HttpRequest) -> DashboardPanel | None:
    today = timezone.localdate()
    rule = default_protocol().document.follow_up
    plans, count = first_rows(follow_ups_due(user=acting_user(request), today=today), PANEL_ROWS)
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
