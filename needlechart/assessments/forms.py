"""The assessment form: a compact scar grid plus the grading facts. Validates input only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from needlechart.assessments.models import AnswerChoices, AssessmentKind, FitzpatrickChoices
from needlechart.consultations.models import Consultation
from needlechart.core.dates import ClinicalDateField
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from needlechart.protocol.intake import ScarCounts, Scars
from needlechart.protocol.vocabulary import GagsLesion, GagsRegion, ScarType, Zone

SCAR_TYPE_LABELS = {
    ScarType.ICE_PICK: "Ice pick",
    ScarType.BOXCAR_SHALLOW: "Boxcar, shallow",
    ScarType.BOXCAR_DEEP: "Boxcar, deep",
    ScarType.ROLLING: "Rolling",
    ScarType.MACULAR: "Macular",
    ScarType.HYPERTROPHIC: "Hypertrophic",
    ScarType.KELOID: "Keloid",
}
GAGS_REGION_LABELS = {
    GagsRegion.FOREHEAD: "Forehead",
    GagsRegion.RIGHT_CHEEK: "Right cheek",
    GagsRegion.LEFT_CHEEK: "Left cheek",
    GagsRegion.NOSE: "Nose",
    GagsRegion.CHIN: "Chin",
    GagsRegion.CHEST_UPPER_BACK: "Chest and upper back",
}
COUNT_ERROR = "Enter a whole number of 0 or more (leave blank for none)."


def _upper_bound(model: Any, field: str) -> float | None:
    """The engine's own input bound for a field (not a clinical number: a sanity limit)."""
    for meta in model.model_fields[field].metadata:
        le = getattr(meta, "le", None)
        if le is not None:
            return float(le)
    return None


MAX_COUNT = int(_upper_bound(ScarCounts, "ice_pick") or 1000)
MAX_AREA = _upper_bound(Scars, "hyperplastic_area_cm2")


def scar_field_name(zone: str, scar_type: str) -> str:
    return f"scar__{zone}__{scar_type}"


def quantitative_field_name(code: str) -> str:
    return f"quant__{code}"


def gags_field_name(region: str) -> str:
    return f"gags__{region}"


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        error_messages={"invalid": COUNT_ERROR, "min_value": COUNT_ERROR},
        widget=forms.NumberInput(
            attrs={"min": 0, "step": 1, "inputmode": "numeric", "aria-label": label}
        ),
    )


class AssessmentForm(forms.Form):
    consultation = forms.ModelChoiceField(
        queryset=Consultation.objects.none(),
        required=False,
        label="Consultation",
        empty_label="— none —",
    )
    kind = forms.ChoiceField(label="Kind", choices=AssessmentKind.choices)
    assessed_on = ClinicalDateField(past=True, label="Assessment date")
    fitzpatrick = forms.ChoiceField(
        label="Fitzpatrick type",
        required=False,
        choices=[("", "— not recorded —"), *FitzpatrickChoices.choices],
    )
    visible_at_social_distance = forms.ChoiceField(
        label="Scars obvious at about 50 cm (social distance)?",
        choices=AnswerChoices.choices,
        initial=AnswerChoices.UNKNOWN,
        widget=forms.RadioSelect,
    )
    flatten_on_stretch = forms.ChoiceField(
        label="Do they flatten when the skin is stretched?",
        choices=AnswerChoices.choices,
        initial=AnswerChoices.UNKNOWN,
        widget=forms.RadioSelect,
    )
    hyperplastic_area_cm2 = forms.DecimalField(
        label="Hyperplastic (raised) scar area, cm²",
        required=False,
        min_value=0,
        max_value=MAX_AREA,
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    )
    iga = forms.TypedChoiceField(
        label="Active acne: IGA grade",
        required=False,
        coerce=int,
        empty_value=None,
    )
    qualitative_grade = forms.TypedChoiceField(
        label="Goodman & Baron qualitative grade (clinician-confirmed)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Confirm or change the engine's suggestion; leave blank if not yet decided.",
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        consultation_field = self.fields["consultation"]
        assert isinstance(consultation_field, forms.ModelChoiceField)
        consultation_field.queryset = Consultation.objects.filter(patient=patient).order_by(
            "-consulted_on", "-id"
        )
        grading = default_protocol().document.grading
        iga = self.fields["iga"]
        assert isinstance(iga, forms.TypedChoiceField)
        iga.choices = [("", "— not graded —")] + [
            (str(k), f"{k} — {text}") for k, text in sorted(grading.iga.grades.items())
        ]
        qualitative = self.fields["qualitative_grade"]
        assert isinstance(qualitative, forms.TypedChoiceField)
        qualitative.choices = [("", "— not confirmed —")] + [
            (str(k), f"{k} — {g.level}: {g.definition}")
            for k, g in sorted(grading.goodman_baron_qualitative.grades.items())
        ]
        for zone in Zone:
            for scar_type in ScarType:
                label = f"{zone.value.capitalize()}: {SCAR_TYPE_LABELS[scar_type]}"
                self.fields[scar_field_name(zone.value, scar_type.value)] = _count_field(label)
        self.quantitative_categories = grading.goodman_baron_quantitative.categories
        for category in self.quantitative_categories:
            self.fields[quantitative_field_name(category.code)] = _count_field(
                f"{category.group}: {category.description}"
            )
        lesion_choices = [("", "— not assessed —")] + [
            (lesion.value, lesion.value.capitalize()) for lesion in GagsLesion
        ]
        for region in GagsRegion:
            self.fields[gags_field_name(region.value)] = forms.ChoiceField(
                label=GAGS_REGION_LABELS[region], required=False, choices=lesion_choices
            )

    # ----- layout helpers for the template
    def scar_grid(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (
                zone.value.capitalize(),
                [self[scar_field_name(zone.value, t.value)] for t in ScarType],
            )
            for zone in Zone
        ]

    def scar_type_labels(self) -> list[str]:
        return [SCAR_TYPE_LABELS[t] for t in ScarType]

    def grid_errors(self) -> list[str]:
        return sorted(
            {
                f"{self.fields[name].label}: {error}"
                for name, errors in self.errors.items()
                if name.startswith("scar__")
                for error in errors
            }
        )

    def quantitative_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(c, self[quantitative_field_name(c.code)]) for c in self.quantitative_categories]

    def gags_fields(self) -> list[forms.BoundField]:
        return [self[gags_field_name(r.value)] for r in GagsRegion]

    # ----- to the service
    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        scar_counts: dict[str, dict[str, int]] = {}
        for zone in Zone:
            for scar_type in ScarType:
                value = data.get(scar_field_name(zone.value, scar_type.value))
                if value:
                    scar_counts.setdefault(zone.value, {})[scar_type.value] = value
        quantitative = {
            c.code: value
            for c in self.quantitative_categories
            if (value := data.get(quantitative_field_name(c.code)))
        }
        gags = {
            r.value: lesion for r in GagsRegion if (lesion := data.get(gags_field_name(r.value)))
        }
        return {
            "consultation": data.get("consultation"),
            "kind": data["kind"],
            "assessed_on": data["assessed_on"],
            "fitzpatrick": data.get("fitzpatrick") or "",
            "scar_counts": scar_counts,
            "visible_at_social_distance": data["visible_at_social_distance"],
            "flatten_on_stretch": data["flatten_on_stretch"],
            "quantitative_counts": quantitative,
            "hyperplastic_area_cm2": data.get("hyperplastic_area_cm2"),
            "iga": data.get("iga"),
            "gags": gags or None,
            "qualitative_grade": data.get("qualitative_grade"),
        }
