"""Patients: demographics and contact. Clinical facts live in the apps of the course."""

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from needlechart.core.models import ClinicalRecord

MAX_AGE_YEARS = 120

DOB_IN_FUTURE = "The date of birth cannot be in the future."
DOB_TOO_OLD = f"The date of birth is more than {MAX_AGE_YEARS} years ago; please check it."
PHONE_NEEDED = "A phone number is needed for the chosen way of contact."
EMAIL_NEEDED = "An e-mail address is needed for the chosen way of contact."
PHONE_INVALID = "Enter a phone number of 7 to 15 digits (spaces, +, - and brackets allowed)."

_PHONE_ALLOWED = re.compile(r"^[0-9+()\-\s.]*$")


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown / not stated"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message (SMS)"
    EMAIL = "email", "E-mail"


class PatientQuerySet(models.QuerySet["Patient"]):
    def active(self) -> "PatientQuerySet":
        return self.filter(archived_at__isnull=True)


class Patient(ClinicalRecord):
    given_name = models.CharField("given name", max_length=100)
    family_name = models.CharField("family name", max_length=100)
    date_of_birth = models.DateField("date of birth")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=32, blank=True)
    # Digits only, kept in step by save(): lets search match "07700 900 123" and "07700900123".
    phone_digits = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    email = models.EmailField("e-mail", blank=True)
    preferred_contact = models.CharField(
        "preferred contact",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.PHONE,
    )
    notes = models.TextField(
        "admin notes",
        blank=True,
        help_text="Practical notes for the front desk (access, parking). Not clinical.",
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_reason = models.CharField(max_length=255, blank=True, editable=False)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.date_of_birth:
            if self.date_of_birth > today:
                errors["date_of_birth"] = DOB_IN_FUTURE
            elif self.age_on(today) > MAX_AGE_YEARS:
                errors["date_of_birth"] = DOB_TOO_OLD
        if self.phone and (
            not _PHONE_ALLOWED.match(self.phone) or not 7 <= len(phone_digits(self.phone)) <= 15
        ):
            errors["phone"] = PHONE_INVALID
        if "phone" not in errors:
            if (
                self.preferred_contact in {ContactMethod.PHONE, ContactMethod.SMS}
                and not self.phone
            ):
                errors["phone"] = PHONE_NEEDED
            if self.preferred_contact == ContactMethod.EMAIL and not self.email:
                errors["email"] = EMAIL_NEEDED
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.given_name = self.given_name.strip()
        self.family_name = self.family_name.strip()
        self.phone = self.phone.strip()
        self.phone_digits = phone_digits(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_digits"}
        super().save(*args, **kwargs)
