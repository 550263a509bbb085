"""Screenings: the engine's verdict on a completed consultation, and clinician overrides."""

from datetime import date
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse

from needlechart.core.models import ClinicalRecord, ProtocolStamped
from needlechart.protocol import OverrideLevel, Verdict
from needlechart.protocol.results import Screening as EngineScreening


class VerdictChoices(models.TextChoices):
    PROCEED = Verdict.PROCEED.value, "Proceed"
    PROCEED_WITH_PRECAUTIONS = Verdict.PROCEED_WITH_PRECAUTIONS.value, "Proceed with precautions"
    DEFER = Verdict.DEFER.value, "Defer"
    REFER_TO_PHYSICIAN = Verdict.REFER_TO_PHYSICIAN.value, "Refer to physician"
    NOT_A_CANDIDATE = Verdict.NOT_A_CANDIDATE.value, "Not a candidate"


class OverrideLevelChoices(models.TextChoices):
    AESTHETICIAN = OverrideLevel.AESTHETICIAN.value, "Aesthetician or clinician"
    CLINICIAN = OverrideLevel.CLINICIAN.value, "Clinician"
    SECOND_CLINICIAN = OverrideLevel.SECOND_CLINICIAN.value, "Clinician, confirmed by a second"


def override_in_effect_q() -> Q:
    """Screenings whose override is in effect: recorded, and not waiting for a second
    clinician (the SQL form of `Screening.override_in_effect`)."""
    return Q(override__isnull=False) & (
        ~Q(override__level=OverrideLevel.SECOND_CLINICIAN.value)
        | Q(override__confirmed_at__isnull=False)
    )


# The read rules of screenings, each defined once and read by the pages, the dashboard, the
# reminders and the API alike: newest first, the current screening of a consultation
# (`is_current`), each patient's latest, the effective verdict, due for re-screening.
NEWEST_FIRST = ("-created_at", "-id")


class ScreeningQuerySet(models.QuerySet["Screening"]):
    def newest_first(self) -> "ScreeningQuerySet":
        return self.order_by(*NEWEST_FIRST)

    def with_latest_of_consultation(self) -> "ScreeningQuerySet":
        """Annotates `latest_id`, the id of the consultation's latest screening (the current
        one), which `Screening.is_current` reads instead of querying."""
        latest = Subquery(
            Screening.objects.filter(consultation_id=OuterRef("consultation_id"))
            .newest_first()
            .values("id")[:1]
        )
        return self.annotate(latest_id=latest)

    def latest_of_each_patient(self) -> "ScreeningQuerySet":
        """Each patient's latest screening (any consultation): a later one supersedes it."""
        latest = Subquery(
            Screening.objects.filter(patient_id=OuterRef("patient_id"))
            .newest_first()
            .values("id")[:1]
        )
        return self.annotate(latest_of_patient=latest).filter(id=F("latest_of_patient"))

    def effective_verdict(self, verdict: str) -> "ScreeningQuerySet":
        """Screenings whose effective verdict — the override's once in effect, else the
        engine's — is `verdict`: the SQL form of `Screening.effective_verdict` (a hard
        stop's override waiting for a second clinician leaves the engine's verdict)."""
        in_effect = override_in_effect_q()
        return self.filter(
            (in_effect & Q(override__verdict=verdict)) | (~in_effect & Q(verdict=verdict))
        )

    def due_for_rescreen(self, *, today: date) -> "ScreeningQuerySet":
        """Deferred patients due for re-screening on `today`: each active (not archived)
        patient's latest screening whose effective verdict is "defer" and whose re-screen
        date has come. The dashboard panel and the re-screen reminders both read this."""
        return (
            self.latest_of_each_patient()
            .effective_verdict(Verdict.DEFER.value)
            .filter(rescreen_on__lte=today, patient__archived_at__isnull=True)
        )


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

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = list(NEWEST_FIRST)
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
    def override_in_effect(self) -> "ScreeningOverride | None":
        """The override, unless it still waits for a second clinician's confirmation."""
        override = self.override_or_none
        return override if override is not None and not override.is_pending else None

    @property
    def effective_verdict(self) -> str:
        """The override's verdict once it is in effect, else the engine's verdict (a hard
        stop's override is not in effect until a second clinician confirms it)."""
        override = self.override_in_effect
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

    @staticmethod
    def latest_id_of_consultation(consultation_id: int) -> int | None:
        """The id of the consultation's latest screening (the current one). One query."""
        return (
            Screening.objects.filter(consultation_id=consultation_id)
            .newest_first()
            .values_list("id", flat=True)
            .first()
        )

    @property
    def is_current(self) -> bool:
        """The latest screening of its consultation. One query unless annotated/prefetched."""
        latest_id = getattr(self, "latest_id", None)
        if latest_id is None:
            latest_id = Screening.latest_id_of_consultation(self.consultation_id)
        return latest_id == self.pk


class ScreeningOverride(ClinicalRecord):
    """A clinician's decision that differs from the engine; the original verdict stays.

    `level` is who the engine said may override (`override_level`, kept as it was at the
    time). At `second_clinician` (an answered hard stop) the override is pending — the
    engine's verdict stays in effect — until a second, different clinician confirms it."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="override")
    verdict = models.CharField(max_length=32, choices=VerdictChoices.choices)
    reason = models.TextField()
    level = models.CharField(
        "who may override", max_length=32, choices=OverrideLevelChoices.choices
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_note = models.TextField("confirmation note", blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="screening_override_reason_required"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | models.Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="screening_override_confirmed_has_both",
            ),
            # The second clinician is a different person from the one who overrode.
            models.CheckConstraint(
                condition=models.Q(confirmed_by__isnull=True)
                | ~models.Q(confirmed_by=models.F("created_by")),
                name="screening_override_confirmed_by_another",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "confirmed_at"], name="screening_override_pending_idx")
        ]

    def __str__(self) -> str:
        return f"Override of screening {self.screening_id} to {self.verdict}"

    @property
    def needs_confirmation(self) -> bool:
        return self.level == OverrideLevel.SECOND_CLINICIAN.value

    @property
    def is_pending(self) -> bool:
        """Recorded, but waiting for the second clinician: not in effect."""
        return self.needs_confirmation and self.confirmed_at is None
