"""One shape for every "confirm with a reason" page: withdraw a consent, archive a patient
or a photo, cancel an appointment.

GET shows what will happen and asks for the reason; POST calls the service with it. A
refusal from the service (already done, not allowed any more) is shown on the same page.
The page is `core/confirm_with_reason.html` (an app may extend it to keep its own header);
the card with the consequences and the form is `components/confirm_with_reason.html`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from needlechart.core.forms import ReasonForm, add_service_errors


@dataclass(frozen=True)
class Confirmation:
    title: str  # the question the page asks, e.g. "Archive this photo?"
    consequences: tuple[str, ...]  # what will happen, each true of what the service does
    reason_label: str
    submit: str  # the button, e.g. "Archive the photo"
    done: str  # the message after it is done
    reason_help: str = ""
    reason_max_length: int = 2000
    back_label: str = "Go back"


def confirm_with_reason(
    request: HttpRequest,
    *,
    confirmation: Confirmation,
    act: Callable[[str], object],
    back_url: str,
    done_url: str,
    context: Mapping[str, Any],
    template: str = "core/confirm_with_reason.html",
) -> HttpResponse:
    """Render the confirmation, or call `act(reason)` and redirect to `done_url`."""
    form = ReasonForm(
        request.POST or None,
        label=confirmation.reason_label,
        help_text=confirmation.reason_help,
        max_length=confirmation.reason_max_length,
    )
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, confirmation.done)
            return redirect(done_url)
    return render(
        request,
        template,
        {**context, "form": form, "confirm": confirmation, "back_url": back_url},
    )
