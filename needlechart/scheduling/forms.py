"""Diary forms. Dates and times are parsed here (a bad date is a form error, never a 500);
the services decide whether the slot is allowed and name the field that is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms

from needlechart.accounts.models import User
from needlechart.core.confirm import Confirmation
from needlechart.core.dates import ClinicalDateField
from needlechart.core.limits import with_limit
from needlechart.protocol import interval_limit
from needlechart.scheduling.models import Weekday
from needlechart.scheduling.proposals import DEFAULT_APPOINTMENT_MINUTES, Proposal
from needlechart.scheduling.selectors import clinic_tz, practitioners
from needlechart.scheduling.services import ENDS_BEFORE_START, SlotChoice

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
REASON_HELP = "Needed only when the date is outside the session's window."
MISSING = "Fill in the date, time and practitioner of each session to book."


def date_field(label: str, **kwargs: Any) -> forms.DateField:
    # The plausible-date span of core.dates (a diary date in year 9999 is a typing slip).
    return ClinicalDateField(label=label, input_formats=DATE_FORMATS, **kwargs)


def time_field(label: str, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        **kwargs,
    )


class PractitionerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.get_display_name()} ({obj.get_role_display()})"


def practitioner_field(label: str = "Practitioner", **kwargs: Any) -> PractitionerField:
    return PractitionerField(
        queryset=practitioners(),
        label=label,
        empty_label="Choose…",
        error_messages={"invalid_choice": "Choose a practitioner from the list."},
        **kwargs,
    )


def aware(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clinic_tz())


class SlotForm(forms.Form):
    """Date, start, optional end and practitioner: a single booking or a move."""

    date = date_field("Date")
    starts = time_field("Starts")
    ends = time_field(
        "Ends",
        required=False,
        help_text=f"Leave blank for {DEFAULT_APPOINTMENT_MINUTES} minutes.",
    )
    practitioner = practitioner_field()
    deviation_reason = forms.CharField(
        label="Reason for a date outside the window",
        required=False,
        max_length=1000,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", ENDS_BEFORE_START)
        return data

    def starts_at(self) -> datetime:
        return aware(self.cleaned_data["date"], self.cleaned_data["starts"])

    def ends_at(self) -> datetime | None:
        ends = self.cleaned_data.get("ends")
        return aware(self.cleaned_data["date"], ends) if ends is not None else None


class MoveForm(SlotForm):
    """A move: the pre-filled end, left as it was, keeps the appointment's length at the new
    time (checking the old end against a new start refused most moves)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ends"].help_text = "Leave it as it is to keep the appointment's length."

    def _keeps_length(self) -> bool:
        return "ends" not in self.changed_data

    def clean(self) -> dict[str, Any]:
        if self._keeps_length():
            return forms.Form.clean(self) or {}
        return super().clean()

    def ends_at(self) -> datetime | None:
        return None if self._keeps_length() else super().ends_at()


class BookForm(SlotForm):
    session_number = forms.TypedChoiceField(
        label="Session of the plan",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Leave blank for an appointment that is not a treatment session.",
    )
    field_order = ["date", "starts", "ends", "practitioner", "session_number"]

    def __init__(self, *args: Any, sessions: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session_number"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Not a session of the plan")] + [
            (str(n), f"Session {n}") for n in sessions
        ]
        if not sessions:
            field.widget = forms.HiddenInput()


CANCEL = Confirmation(
    title="Cancel this appointment?",
    consequences=(
        "The appointment is marked cancelled, with this reason, and kept in the record.",
        "The practitioner's time is free to book again.",
        "It gets no further reminders (only booked appointments are reminded of), and the "
        "patient is not told automatically: let them know.",
    ),
    reason_label="Reason for cancelling",
    reason_max_length=1000,
    submit="Cancel the appointment",
    done="Appointment cancelled.",
    back_label="Keep the appointment",
)


