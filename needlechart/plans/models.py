"""Treatment plans: the engine's recommendation, the clinician's values, and every deviation.

A draft is adjusted; an approved plan is frozen. Changing an approved plan means a new
draft, whose approval supersedes the old plan (which stays in the record).
"""

from typing import Any

from django.conf import settings
from django.db import models

from needlechart.core.models import ClinicalRecord, ProtocolStamped
from needlechart.protocol.results import Plan
from needlechart.protocol.vocabulary import Device


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class DeviceChoices(models.TextChoices):
    ROLLER = Device.ROLLER.value, "Roller"
    PEN = Device.PEN.value, "Automated pen"
    RF = Device.RF.value, "RF microneedling"


class TreatmentPlan(ClinicalRecord, ProtocolStamped):
    Status = PlanStatus

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="plans")
    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="plans"
    )
    screening = models.ForeignKey(
        "screenings.Screening", on_delete=models.PROTECT, related_name="plans"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    recommendation = models.JSONField(editable=False)  # engine Plan .model_dump(mode="json")
    device = models.CharField(max_length=32, choices=DeviceChoices.choices)
    # Null while the protocol has no figure and the clinician has not set one yet.
    sessions_planned = models.PositiveSmallIntegerField("sessions planned", null=True, blank=True)
    interval_weeks = models.PositiveSmallIntegerField("interval (weeks)", null=True, blank=True)
    start_date = models.DateField("first session", null=True, blank=True)
    depths = models.JSONField(default=dict, blank=True)  # {zone: mm or null}
    # [{field, value, recommended, reason, kind}] — kind "outside_range" or "no_sourced_range".
    deviations = models.JSONField(default=list, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A newer screening that differs from `screening` stops charting until a clinician
    # reviews the plan against it; the review names the screening it covers.
    screening_reviewed = models.ForeignKey(
        "screenings.Screening",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    screening_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    screening_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="plan_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=PlanStatus.APPROVED)
                | models.Q(approved_at__isnull=False, approved_by__isnull=False),
                name="plan_approved_has_approver",
            )
        ]

    def __str__(self) -> str:
        return f"Treatment plan {self.pk} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED

    def engine_plan(self) -> Plan:
        return Plan.model_validate(self.recommendation)

    def deviation_for(self, field: str) -> dict[str, Any] | None:
        return next((d for d in self.deviations or [] if d.get("field") == field), None)
