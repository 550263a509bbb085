"""Staff users and their roles (least privilege: the role decides what is seen)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician (physician)"
    AESTHETICIAN = "aesthetician", "Aesthetician"
    FRONT_DESK = "front_desk", "Front desk"
    ADMIN = "admin", "Clinic admin"


# Roles allowed to read clinical sections (history, screenings, plans, session notes).
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.AESTHETICIAN})


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.FRONT_DESK)
    display_name = models.CharField(
        max_length=150, blank=True, help_text="How the name appears on records and screens."
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_display_name()

    def get_display_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_aesthetician(self) -> bool:
        return self.role == Role.AESTHETICIAN

    @property
    def is_front_desk(self) -> bool:
        return self.role == Role.FRONT_DESK

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_view_clinical(self) -> bool:
        return self.is_active and self.role in CLINICAL_ROLES

    @property
    def can_view_audit(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def can_manage_patients(self) -> bool:
        """Register and edit demographics: everyone who meets patients at the desk."""
        return self.is_active and self.role in {
            Role.CLINICIAN,
            Role.AESTHETICIAN,
            Role.FRONT_DESK,
            Role.ADMIN,
        }
