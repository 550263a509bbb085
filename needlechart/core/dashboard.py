"""Dashboard panels registry.

Each app keeps its panels in `<app>/dashboard.py` (its chart timeline entries live apart,
in `<app>/timeline.py`) and imports the module in its `AppConfig.ready`:

    from needlechart.accounts.models import CLINICAL_ROLES
    from needlechart.core.dashboard import DashboardPanel, first_rows, register_panel

    @register_panel(roles=CLINICAL_ROLES)
    def upcoming_sessions(request) -> DashboardPanel | None:
        rows, count = first_rows(sessions_today(user=acting_user(request)), PANEL_ROWS)
        return DashboardPanel(title="Today", template="sessions/_dashboard_today.html",
                              context={"rows": rows, "count": count}, order=10)

A provider is called only for an active user with one of its `roles` (every staff role by
default), and returns None to stay hidden. Providers must keep their own query count
constant: they run on every dashboard load.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from needlechart.accounts.models import Role
from needlechart.accounts.permissions import STAFF_ROLES, has_role


@dataclass(frozen=True)
class DashboardPanel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[HttpRequest], DashboardPanel | None]


@dataclass(frozen=True)
class RegisteredPanel:
    provider: PanelProvider
    roles: frozenset[Role]


dashboard_panels: list[RegisteredPanel] = []


def register_panel(
    *, roles: Collection[Role] = STAFF_ROLES
) -> Callable[[PanelProvider], PanelProvider]:
    def register(provider: PanelProvider) -> PanelProvider:
        if all(p.provider is not provider for p in dashboard_panels):
            dashboard_panels.append(RegisteredPanel(provider, frozenset(roles)))
        return provider

    return register


def panels_for(request: HttpRequest) -> list[DashboardPanel]:
    panels = [
        panel
        for registered in dashboard_panels
        if has_role(request.user, registered.roles)
        and (panel := registered.provider(request)) is not None
    ]
    return sorted(panels, key=lambda p: (p.order, p.title))


def first_rows[T: Model](queryset: QuerySet[T], limit: int) -> tuple[list[T], int]:
    """The first `limit` rows and how many there are in all; the count costs a second
    query only when the first page is full."""
    rows = list(queryset[:limit])
    return rows, len(rows) if len(rows) < limit else queryset.count()
