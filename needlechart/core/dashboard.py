"""Dashboard panels registry.

Later apps add a panel to the home page by registering a function at import time
(typically in their `AppConfig.ready`):

    from needlechart.core.dashboard import DashboardPanel, register_panel

    @register_panel
    def upcoming_sessions(request) -> DashboardPanel | None:
        if not request.user.can_view_clinical:
            return None
        return DashboardPanel(title="Today", template="sessions/_dashboard_today.html",
                              context={...}, order=10)

A provider returns None to stay hidden for this user. Providers must keep their own
query count constant (they run on every dashboard load).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class DashboardPanel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[HttpRequest], DashboardPanel | None]

dashboard_panels: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in dashboard_panels:
        dashboard_panels.append(provider)
    return provider


def panels_for(request: HttpRequest) -> list[DashboardPanel]:
    panels = [p for provider in dashboard_panels if (p := provider(request)) is not None]
    return sorted(panels, key=lambda p: (p.order, p.title))
