"""Dashboard panel: messages that failed to send (every staff role; front desk follows up)."""

from __future__ import annotations

from django.http import HttpRequest

from needlechart.accounts.models import User
from needlechart.core.dashboard import DashboardPanel, register_panel
from needlechart.notifications.models import Message, MessageStatus

PANEL_LIMIT = 10


@register_panel
def failed_messages_panel(request: HttpRequest) -> DashboardPanel | None:
    """Two queries (count and the latest failures); hidden when nothing failed."""
    if not isinstance(request.user, User):
        return None
    failed = Message.objects.filter(status=MessageStatus.FAILED)
    count = failed.count()
    if not count:
        return None
    items = list(failed.select_related("patient").order_by("-updated_at")[:PANEL_LIMIT])
    return DashboardPanel(
        title="Messages that failed to send",
        template="notifications/_dashboard_failed.html",
        context={"count": count, "items": items},
        order=15,
    )
