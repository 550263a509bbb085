"""The protocol's absolute limits, as the app applies them: one error code, one help text.

A value beyond a limit is refused whatever the reason (`Limit.refusal` is the message). The
refusal carries the code `LIMIT_EXCEEDED`, so the API answers it with 422 and that code in the
one error shape, while forms show the same message beside the field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from needlechart.protocol import Limit

LIMIT_EXCEEDED = "limit_exceeded"


def limit_error(limit: Limit, value: float) -> ValidationError:
    """The refusal of `value` as a ValidationError coded LIMIT_EXCEEDED."""
    return ValidationError(limit.refusal(value), code=LIMIT_EXCEEDED)


def is_limit_error(exc: ValidationError) -> bool:
    """Whether any error in `exc` is a limit refusal."""
    errors = (
        [e for errs in exc.error_dict.values() for e in errs]
        if hasattr(exc, "error_dict")
        else list(exc.error_list)
    )
    return any(getattr(e, "code", None) == LIMIT_EXCEEDED for e in errors)


def with_limit(help_text: str, limit: Limit) -> str:
    """A field's help text with the limit beside it, so staff see it before they type."""
    described = f"{limit.describe()}; no reason can pass it."
    return f"{help_text} {described}".strip() if help_text else described
