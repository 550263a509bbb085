"""Assessments: the skin exam graded by the engine and confirmed by the clinician.

Assessments are never deleted or edited: a re-assessment is a new row (kind follow_up).
"""

from typing import Any

from django.db import models

from needlechart.core.models import ClinicalRecord, ProtocolStamped
from needlechart.protocol.intake import ActiveAcne, ScarCounts, Scars
from needlechart.protocol.results import Grading
from needlechart.protocol.vocabulary import Answer, Fitzpatrick, GagsLesion, ScarType, Zone


class AssessmentKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    FOLLOW_UP = "follow_up", "Follow-up"


class FitzpatrickChoices(models.TextChoices):
    I = Fitzpatrick.I.value, "I"  # noqa: E741 - the phototype's own name
    II = Fitzpatrick.II.value, "II"
    III = Fitzpatrick.III.value, "III"
    IV = Fitzpatrick.IV.value, "IV"
    V = Fitzpatrick.V.value, "V"
    VI = Fitzpatrick.VI.value, "VI"


class AnswerChoices(models.TextChoices):
    YES = Answer.YES.value, "Yes"
    NO = Answer.NO.value, "No"
    UNKNOWN = Answer.UNKNOWN.value, "Unknown"


class Assessment(ClinicalRecord, ProtocolStamped):
    Kind = AssessmentKind

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    assessed_on = models.DateField("assessment date")
    fitzpatrick = models.CharField(
        "Fitzpatrick type", max_length=3, choices=FitzpatrickChoices.choices, blank=True
    )
    # {zone: {scar_type: count}}; zones and types from the engine's vocabulary.
    scar_counts = models.JSONField(default=dict, blank=True)
    visible_at_social_distance = models.CharField(
        "obvious at ~50 cm",
        max_length=10,
        choices=AnswerChoices.choices,
        default=AnswerChoices.UNKNOWN,
    )
    flatten_on_stretch = models.CharField(
        "flattens on stretching",
        max_length=10,
        choices=AnswerChoices.choices,
        default=AnswerChoices.UNKNOWN,
    )
    # {category_code: count} for the Goodman & Baron quantitative table (codes from the protocol).
    quantitative_counts = models.JSONField(default=dict, blank=True)
    hyperplastic_area_cm2 = models.DecimalField(
        "hyperplastic area (cm²)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    iga = models.PositiveSmallIntegerField("IGA", null=True, blank=True)
    gags = models.JSONField("GAGS worst lesion per region", null=True, blank=True)
    qualitative_grade = models.PositiveSmallIntegerField(
        "confirmed qualitative grade", null=True, blank=True
    )
    # Computed by the engine when recorded (never recomputed: the protocol may change).
    suggested_grade = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    quantitative_score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    gags_score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    grading = models.JSONField(editable=False)  # engine Grading .model_dump(mode="json")

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["patient", "assessed_on"], name="assessment_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(qualitative_grade__isnull=True)
                | models.Q(qualitative_grade__gte=1, qualitative_grade__lte=4),
                name="assessment_qualitative_grade_1_4",
            ),
            models.CheckConstraint(
                condition=models.Q(iga__isnull=True) | models.Q(iga__lte=4),
                name="assessment_iga_0_4",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} ({self.get_kind_display()}, {self.assessed_on})"

    def type_totals(self) -> dict[str, int]:
        """Count per scar type summed across zones (every type present, zeros included)."""
        totals = {t.value: 0 for t in ScarType}
        counts: dict[str, Any] = self.scar_counts or {}
        for per_type in counts.values():
            for scar_type, count in (per_type or {}).items():
                if scar_type in totals:
                    totals[scar_type] += int(count or 0)
        return totals

    def scars_model(self) -> Scars:
        """The engine's Scars: totals per type across zones plus the grading facts."""
        area = self.hyperplastic_area_cm2
        return Scars(
            counts=ScarCounts(**self.type_totals()),
            visible_at_social_distance=Answer(self.visible_at_social_distance),
            flatten_on_stretch=Answer(self.flatten_on_stretch),
            quantitative_counts=dict(self.quantitative_counts) or None,
            hyperplastic_area_cm2=float(area) if area is not None else None,
        )

    @property
    def has_acne_findings(self) -> bool:
        return self.iga is not None or bool(self.gags)

    def acne_model(self) -> ActiveAcne:
        """The engine's ActiveAcne. Presence follows the recorded grades: any IGA above 0 or
        any GAGS lesion means present; IGA 0 or an all-clear GAGS means absent; nothing
        recorded stays unknown (never a silent 'no')."""
        gags: dict[str, str] = dict(self.gags or {})
        lesions = [GagsLesion(v) for v in gags.values()]
        if (self.iga or 0) > 0 or any(lesion is not GagsLesion.NONE for lesion in lesions):
            present = Answer.YES
        elif self.iga == 0 or (lesions and self.iga is None):
            present = Answer.NO
        else:
            present = Answer.UNKNOWN
        return ActiveAcne.model_validate(
            {"present": present, "iga": self.iga, "gags": gags or None}
        )

    def engine_grading(self) -> Grading:
        return Grading.model_validate(self.grading)

    def zone_rows(self) -> list[tuple[str, list[int]]]:
        """Zones with at least one scar, each with counts in ScarType order (for display)."""
        counts: dict[str, Any] = self.scar_counts or {}
        rows = []
        for zone in Zone:
            per_type = counts.get(zone.value) or {}
            values = [int(per_type.get(t.value, 0) or 0) for t in ScarType]
            if any(values):
                rows.append((zone.value, values))
        return rows
