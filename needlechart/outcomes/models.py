"""Outcomes: the follow-up visit — a re-grade (a follow-up Assessment) plus the patient's own
rating of improvement. Never edited or deleted: a later follow-up is a new row."""

from django.db import models

from needlechart.core.models import ClinicalRecord

RATING_MIN = 0  # "no improvement" (the scale's own ends, not a clinical figure)
RATING_MAX = 10  # "best imaginable improvement"


class FollowUp(ClinicalRecord):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_ups"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="follow_up"
    )
    followed_on = models.DateField("follow-up date")
    patient_rating = models.PositiveSmallIntegerField(
        "patient's rating of improvement",
        help_text="0 = no improvement, 10 = best imaginable improvement.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-followed_on", "-id"]
        indexes = [models.Index(fields=["patient", "followed_on"], name="followup_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(patient_rating__gte=RATING_MIN, patient_rating__lte=RATING_MAX),
                name="followup_rating_0_10",
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.pk} ({self.followed_on})"
