"""`{% load outcomes %}{% course_status patient as oc %}` — the course status and a compact
progress chart for the patient chart, without any change to the patients view."""

from __future__ import annotations

from typing import Any

from django import template

from needlechart.accounts.models import User
from needlechart.outcomes.chart import progress_chart
from needlechart.outcomes.selectors import course_status_for, progress_for
from needlechart.patients.models import Patient

register = template.Library()


def outcomes_context(*, user: User, patient: Patient) -> dict[str, Any]:
    """Course status, plan, next appointment, progress and its chart (fixed query count)."""
    progress = progress_for(user=user, patient=patient)
    status, plan, appointment = course_status_for(user=user, patient=patient, progress=progress)
    return {
        "status": status,
        "plan": plan,
        "appointment": appointment,
        "progress": progress,
        "chart": progress_chart(progress),
    }


@register.simple_tag(takes_context=True)
def course_status(context: template.Context, patient: Patient) -> dict[str, Any] | None:
    """None for a user who may not read clinical records (nothing is queried then)."""
    user = context.get("user")
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    return outcomes_context(user=user, patient=patient)
