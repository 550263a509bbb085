"""Dashboard panels: one place per app, called only for their roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from needlechart.accounts.models import CLINICAL_ROLES, Role, User
from needlechart.core import dashboard
from needlechart.core.dashboard import DashboardPanel, panels_for, register_panel

PACKAGE = Path(__file__).resolve().parents[2] / "needlechart"


def test_panels_and_timeline_providers_live_in_their_modules() -> None:
    """Panels in `<app>/dashboard.py`, chart timeline entries in `<app>/timeline.py`."""
    misplaced = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "@register_panel" in text and path.name != "dashboard.py":
            misplaced.append(str(path.relative_to(PACKAGE)))
        if "@register_timeline_provider" in text and path.name != "timeline.py":
            misplaced.append(str(path.relative_to(PACKAGE)))
    assert misplaced == []


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> list[dashboard.RegisteredPanel]:
    empty: list[dashboard.RegisteredPanel] = []
    monkeypatch.setattr(dashboard, "dashboard_panels", empty)
    return empty


def test_a_panel_is_called_only_for_its_roles(
    registry: list[dashboard.RegisteredPanel], rf: RequestFactory
) -> None:
    calls: list[str] = []

    @register_panel(roles=CLINICAL_ROLES)
    def clinical(request: object) -> DashboardPanel:
        calls.append("clinical")
        return DashboardPanel(title="Clinical", template="x.html", order=2)

    @register_panel()
    def everyone(request: object) -> DashboardPanel | None:
        calls.append("everyone")
        return None  # hidden this time

    register_panel()(everyone)  # registering twice keeps one entry
    assert len(registry) == 2

    def titles(user: object) -> list[str]:
        request = rf.get("/")
        request.user = user  # type: ignore[assignment]
        return [p.title for p in panels_for(request)]

    assert titles(User(username="c", role=Role.CLINICIAN)) == ["Clinical"]
    assert calls == ["clinical", "everyone"]
    calls.clear()
    assert titles(User(username="d", role=Role.FRONT_DESK)) == []
    assert calls == ["everyone"]
    calls.clear()
    assert titles(User(username="c", role=Role.CLINICIAN, is_active=False)) == []
    assert titles(AnonymousUser()) == []
    assert calls == []
