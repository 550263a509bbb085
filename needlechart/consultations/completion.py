"""What the consultation page's "Complete consultation" runs: complete, then screen.

Screening is the screenings app's step, and screenings depends on consultations (a
screening belongs to a consultation), so this app must not import it. The screenings app
registers its `consultation_complete` here from its `AppConfig.ready()`; the consultation
page calls whatever is registered and redirects to the page of what it returns (README,
"Architecture": dependencies point one way).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from needlechart.accounts.models import User
from needlechart.consultations.models import Consultation

# The completion's refusal code for "completing again would replace a screening with an
# override, or one an approved plan rests on": the page then asks for a confirmation.
CONFIRM_REPLACE_CODE = "confirm_replace"


class Completed(Protocol):
    def get_absolute_url(self) -> str: ...


class Completion(Protocol):
    def __call__(
        self,
        *,
        consultation: Consultation,
        by: User,
        data: dict[str, Any],
        consulted_on: date | None = ...,
        notes: str | None = ...,
        replace_confirmed: bool = ...,
    ) -> Completed: ...


_completion: Completion | None = None


def register_completion(completion: Completion) -> None:
    global _completion
    _completion = completion


def complete(
    *,
    consultation: Consultation,
    by: User,
    data: dict[str, Any],
    consulted_on: date | None = None,
    notes: str | None = None,
    replace_confirmed: bool = False,
) -> Completed:
    if _completion is None:
        raise ImproperlyConfigured("No completion step: is needlechart.screenings installed?")
    return _completion(
        consultation=consultation,
        by=by,
        data=data,
        consulted_on=consulted_on,
        notes=notes,
        replace_confirmed=replace_confirmed,
    )
