"""Dashboard panel: messages that failed to send (every staff role; front desk follows up)."""

from __future__ import annotations

from django.http import HttpRequest

from needlechart.core.dashboard import DashboardPanel, first_rows, register_panel
from needlechart.notifications.models import Message, MessageStatus

PANEL_LIMIT = 10


@register_panel()
def failed_messages_panel(request: HttpRequest) -> DashboardPanel | None:
    """One query, two when the first page is full; hidden when nothing failed."""
    failed = Message.objects.filter(status=MessageStatus.FAILED)
    items, count = first_rows(failed.select_related("patient").order_by("-updated_at"), PANEL_LIMIT)
    if not count:
        return None
    return DashboardPanel(
        title="Messages that failed to send",
        template="notifications/_dashboard_failed.html",
        context={"count": count, "items": items},
        order=15,
    )
