"""Pre-screen forms: the public questionnaire and consultation request, and the staff side.

Every input is parsed here; a malformed value is a form error, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pydantic
from django import forms
from django.forms import BoundField
from django.utils import timezone

from needlechart.patients.models import PHONE_INVALID, ContactMethod, Sex, phone_digits
from needlechart.patients.selectors import DATE_FORMATS
from needlechart.prescreen.models import LeadStatus
from needlechart.prescreen.questionnaire import (
    DATE_OF,
    DATED_CHOICES,
    SECTIONS,
    Question,
    build_intake,
    earliest_date,
    questions,
)
from needlechart.protocol import Intake
from needlechart.scheduling.forms import aware, date_field, practitioner_field, time_field

DATE_IN_FUTURE = "This date is in the future; please check it."
DATE_TOO_OLD = "Please check this date."
MONTH_INVALID = "Enter the month as YYYY-MM, for example 2025-03."
DATE_WITHOUT_YES = "You gave a date: please also choose the matching answer above."
NAME_WITHOUT_YES = "You named a product: please also choose “Yes” above, or clear the name."
ZONES_NEEDED = "Choose at least one area."
ANSWERS_UNUSABLE = "Some answers could not be used. Please check them and try again."
CONTACT_NEEDED = "Give an e-mail address or a phone number (or both) so the clinic can reach you."
CONSENT_NEEDED = "Please tick the box so the clinic may contact you about your request."
APPOINTMENT_INCOMPLETE = "To book an appointment, give the date, the time and the practitioner."

_PHONE_ALLOWED = re.compile(r"^[0-9+()\-\s.]*$")
_MONTH = re.compile(r"^\s*(?:(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4}))\s*$")
MAX_AGE = 120
MAX_TEXT = 1000


def parse_month(text: str) -> str | None:
    """ "2025-03" or "03/2025" -> "2025-03"; anything else -> None."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year = int(match.group(1) or match.group(4))
    month = int(match.group(2) or match.group(3))
    if not 1 <= month <= 12 or year < earliest_date().year:
        return None
    return f"{year:04d}-{month:02d}"


