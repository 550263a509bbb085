"""Dashboard panel: today's appointments, for every staff role (two queries)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from needlechart.accounts.permissions import acting_user
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.scheduling.selectors import appointments_on


@register_panel()
def todays_appointments(request: HttpRequest) -> DashboardPanel | None:
    user = acting_user(request)
    today = timezone.localdate()
    rows = appointments_on(user=user, day=today)
    mine = [a for a in rows if a.practitioner_id == user.pk]
    return DashboardPanel(
        title="Today's appointments",
        template="scheduling/_dashboard_today.html",
        context={"appointments": rows, "today": today, "mine": len(mine)},
        order=10,
    )
