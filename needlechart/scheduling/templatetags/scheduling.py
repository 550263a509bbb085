"""{% plan_bookings plan as rows %}: the plan's appointments for its page, in one query."""

from __future__ import annotations

from typing import Any

from django import template

from needlechart.plans.models import TreatmentPlan
from needlechart.scheduling.selectors import plan_appointments, plan_unbooked_sessions

register = template.Library()


@register.simple_tag
def plan_bookings(plan: TreatmentPlan) -> dict[str, Any]:
    appointments = plan_appointments(plan=plan)
    active = {
        a.session_number: a
        for a in appointments
        if a.session_number is not None and a.status in ("booked", "attended")
    }
    return {
        "appointments": appointments,
        "unbooked": plan_unbooked_sessions(plan=plan, active=active),
    }
