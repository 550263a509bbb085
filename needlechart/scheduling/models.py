"""Scheduling: the clinic's opening hours, closed days, and appointments.

Times and lengths here are scheduling policy (when the clinic is open, how long a slot is),
not clinical numbers: the intervals between sessions come from the approved plan.
"""

from django.conf import settings
from django.db import models

from needlechart.core.models import ClinicalRecord, TimeStampedModel


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(TimeStampedModel):
    """The clinic's hours on one weekday. A weekday without a row is closed."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, unique=True)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="opening_hours_closes_after_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="opening_hours_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosedDay(TimeStampedModel):
    """A date the clinic is closed (holiday, training), whatever the weekday's hours."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"Closed {self.date:%Y-%m-%d}" + (f" ({self.reason})" if self.reason else "")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Statuses that occupy the practitioner's time (overlap is refused between these).
BUSY_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED)


class Appointment(ClinicalRecord):
    Status = AppointmentStatus

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    session_number = models.PositiveSmallIntegerField("session", null=True, blank=True)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    deviation_reason = models.TextField(
        "reason for the date outside the plan's interval", blank=True
    )
    cancel_reason = models.TextField("reason for cancelling", blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["practitioner", "starts_at"], name="appt_practitioner_idx"),
            models.Index(fields=["patient", "starts_at"], name="appt_patient_idx"),
            models.Index(fields=["starts_at", "status"], name="appt_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk} ({self.get_status_display()})"

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def is_deviation(self) -> bool:
        return bool(self.deviation_reason)

    @property
    def label(self) -> str:
        """What anyone (front desk too) may read: "Session N" or "Appointment"."""
        return f"Session {self.session_number}" if self.session_number else "Appointment"
