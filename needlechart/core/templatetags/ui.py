"""Template helpers for accessible form fields."""

from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()


@register.inclusion_tag("components/field.html")
def field(bound: BoundField, **attrs: Any) -> dict[str, Any]:
    """Label, widget, help and errors, tied together with aria-describedby/aria-invalid.

    Extra keyword arguments become widget attributes: {% field form.q hx_get=url %}
    (underscores turn into dashes).
    """
    widget_attrs: dict[str, Any] = {k.replace("_", "-"): v for k, v in attrs.items()}
    auto_id = bound.auto_id or f"id_{bound.html_name}"
    help_id = f"{auto_id}_help"
    error_id = f"{auto_id}_error"
    described = []
    if bound.errors:
        described.append(error_id)
        widget_attrs["aria-invalid"] = "true"
    if bound.help_text:
        described.append(help_id)
    if described:
        widget_attrs["aria-describedby"] = " ".join(described)
    if bound.field.required:
        widget_attrs.setdefault("required", True)
    return {
        "f": bound,
        "widget": bound.as_widget(attrs=widget_attrs),
        "help_id": help_id,
        "error_id": error_id,
        "is_checkbox": bound.widget_type == "checkbox",
    }


@register.filter
def badge_class(status: str) -> str:
    """CSS class for a verdict, triage level or generic status code."""
    return f"badge badge-{status}" if status else "badge"


@register.filter
def code_label(code: str) -> str:
    """ "proceed_with_precautions" -> "proceed with precautions" for display."""
    return str(code).replace("_", " ")
