"""Consultations: the intake (history, medications, skin exam) the screening engine reads."""

from typing import Any

from django.conf import settings
from django.db import models

from needlechart.core.models import ClinicalRecord
from needlechart.protocol import Intake


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class Consultation(ClinicalRecord):
    Status = ConsultationStatus

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consultations"
    )
    status = models.CharField(
        max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    # The engine Intake as `model_dump(mode="json")`; partial (any subset) while a draft.
    intake = models.JSONField(default=dict, blank=True)
    consulted_on = models.DateField("consultation date")
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-consulted_on", "-id"]
        indexes = [models.Index(fields=["status", "consulted_on"], name="consultation_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ConsultationStatus.DRAFT)
                | models.Q(completed_at__isnull=False),
                name="consultation_completed_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"Consultation {self.pk} ({self.get_status_display()}, {self.consulted_on})"

    @property
    def is_draft(self) -> bool:
        return self.status == ConsultationStatus.DRAFT

    def intake_model(self) -> Intake:
        """The full engine intake; raises pydantic.ValidationError while incomplete."""
        data: dict[str, Any] = self.intake or {}
        return Intake.model_validate(data)
