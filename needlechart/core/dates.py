"""Is a clinical date plausible? The one rule every form, service and API schema applies.

A clinical date is never before 1900 nor after 2199 (outside that span it is a typing error,
and the engine's date arithmetic — wash-outs, preparation days, aftercare — would overflow),
never before the patient was born, and never in the future when it records something that
has already happened (a past exposure, a session performed, an adverse event's onset, a
photo taken...). Dates that plan ahead (a plan's first session, an appointment, a cartridge
expiry) may be in the future.

Services call `date_problem` / `date_errors` (they know the patient and today); form fields
use `ClinicalDateField` for what needs no patient (the span, and "not in the future" for
`past=True`); API schemas use `PlausibleDate` (the span) and reach the services for the rest.

Pages that *show* dates use `safe_add_days` so a stored odd date (year 1, year 9999) never
turns into a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AfterValidator

from needlechart.protocol.intake import EARLIEST_DATE as EARLIEST_DATE  # re-exported
from needlechart.protocol.intake import LATEST_DATE as LATEST_DATE

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

DATE_TOO_EARLY = f"Enter a date on or after {EARLIEST_DATE:%d %b %Y}."
DATE_TOO_LATE = f"Enter a date on or before {LATEST_DATE:%d %b %Y}."
DATE_OUT_OF_RANGE = f"Give a date between {EARLIEST_DATE} and {LATEST_DATE}."
DATE_IN_FUTURE = "This date is in the future; it records something that has already happened."
DATE_BEFORE_BIRTH = "This date is before the patient's date of birth ({born:%d %b %Y})."


def date_problem(
    value: date,
    *,
    born: date | None = None,
    today: date | None = None,
    past: bool = False,
) -> str | None:
    """The message for an implausible `value`, or None when it is plausible.

    `past=True`: the date records something that has happened, so it cannot be after `today`
    (default: the clinic's local date). `born`: the patient's date of birth, when known."""
    if value < EARLIEST_DATE:
        return DATE_TOO_EARLY
    if value > LATEST_DATE:
        return DATE_TOO_LATE
    if past and value > (today or timezone.localdate()):
        return DATE_IN_FUTURE
    if born is not None and value < born:
        return DATE_BEFORE_BIRTH.format(born=born)
    return None


def date_errors(
    values: Mapping[str, date | None],
    *,
    born: date | None = None,
    today: date | None = None,
    past: bool = False,
) -> dict[str, str]:
    """`date_problem` for several fields at once: {field: message} for the implausible ones."""
    errors: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        problem = date_problem(value, born=born, today=today, past=past)
        if problem:
            errors[key] = problem
    return errors


def require_plausible(
    values: Mapping[str, date | None],
    *,
    born: date | None = None,
    today: date | None = None,
    past: bool = False,
) -> None:
    """Raise ValidationError keyed by field for any implausible date among `values`."""
    errors = date_errors(values, born=born, today=today, past=past)
    if errors:
        raise ValidationError(errors)


def in_supported_span(value: date) -> date:
    """Pydantic validator: the span check (API schemas); raises ValueError otherwise."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(DATE_OUT_OF_RANGE)
    return value


# A date in an API body: parsed by pydantic, refused with DATE_OUT_OF_RANGE outside the span.
PlausibleDate = Annotated[date, AfterValidator(in_supported_span)]


class DateInput(forms.DateInput):
    """A browser date picker bounded to the span (and to today for a past date). A hint
    only: the checks are on the server. Today is read per render, not at import."""

    def __init__(self, *, past: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)
        self.attrs.setdefault("type", "date")
        self.past = past

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        attrs.setdefault("min", EARLIEST_DATE.isoformat())
        attrs.setdefault("max", (timezone.localdate() if self.past else LATEST_DATE).isoformat())
        return super().get_context(name, value, attrs)


class ClinicalDateField(forms.DateField):
    """A date input that refuses what no patient could have: outside the span, and (with
    `past=True`) in the future. The service still checks the patient's date of birth."""

    def __init__(self, *, past: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", list(DATE_FORMATS))
        kwargs.setdefault("widget", DateInput(past=past))
        super().__init__(**kwargs)
        self.past = past

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, date):
            problem = date_problem(value, past=self.past)
            if problem:
                raise forms.ValidationError(problem, code="implausible_date")


def in_span(day: date | None) -> bool:
    """Whether dates may be derived from `day` (preparation, aftercare, check-ins): a stored
    date outside the span (year 1, year 9999) shows without its derived dates."""
    return day is not None and EARLIEST_DATE <= day <= LATEST_DATE


def safe_add_days(day: date, days: int) -> date | None:
    """`day + days`, or None when that falls outside what Python can represent (a stored
    date near year 1 or 9999): pages show "—" instead of failing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None
