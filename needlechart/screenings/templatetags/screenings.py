"""{% load screenings %}{% consultation_screenings consultation %}: the screenings of a
consultation on its page (consultations shows them without importing this app)."""

from typing import Any

from django import template

from needlechart.consultations.models import Consultation
from needlechart.screenings.selectors import screening_history

register = template.Library()


@register.inclusion_tag("screenings/_consultation_screenings.html", takes_context=True)
def consultation_screenings(
    context: template.Context, consultation: Consultation
) -> dict[str, Any]:
    """One query. The page is for clinical roles only; `screening_history` checks again."""
    return {"screenings": screening_history(user=context["user"], consultation=consultation)}
