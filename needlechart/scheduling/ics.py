"""iCalendar (.ics) for one appointment: what a patient's calendar app needs and nothing
clinical (the summary names the clinic, not the treatment)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.scheduling.selectors import clinic_tz

PRODID = "-//NeedleChart//Clinic diary//EN"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@needlechart"


def appointment_ics(appointment: Appointment) -> bytes:
    """A VCALENDAR with one VEVENT in the clinic's time zone (with its VTIMEZONE). A
    cancelled appointment is sent as CANCELLED so calendar apps remove it."""
    tz = clinic_tz()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(appointment.starts_at, tz))
    event.add("dtend", timezone.localtime(appointment.ends_at, tz))
    event.add("summary", f"Appointment at {settings.CLINIC_NAME}")
    event.add("location", settings.CLINIC_ADDRESS)
    if settings.CLINIC_PHONE:
        event.add("description", f"{settings.CLINIC_NAME}, {settings.CLINIC_PHONE}")
    event.add("sequence", int(appointment.updated_at.timestamp()) % 2**31)
    event.add(
        "status",
        "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED",
    )
    cal.add_component(event)
    cal.add_missing_timezones()
    ical: bytes = cal.to_ical()
    return ical
