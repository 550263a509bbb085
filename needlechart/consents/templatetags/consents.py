"""{% load consents %}{% plan_consent_status plan %}: the plan's consent state and action."""

from typing import Any

from django import template

from needlechart.consents.document import render_consent_html
from needlechart.consents.selectors import consent_status_for
from needlechart.plans.models import TreatmentPlan

register = template.Library()


@register.inclusion_tag("consents/_plan_consent_status_box.html", takes_context=True)
def plan_consent_status(context: template.Context, plan: TreatmentPlan) -> dict[str, Any]:
    """One query. Shows "new consent needed" when the device or zones changed."""
    user = context.get("user")
    return {
        "plan": plan,
        "status": consent_status_for(plan=plan),
        "can_act": bool(getattr(user, "can_view_clinical", False)),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def consent_html(text: str) -> str:
    """The stored consent text as plain HTML (escaped)."""
    return render_consent_html(text or "")
