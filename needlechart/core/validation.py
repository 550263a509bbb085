"""Small checks the services share."""

from django.core.exceptions import ValidationError


def required_text(value: str | None, *, field: str, message: str) -> str:
    """The text without surrounding blanks; a ValidationError on `field` when nothing is
    left (a reason for withdrawing, archiving, cancelling; a resolution note)."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text
