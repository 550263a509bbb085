"""Form helpers shared by every app's views."""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, *, fields: Mapping[str, str | None] | None = None
) -> None:
    """Put a service's ValidationError beside the fields it names, else above the form.

    Services key their errors by their own argument names; `fields` renames those that the
    form calls differently (a name mapped to None goes above the form). A key the form has
    no field for also goes above the form, so a service error never turns into a 500.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        name = (fields or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)


def submit[T](form: forms.BaseForm, act: Callable[[], T]) -> T | None:
    """The usual POST: validate the bound form, then call the service (`act` reads
    `form.cleaned_data`). Returns what the service returned; None when the form is unbound
    or invalid, or when the service refused (its ValidationError is then on the form)."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return act()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


class ReasonForm(forms.Form):
    """The one field of a "confirm with a reason" page (see `core.confirm`)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, label: str, help_text: str = "", max_length: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        assert isinstance(field, forms.CharField)
        field.label, field.help_text, field.max_length = label, help_text, max_length
        field.validators.append(MaxLengthValidator(max_length))
        field.widget.attrs["maxlength"] = str(max_length)


def act_and_report[T](request: HttpRequest, act: Callable[[], T], *, done: str) -> T | None:
    """A one-click action (a button, no form): call the service and say how it went on the
    next page — its refusal as error messages, else `done`. Returns the service's result,
    or None when it refused."""
    try:
        result = act()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    messages.success(request, done)
    return result