class SeriesForm(forms.Form):
    """One row per proposed session: book it or not, date, time, practitioner, reason."""

    def __init__(self, *args: Any, proposals: Sequence[Proposal], **kwargs: Any) -> None:
        initial: dict[str, Any] = {}
        tz = clinic_tz()
        for p in proposals:
            n = p.session_number
            initial[f"s{n}_book"] = True
            if p.starts_at is not None:
                local = p.starts_at.astimezone(tz)
                initial[f"s{n}_date"] = local.date()
                initial[f"s{n}_starts"] = local.time()
                initial[f"s{n}_practitioner"] = p.practitioner_id
            else:
                initial[f"s{n}_date"] = p.window.preferred
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        for p in proposals:
            n = p.session_number
            self.fields[f"s{n}_book"] = forms.BooleanField(
                label=f"Book session {n}", required=False
            )
            self.fields[f"s{n}_date"] = date_field(
                f"Session {n}: date",
                required=False,
                # The floor between two sessions, seen before a date is typed.
                help_text=with_limit("Between two sessions of the course:", interval_limit()),
            )
            self.fields[f"s{n}_starts"] = time_field(f"Session {n}: time", required=False)
            self.fields[f"s{n}_practitioner"] = practitioner_field(
                f"Session {n}: practitioner", required=False
            )
            self.fields[f"s{n}_deviation_reason"] = forms.CharField(
                label=f"Session {n}: reason for a date outside the window",
                required=False,
                max_length=1000,
                help_text=REASON_HELP,
            )

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for p in self.proposals:
            n = p.session_number
            rows.append(
                {
                    "proposal": p,
                    "book": self[f"s{n}_book"],
                    "date": self[f"s{n}_date"],
                    "starts": self[f"s{n}_starts"],
                    "practitioner": self[f"s{n}_practitioner"],
                    "reason": self[f"s{n}_deviation_reason"],
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for p in self.proposals:
            n = p.session_number
            if not data.get(f"s{n}_book"):
                continue
            for key in ("date", "starts", "practitioner"):
                name = f"s{n}_{key}"
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, MISSING)
        return data

    def choices(self) -> list[SlotChoice]:
        data = self.cleaned_data
        chosen = []
        for p in self.proposals:
            n = p.session_number
            if not data.get(f"s{n}_book"):
                continue
            starts_at = aware(data[f"s{n}_date"], data[f"s{n}_starts"])
            chosen.append(
                SlotChoice(
                    session_number=n,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=DEFAULT_APPOINTMENT_MINUTES),
                    practitioner=data[f"s{n}_practitioner"],
                    deviation_reason=data.get(f"s{n}_deviation_reason", ""),
                )
            )
        return chosen


class OpeningHoursForm(forms.Form):
    """Seven rows: open that weekday or not, and the hours."""

    def __init__(self, *args: Any, current: dict[int, tuple[time, time]], **kwargs: Any) -> None:
        initial: dict[str, Any] = {}
        for weekday in Weekday:
            span = current.get(weekday.value)
            initial[f"day{weekday.value}_open"] = span is not None
            if span is not None:
                initial[f"day{weekday.value}_opens"] = span[0]
                initial[f"day{weekday.value}_closes"] = span[1]
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for weekday in Weekday:
            w = weekday.value
            self.fields[f"day{w}_open"] = forms.BooleanField(
                label=f"Open on {weekday.label}", required=False
            )
            self.fields[f"day{w}_opens"] = time_field(f"{weekday.label}: opens", required=False)
            self.fields[f"day{w}_closes"] = time_field(f"{weekday.label}: closes", required=False)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": weekday.label,
                "open": self[f"day{weekday.value}_open"],
                "opens": self[f"day{weekday.value}_opens"],
                "closes": self[f"day{weekday.value}_closes"],
            }
            for weekday in Weekday
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for weekday in Weekday:
            w = weekday.value
            if not data.get(f"day{w}_open"):
                continue
            for key in ("opens", "closes"):
                name = f"day{w}_{key}"
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Enter a time, or untick the day to close it.")
        return data

    def hours(self) -> dict[int, tuple[time, time] | None]:
        data = self.cleaned_data
        result: dict[int, tuple[time, time] | None] = {}
        for weekday in Weekday:
            w = weekday.value
            if data.get(f"day{w}_open"):
                result[w] = (data[f"day{w}_opens"], data[f"day{w}_closes"])
            else:
                result[w] = None
        return result


class ClosedDayForm(forms.Form):
    date = date_field("Date")
    reason = forms.CharField(label="Reason", required=False, max_length=200)


class CalendarFilterForm(forms.Form):
    practitioner = practitioner_field(required=False)
    date = date_field("Date", required=False)
    view = forms.ChoiceField(
        label="View", choices=[("day", "Day"), ("week", "Week")], required=False
    )
