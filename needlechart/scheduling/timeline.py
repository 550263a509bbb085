"""Appointments on the patient's course timeline. Not clinical: front desk sees them too
(only "session N", the time and the status)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.scheduling.selectors import clinic_tz

OUTCOME_TITLES = {
    AppointmentStatus.ATTENDED: "{label} attended",
    AppointmentStatus.NO_SHOW: "{label}: did not attend",
    AppointmentStatus.CANCELLED: "{label} on {when} cancelled",
}


@register_timeline_provider(clinical=False)
def appointments(patient: Patient) -> list[TimelineEntry]:
    """One query: a "booked" entry on the day of booking, and the outcome (attended,
    no-show, cancelled) on the day it was recorded."""
    tz = clinic_tz()
    entries = []
    rows = Appointment.objects.filter(patient=patient).only(
        "id", "session_number", "starts_at", "status", "created_at", "status_changed_at"
    )
    for appointment in rows:
        url = reverse("scheduling:appointment", args=[appointment.pk])
        when = f"{timezone.localtime(appointment.starts_at, tz):%a %d %b %Y %H:%M}"
        label = appointment.label
        entries.append(
            TimelineEntry(
                date=appointment.created_at,
                kind="appointment_booked",
                title=f"{label} booked for {when}",
                url=url,
                status="booked",
            )
        )
        title = OUTCOME_TITLES.get(AppointmentStatus(appointment.status))
        if title is not None:
            moment = (
                appointment.status_changed_at
                if appointment.status == AppointmentStatus.CANCELLED
                else appointment.starts_at
            ) or appointment.starts_at
            entries.append(
                TimelineEntry(
                    date=moment,
                    kind=f"appointment_{appointment.status}",
                    title=title.format(label=label, when=when),
                    url=url,
                    status=appointment.status,
                )
            )
    return entries
