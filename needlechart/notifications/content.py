"""Subject and body of each message kind.

Subjects say no more than "your appointment at <clinic>": an inbox preview, a shared screen
or a lock screen must not reveal the treatment. Clinical text (the preparation steps) is the
protocol's patient wording of the plan's own steps; nothing clinical is written here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats

from needlechart.notifications import due
from needlechart.patients.models import Patient


def _clinic() -> str:
    return settings.CLINIC_NAME


def _when(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"{formats.date_format(local, 'l j F Y')} at {local:%H:%M}"


def _day(day: date) -> str:
    return formats.date_format(day, "l j F Y")


SUBJECTS = {
    due.BOOKING_CONFIRMATION: "Your appointment at {clinic}",
    due.SESSION_REMINDER: "Reminder: your appointment at {clinic}",
    due.PREPARATION_REMINDER: "Before your appointment at {clinic}",
    due.CHECK_IN_INVITATION: "After your appointment at {clinic}",
    due.FOLLOW_UP_REMINDER: "Your appointment at {clinic}: time to book a review",
    due.MAINTENANCE_REMINDER: "Your appointment at {clinic}: time to book again",
    due.RESCREEN_REMINDER: "Your appointment at {clinic}: time to book a new consultation",
}


def render(message: due.DueMessage, patient: Patient) -> tuple[str, str]:
    clinic = _clinic()
    phone = settings.CLINIC_PHONE
    portal = f"{settings.SITE_URL}/portal/"
    ctx = message.context
    lines: list[str]
    match message.kind:
        case due.BOOKING_CONFIRMATION:
            lines = [f"Your appointment at {clinic} is booked for {_when(ctx['starts_at'])}."]
        case due.SESSION_REMINDER:
            lines = [f"A reminder of your appointment at {clinic} on {_when(ctx['starts_at'])}."]
        case due.PREPARATION_REMINDER:
            lines = [
                f"Your appointment at {clinic} is on {_when(ctx['starts_at'])}. "
                "To prepare, as your plan says:",
                "",
                f"{ctx['text']}",
            ]
        case due.CHECK_IN_INVITATION:
            lines = [
                f"It is day {ctx['day']} after your appointment. Please tell us how your skin "
                f"is doing in the patient portal: {portal}",
            ]
        case due.FOLLOW_UP_REMINDER:
            lines = [
                f"It is time to book your review at {clinic}, between {_day(ctx['window_from'])} "
                f"and {_day(ctx['window_to'])}.",
            ]
        case due.MAINTENANCE_REMINDER:
            lines = [f"It is time to book your next appointment at {clinic}, as your plan says."]
        case due.RESCREEN_REMINDER:
            lines = [
                f"From {_day(ctx['on'])} you can book a new consultation at {clinic} "
                "to look again at whether the treatment suits you.",
            ]
        case _:
            raise ValueError(f"unknown message kind {message.kind!r}")
    body = "\n".join(
        [
            f"Dear {patient.given_name},",
            "",
            *lines,
            "",
            f"If you need to change anything or have a question, call us on {phone}."
            if phone
            else "If you need to change anything or have a question, please contact us.",
            "",
            clinic,
        ]
    )
    return SUBJECTS[message.kind].format(clinic=clinic), body
