"""Screenings: the engine's verdict on a completed consultation, and clinician overrides."""

from functools import cached_property

from django.db import models
from django.urls import reverse

from needlechart.core.models import ClinicalRecord, ProtocolStamped
from needlechart.protocol import Verdict
from needlechart.protocol.results import Screening as EngineScreening


class VerdictChoices(models.TextChoices):
    PROCEED = Verdict.PROCEED.value, "Proceed"
    PROCEED_WITH_PRECAUTIONS = Verdict.PROCEED_WITH_PRECAUTIONS.value, "Proceed with precautions"
    DEFER = Verdict.DEFER.value, "Defer"
    REFER_TO_PHYSICIAN = Verdict.REFER_TO_PHYSICIAN.value, "Refer to physician"
    NOT_A_CANDIDATE = Verdict.NOT_A_CANDIDATE.value, "Not a candidate"


class Screening(ClinicalRecord, ProtocolStamped):
    """One run of the engine. Never edited after creation; a re-run is a new row."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="screenings"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="screenings"
    )
    verdict = models.CharField(max_length=32, choices=VerdictChoices.choices)
    result = models.JSONField()  # engine Screening .model_dump(mode="json")
    screened_on = models.DateField()
    rescreen_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["verdict", "rescreen_on"], name="screening_rescreen_idx"),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} ({self.verdict}, {self.screened_on})"

    def get_absolute_url(self) -> str:
        return reverse("screenings:detail", args=[self.pk])

    @property
    def override_or_none(self) -> "ScreeningOverride | None":
        try:
            return self.override
        except ScreeningOverride.DoesNotExist:
            return None

    @property
    def effective_verdict(self) -> str:
        """The override's verdict if a clinician overrode, else the engine's verdict."""
        override = self.override_or_none
        return override.verdict if override is not None else self.verdict

    def get_effective_verdict_display(self) -> str:
        return str(VerdictChoices(self.effective_verdict).label)

    @property
    def is_treatable(self) -> bool:
        return Verdict(self.effective_verdict).treatable

    def engine_result(self) -> EngineScreening:
        return self._engine_result

    @cached_property
    def _engine_result(self) -> EngineScreening:
        return EngineScreening.model_validate(self.result)

    @property
    def is_current(self) -> bool:
        """The latest screening of its consultation. One query unless annotated/prefetched."""
        latest_id = getattr(self, "latest_id", None)
        if latest_id is None:
            latest_id = (
                Screening.objects.filter(consultation_id=self.consultation_id)
                .order_by("-created_at", "-id")
                .values_list("id", flat=True)
                .first()
            )
        return latest_id == self.pk


class ScreeningOverride(ClinicalRecord):
    """A clinician's decision that differs from the engine; the original verdict stays."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="override")
    verdict = models.CharField(max_length=32, choices=VerdictChoices.choices)
    reason = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="screening_override_reason_required"
            )
        ]

    def __str__(self) -> str:
        return f"Override of screening {self.screening_id} to {self.verdict}"