def _field_for(q: Question) -> forms.Field:
    if q.kind == "int":
        return forms.IntegerField(
            label=q.label,
            min_value=0,
            max_value=MAX_AGE,
            required=q.required,
            help_text=q.help,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
    if q.kind == "multi":
        return forms.MultipleChoiceField(
            label=q.label,
            choices=q.choices,
            required=q.required,
            help_text=q.help,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": ZONES_NEEDED},
        )
    if q.kind == "text":
        return forms.CharField(
            label=q.label,
            required=False,
            max_length=q.max_length or MAX_TEXT,
            help_text=q.help,
            widget=forms.TextInput() if q.max_length else forms.Textarea(attrs={"rows": 3}),
        )
    if q.kind == "date":
        return forms.DateField(
            label=q.label,
            required=False,
            input_formats=list(DATE_FORMATS),
            help_text=q.help or "Approximate is fine. YYYY-MM-DD or DD/MM/YYYY.",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if q.kind == "month":
        return forms.CharField(
            label=q.label,
            required=False,
            max_length=10,
            help_text=q.help,
            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        )
    return forms.ChoiceField(
        label=q.label,
        choices=q.choices,
        required=q.required,
        help_text=q.help,
        widget=forms.RadioSelect,
    )


class QuestionnaireForm(forms.Form):
    """The public questionnaire. Blank radios are allowed and count as "not sure"."""

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        for q in questions():
            self.fields[q.key] = _field_for(q)

    def sections(self) -> Iterator[tuple[str, list[tuple[Question, BoundField]]]]:
        qs = questions()
        for code, title in SECTIONS:
            yield title, [(q, self[q.key]) for q in qs if q.section == code]

    def clean(self) -> dict[str, Any]:  # noqa: C901 - one check per kind of question
        data = super().clean() or {}
        for q in questions():
            value = data.get(q.key)
            if q.kind == "month" and value:
                month = parse_month(value)
                if month is None:
                    self.add_error(q.key, MONTH_INVALID)
                    continue
                if month > f"{self.today:%Y-%m}":
                    self.add_error(q.key, DATE_IN_FUTURE)
                    continue
                data[q.key] = month
            if q.kind == "date" and value:
                if value > self.today:
                    self.add_error(q.key, DATE_IN_FUTURE)
                elif value < earliest_date():
                    self.add_error(q.key, DATE_TOO_OLD)
            if q.key in DATE_OF and data.get(q.key):
                main = DATE_OF[q.key]
                if data.get(main) not in DATED_CHOICES[main] and main not in self.errors:
                    self.add_error(q.key, DATE_WITHOUT_YES)
        if data.get("own_product_name") and data.get("own_product") != "yes":
            self.add_error("own_product_name", NAME_WITHOUT_YES)
        if not self.errors:
            try:
                Intake.model_validate(build_intake(self.answers_from(data), today=self.today))
            except (pydantic.ValidationError, KeyError, TypeError, ValueError):
                raise forms.ValidationError(ANSWERS_UNUSABLE) from None
        return data

    @staticmethod
    def answers_from(data: dict[str, Any]) -> dict[str, Any]:
        """JSON-ready answers: only what was given, dates as ISO text."""
        out: dict[str, Any] = {}
        for q in questions():
            value = data.get(q.key)
            if value in (None, "", []):
                continue
            out[q.key] = value.isoformat() if isinstance(value, date) else value
        return out

    def answers(self) -> dict[str, Any]:
        return self.answers_from(self.cleaned_data)


class HoneypotWidget(forms.TextInput):
    """A field people never see or reach; bots that fill every input fill it."""

    def __init__(self) -> None:
        super().__init__(attrs={"autocomplete": "off", "tabindex": "-1"})


class ConsultationRequestForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="E-mail",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_times = forms.CharField(
        label="When suits you for a consultation?",
        required=False,
        max_length=500,
        help_text="For example: weekday evenings, Saturday mornings.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(
        label=(
            "I agree that the clinic may contact me about this request, using the details "
            "above, and keep my answers for my consultation."
        ),
        error_messages={"required": CONSENT_NEEDED},
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=20_000)
    # Honeypot: labelled for bots, hidden from people (see the template).
    website = forms.CharField(label="Website", required=False, widget=HoneypotWidget())

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and (not _PHONE_ALLOWED.match(phone) or not 7 <= len(phone_digits(phone)) <= 15):
            raise forms.ValidationError(PHONE_INVALID)
        return phone

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError("Please give your name.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "email" not in self.errors
            and "phone" not in self.errors
            and not data.get("email")
            and not data.get("phone")
        ):
            raise forms.ValidationError(CONTACT_NEEDED)
        return data


# ---------------------------------------------------------------- staff


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All"), *LeadStatus.choices],
    )


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in LeadStatus if s != LeadStatus.CONVERTED],
    )
    staff_notes = forms.CharField(
        label="Staff notes",
        required=False,
        max_length=2000,
        help_text="Calls made, messages left. Not clinical.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LeadConvertForm(forms.Form):
    """A new patient from the request (or an existing one), and optionally a first appointment."""

    existing_patient = forms.TypedChoiceField(
        label="Use an existing patient instead",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    confirm_different_person = forms.BooleanField(
        required=False, label="This is a different person from the records listed"
    )
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        input_formats=list(DATE_FORMATS),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="YYYY-MM-DD or DD/MM/YYYY.",
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN)
    phone = forms.CharField(label="Phone", max_length=32, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    preferred_contact = forms.ChoiceField(
        label="Preferred contact", choices=ContactMethod.choices, initial=ContactMethod.PHONE
    )
    appointment_date = date_field("Appointment date", required=False)
    appointment_time = time_field("Starts", required=False)
    practitioner = practitioner_field(required=False)

    def __init__(self, *args: Any, duplicates: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["existing_patient"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "No: register a new patient")] + [
            (str(p.pk), f"{p.full_name}, born {p.date_of_birth:%d/%m/%Y}") for p in duplicates or []
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("existing_patient") is None:
            for name in ("given_name", "family_name", "date_of_birth"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Required for a new patient.")
        parts = [data.get(n) for n in ("appointment_date", "appointment_time", "practitioner")]
        if any(p is not None for p in parts) and not all(p is not None for p in parts):
            self.add_error("appointment_date", APPOINTMENT_INCOMPLETE)
        return data

    def patient_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            name: d[name]
            for name in (
                "given_name",
                "family_name",
                "date_of_birth",
                "sex",
                "phone",
                "email",
                "preferred_contact",
            )
        }

    def appointment(self) -> tuple[Any, Any] | None:
        d = self.cleaned_data
        if d.get("appointment_date") and d.get("appointment_time") and d.get("practitioner"):
            return d["practitioner"], aware(d["appointment_date"], d["appointment_time"])
        return None
