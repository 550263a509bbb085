"""`{% load safety %}{% safety_alerts patient as alerts %}` — the safety banner's alerts for the
signed-in user; None (nothing queried) for anyone who may not read health data."""

from __future__ import annotations

from django import template

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.treatments.safety import SafetyAlert, safety_alerts_for

register = template.Library()


@register.simple_tag(takes_context=True)
def safety_alerts(context: template.Context, patient: Patient) -> list[SafetyAlert] | None:
    user = context.get("user")
    if not isinstance(user, User) or not user.can_view_clinical:
        return None
    return safety_alerts_for(user=user, patient=patient)
