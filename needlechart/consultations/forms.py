"""The consultation intake form: one Django field per engine intake answer.

Field names are intake paths joined by "__" ("medications__isotretinoin__last_date"), so a
cleaned form becomes the engine's nested intake and an engine error's `loc` finds its field
without a hand-kept table. Every field is optional here: a draft may be half done, and the
engine (not this form) decides what a complete intake needs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils import timezone

from needlechart.consultations.services import (
    DATE_AFTER_CONSULTATION as DATE_AFTER_CONSULTATION,  # the page shows the service's rule
)
from needlechart.core.dates import ClinicalDateField
from needlechart.protocol import default_protocol
from needlechart.protocol.intake import (
    MAX_PRODUCT_NAME,
    MAX_PRODUCTS,
    OTHER_PRODUCT,
    Intake,
    MedicalHistory,
    Medications,
    RecentProcedures,
    Scars,
)
from needlechart.protocol.vocabulary import (
    Answer,
    Concern,
    DermatosisActivity,
    Device,
    DiabetesStatus,
    ExposureStatus,
    Fitzpatrick,
    ScarType,
    Zone,
)

SEP = "__"

DATE_WITH_STATUS_NO = 'A date is given but the answer is "No": clear the date or change the answer.'
IGA_WITHOUT_ACNE = 'An IGA grade above 0 is given but active acne is "No".'
TOO_MANY_LINES = "List at most {n} medications, one per line."
TOO_MANY_PRODUCTS = "List at most {n} products, one per line."
PRODUCT_NAME_TOO_LONG = "A product name has at most {n} characters."
NOTHING_AND_PRODUCTS = "“Nothing” cannot be ticked with a product: untick one."
OTHER_NAMED_NOT_TICKED = "A product is named here: also tick “Other” above, or clear the names."
AGE_PROBLEM = "The patient's age could not be used ({message}); check the date of birth."

ANSWER_CHOICES = [
    (Answer.YES.value, "Yes"),
    (Answer.NO.value, "No"),
    (Answer.UNKNOWN.value, "Unknown / not asked yet"),
]
EXPOSURE_CHOICES = [
    (ExposureStatus.NO.value, "No"),
    (ExposureStatus.CURRENT.value, "Current"),
    (ExposureStatus.PAST.value, "In the past"),
    (ExposureStatus.UNKNOWN.value, "Unknown / not asked yet"),
]
DERMATOSIS_CHOICES = [
    (DermatosisActivity.NONE.value, "None"),
    (DermatosisActivity.INACTIVE.value, "Inactive"),
    (DermatosisActivity.ACTIVE_ELSEWHERE.value, "Active elsewhere"),
    (DermatosisActivity.ACTIVE_IN_AREA.value, "Active in the treatment area"),
    (DermatosisActivity.UNKNOWN.value, "Unknown / not asked yet"),
]
DIABETES_CHOICES = [
    (DiabetesStatus.NONE.value, "None"),
    (DiabetesStatus.CONTROLLED.value, "Controlled"),
    (DiabetesStatus.UNCONTROLLED.value, "Uncontrolled"),
    (DiabetesStatus.UNKNOWN.value, "Unknown / not asked yet"),
]
DEVICE_CHOICES = [
    (Device.PEN.value, "Automated microneedling pen"),
    (Device.ROLLER.value, "Dermaroller"),
    (Device.RF.value, "Radiofrequency microneedling"),
]
CONCERN_LABELS = {
    Concern.ACNE_SCARS: "Acne scars",
    Concern.ACTIVE_ACNE: "Active acne",
    Concern.PIGMENTATION: "Post-inflammatory pigmentation",
    Concern.ERYTHEMA: "Post-inflammatory redness (erythema)",
    Concern.TEXTURE_PORES: "Texture and pores",
    Concern.FINE_LINES: "Fine lines",
    Concern.STRETCH_MARKS: "Stretch marks",
    Concern.SURGICAL_SCARS: "Surgical scars",
}
SCAR_LABELS = {
    ScarType.ICE_PICK: "Ice pick",
    ScarType.BOXCAR_SHALLOW: "Boxcar, shallow",
    ScarType.BOXCAR_DEEP: "Boxcar, deep",
    ScarType.ROLLING: "Rolling",
    ScarType.MACULAR: "Macular (flat marks)",
    ScarType.HYPERTROPHIC: "Hypertrophic",
    ScarType.KELOID: "Keloid",
}
HISTORY_LABELS = {
    "skin_infection_in_area": "Skin infection in the treatment area",
    "open_wound_in_area": "Open wound in the treatment area",
    "active_cold_sore": "Active cold sore",
    "hsv_history": "History of cold sores (herpes simplex)",
    "keloid_tendency": "Keloid or hypertrophic scarring tendency",
    "vitiligo": "Vitiligo",
    "bleeding_disorder": "Bleeding disorder",
    "immunosuppression": "Immunosuppression (condition)",
    "radiotherapy_to_area": "Radiotherapy to the treatment area",
    "skin_cancer_in_area": "Skin cancer or a suspicious lesion in the area",
    "collagen_vascular_disease": "Collagen vascular disease (e.g. scleroderma, lupus)",
    "pih_history": "History of post-inflammatory hyperpigmentation",
    "metal_allergy": "Metal allergy (e.g. nickel)",
    "topical_anaesthetic_allergy": "Allergy to topical anaesthetics",
    "implanted_electronic_device": "Pacemaker or other implanted electronic device",
    "metal_implants_in_area": "Metal implants in or under the treatment area",
    "previous_microneedling_reaction": (
        "Earlier reaction to microneedling or to a product applied during it"
    ),
}
# Products for the open skin: the protocol's list, "other", or explicitly nothing. Nothing
# ticked means not decided yet (the engine's null, which the screening asks).
NO_PRODUCT = "none"
PRODUCTS_FIELD = "products_to_apply"
OTHER_PRODUCTS_FIELD = "other_products"
# Free-text lists edited one item per line.
LINE_LIST_FIELDS = (f"medications{SEP}other", OTHER_PRODUCTS_FIELD)
DERMATOSIS_LABELS = {
    "eczema": "Eczema",
    "psoriasis": "Psoriasis",
    "rosacea": "Rosacea",
    "lichen_planus": "Lichen planus",
}
# Status + date pairs: (path, label). The date's meaning depends on the pair.
EXPOSURES = {
    "medications__isotretinoin": ("Oral isotretinoin", "Date of the last dose"),
    "medications__topical_retinoids": (
        "Topical retinoids, AHA/BHA or benzoyl peroxide",
        "Date of the last use",
    ),
    "sun_exposure": ("Recent sunburn, tan or unprotected sun exposure", "Date of the exposure"),
    "procedures__chemical_peel": ("Chemical peel", "Date of the peel"),
    "procedures__laser": ("Laser or IPL in the area", "Date of the treatment"),
    "procedures__filler": ("Dermal filler", "Date of the treatment"),
    "procedures__botulinum_toxin": ("Botulinum toxin", "Date of the treatment"),
}
# A model-level engine error (loc names a group, not a field) lands on this field.
GROUP_ERROR_FIELD = {
    **{path: f"{path}{SEP}last_date" for path in EXPOSURES},
    "active_acne": f"active_acne{SEP}iga",
    "scars": f"scars{SEP}counts{SEP}ice_pick",
}
# The engine's own limit on the list, so the form says it before the engine does.
MAX_OTHER_MEDICATIONS: int = next(
    (m.max_length for m in Medications.model_fields["other"].metadata if hasattr(m, "max_length")),
    50,
)


def _describe(model: type[Any], name: str) -> str:
    description = model.model_fields[name].description
    return str(description) if description else ""


def _answer(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=ANSWER_CHOICES,
        initial=Answer.UNKNOWN.value,
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def _date(label: str, help_text: str = "") -> forms.DateField:
    # Every date of the intake records something that has happened (past=True).
    return ClinicalDateField(
        past=True,
        label=label,
        required=False,
        help_text=help_text or "YYYY-MM-DD or DD/MM/YYYY. Leave blank if not known.",
    )


def _product_choices() -> list[tuple[str, str]]:
    listed = default_protocol().document.charting.glide_products
    return [
        *((p.code, p.label) for p in listed),
        (OTHER_PRODUCT, "Other (not listed by the protocol for needled skin)"),
        (NO_PRODUCT, "Nothing is applied to the open skin"),
    ]


def _products_advice() -> str:
    """The protocol's own advice on products for needled skin, as the section's lead-in."""
    advice = default_protocol().document.precautions.get("approved_topicals_only")
    return advice.text if advice else ""


def _iga_choices() -> list[tuple[str, str]]:
    grades = default_protocol().document.grading.iga.grades
    return [("", "Not graded")] + [(str(g), f"{g} — {text}") for g, text in sorted(grades.items())]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    fields: Mapping[str, forms.Field]


def _sections() -> list[Section]:
    demographics = {
        "pregnant": _answer("Pregnant"),
        "breastfeeding": _answer("Breastfeeding"),
        "guardian_present": _answer(
            "Parent or guardian present",
            "Only for a minor. " + _describe(Intake, "guardian_present"),
        ),
    }
    skin = {
        "fitzpatrick": forms.ChoiceField(
            label="Fitzpatrick skin type",
            choices=[("", "Not assessed")] + [(f.value, f"Type {f.value}") for f in Fitzpatrick],
            required=False,
        ),
        "concerns": forms.MultipleChoiceField(
            label="Concerns",
            choices=[(c.value, CONCERN_LABELS[c]) for c in Concern],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="What the patient wants treated.",
        ),
        "device": forms.ChoiceField(
            label="Device", choices=DEVICE_CHOICES, initial=Device.PEN.value, required=False
        ),
        "zones": forms.MultipleChoiceField(
            label="Treatment zones",
            choices=[(z.value, z.value.capitalize()) for z in Zone],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="At least one zone is needed to complete the consultation.",
        ),
    }
    acne = {
        f"active_acne{SEP}present": _answer("Active acne present"),
        f"active_acne{SEP}iga": forms.TypedChoiceField(
            label="IGA grade",
            choices=_iga_choices(),
            coerce=int,
            empty_value=None,
            required=False,
            help_text="Investigator's Global Assessment of active acne.",
        ),
    }
    scars: dict[str, forms.Field] = {
        f"scars{SEP}counts{SEP}{t.value}": forms.IntegerField(
            label=SCAR_LABELS[t],
            min_value=0,
            required=False,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        for t in ScarType
    }
    scars[f"scars{SEP}flatten_on_stretch"] = _answer("Scars flatten when the skin is stretched")
    scars[f"scars{SEP}visible_at_social_distance"] = _answer(
        "Visible at about 50 cm", _describe(Scars, "visible_at_social_distance")
    )
    history: dict[str, forms.Field] = {
        f"history{SEP}{name}": _answer(label, _describe(MedicalHistory, name))
        for name, label in HISTORY_LABELS.items()
    }
    for name, label in DERMATOSIS_LABELS.items():
        history[f"history{SEP}dermatoses{SEP}{name}"] = forms.ChoiceField(
            label=label,
            choices=DERMATOSIS_CHOICES,
            initial=DermatosisActivity.UNKNOWN.value,
            required=False,
        )
    history[f"history{SEP}diabetes"] = forms.ChoiceField(
        label="Diabetes", choices=DIABETES_CHOICES, initial="unknown", required=False
    )

    def exposure(path: str) -> dict[str, forms.Field]:
        label, date_label = EXPOSURES[path]
        return {
            f"{path}{SEP}status": forms.ChoiceField(
                label=label,
                choices=EXPOSURE_CHOICES,
                initial=ExposureStatus.UNKNOWN.value,
                required=False,
                widget=forms.RadioSelect,
            ),
            f"{path}{SEP}last_date": _date(f"{label}: {date_label.lower()}"),
        }

    medications: dict[str, forms.Field] = {
        **exposure("medications__isotretinoin"),
        f"medications{SEP}anticoagulants": _answer(
            "Anticoagulants or antiplatelet drugs", _describe(Medications, "anticoagulants")
        ),
        f"medications{SEP}immunosuppressants": _answer("Immunosuppressants or systemic steroids"),
        **exposure("medications__topical_retinoids"),
        f"medications{SEP}antiviral_prophylaxis": _answer(
            "Antiviral prophylaxis already prescribed"
        ),
        f"medications{SEP}other": forms.CharField(
            label="Other medications",
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="One per line.",
        ),
    }
    products: dict[str, forms.Field] = {
        PRODUCTS_FIELD: forms.MultipleChoiceField(
            label="Products to be applied to the open skin",
            choices=_product_choices(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Glide, serum or anything else used while the skin is open. Leave all "
            "unticked while it is not decided: the screening asks.",
        ),
        OTHER_PRODUCTS_FIELD: forms.CharField(
            label="Other products (names)",
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="One per line; needed when “Other” is ticked.",
        ),
    }
    sun = exposure("sun_exposure")
    procedures: dict[str, forms.Field] = {}
    for name in RecentProcedures.model_fields:
        procedures.update(exposure(f"procedures{SEP}{name}"))
    return [
        Section(
            "demographics", "Patient", "Age and sex come from the patient's record.", demographics
        ),
        Section("skin", "Skin, concerns and treatment", "", skin),
        Section("acne", "Active acne", "", acne),
        Section("scars", "Scars", "Counts per scar type across the treatment zones.", scars),
        Section(
            "history",
            "Medical history",
            "Leave “Unknown” where the question was not asked: the screening lists it as a "
            "question still to ask.",
            history,
        ),
        Section("medications", "Medications", "", medications),
        Section("products", "Products for the open skin", _products_advice(), products),
        Section("sun", "Sun exposure", "", sun),
        Section("procedures", "Recent procedures", "In or near the treatment area.", procedures),
    ]


# Built once: the protocol and vocabulary are fixed for the life of the process.
SECTIONS = _sections()
INTAKE_FIELDS = [name for section in SECTIONS for name in section.fields]
_DATE_STATUS = {f"{path}{SEP}last_date": f"{path}{SEP}status" for path in EXPOSURES}


def _get_path(data: dict[str, Any], parts: list[str]) -> Any:
    node: Any = data
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set_path(data: dict[str, Any], parts: list[str], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def _del_path(data: dict[str, Any], parts: list[str]) -> None:
    node: Any = data
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def intake_initial(intake: dict[str, Any]) -> dict[str, Any]:
    """Form initial values from a stored (possibly partial) intake."""
    initial: dict[str, Any] = {}
    for name in INTAKE_FIELDS:
        value = _get_path(intake, name.split(SEP))
        if value is None:
            continue
        if name in LINE_LIST_FIELDS and isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        elif name == PRODUCTS_FIELD and value == []:
            value = [NO_PRODUCT]
        initial[name] = value
    return initial


class ConsultationForm(forms.Form):
    consulted_on = _date("Consultation date", "YYYY-MM-DD or DD/MM/YYYY.")
    notes = forms.CharField(
        label="Consultation notes",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, consultation_date: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consultation_date = consultation_date
        self.fields["consulted_on"].required = True
        for section in SECTIONS:
            for name, field in section.fields.items():
                self.fields[name] = copy.deepcopy(field)

    def sections(self) -> Iterator[tuple[Section, list[BoundField]]]:
        for section in SECTIONS:
            yield section, [self[name] for name in section.fields]

    def clean_medications__other(self) -> list[str]:
        text = self.cleaned_data.get(f"medications{SEP}other") or ""
        lines = [line.strip() for line in str(text).splitlines() if line.strip()]
        if len(lines) > MAX_OTHER_MEDICATIONS:
            raise forms.ValidationError(TOO_MANY_LINES.format(n=MAX_OTHER_MEDICATIONS))
        return lines

    def clean_products_to_apply(self) -> list[str] | None:
        chosen = list(self.cleaned_data.get(PRODUCTS_FIELD) or [])
        if not chosen:
            return None  # not decided yet
        if NO_PRODUCT in chosen:
            if len(chosen) > 1:
                raise forms.ValidationError(NOTHING_AND_PRODUCTS)
            return []
        return chosen

    def clean_other_products(self) -> list[str]:
        text = self.cleaned_data.get(OTHER_PRODUCTS_FIELD) or ""
        names = [line.strip() for line in str(text).splitlines() if line.strip()]
        if len(names) > MAX_PRODUCTS:
            raise forms.ValidationError(TOO_MANY_PRODUCTS.format(n=MAX_PRODUCTS))
        if any(len(name) > MAX_PRODUCT_NAME for name in names):
            raise forms.ValidationError(PRODUCT_NAME_TOO_LONG.format(n=MAX_PRODUCT_NAME))
        return names

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        named = cleaned.get(OTHER_PRODUCTS_FIELD)
        ticked = cleaned.get(PRODUCTS_FIELD) or []
        if named and OTHER_PRODUCT not in ticked and PRODUCTS_FIELD not in self.errors:
            self.add_error(OTHER_PRODUCTS_FIELD, OTHER_NAMED_NOT_TICKED)
        on = cleaned.get("consulted_on") or self.consultation_date
        for date_field, status_field in _DATE_STATUS.items():
            when = cleaned.get(date_field)
            if when is None:
                continue
            if cleaned.get(status_field) == ExposureStatus.NO.value:
                self.add_error(date_field, DATE_WITH_STATUS_NO)
            elif when > on:
                self.add_error(date_field, DATE_AFTER_CONSULTATION)
        iga = cleaned.get(f"active_acne{SEP}iga")
        if cleaned.get(f"active_acne{SEP}present") == Answer.NO.value and iga not in (None, 0):
            self.add_error(f"active_acne{SEP}iga", IGA_WITHOUT_ACNE)
        return cleaned

    def intake_from(self, existing: dict[str, Any]) -> dict[str, Any]:
        """`existing` updated with every valid answer on the form (call after is_valid()).

        A field left blank removes its old answer (the engine default applies); a field with
        an error keeps the stored answer, so saving a draft never loses what was saved before.
        Parts of the intake this form does not edit (GAGS, quantitative counts) are kept.
        """
        intake = copy.deepcopy(existing) if isinstance(existing, dict) else {}
        cleaned = getattr(self, "cleaned_data", {})
        for name in INTAKE_FIELDS:
            if name in self.errors or name not in cleaned:
                continue
            parts = name.split(SEP)
            value = cleaned[name]
            if isinstance(value, date):
                value = value.isoformat()
            if value is None or value == "":
                _del_path(intake, parts)
            else:
                _set_path(intake, parts, value)
        return intake

    def add_intake_errors(self, errors: dict[str, list[str]]) -> None:
        """Put engine errors (keyed by intake path, see services.intake_errors) on fields."""
        for path, messages in errors.items():
            name = path.replace(".", SEP)
            if name in ("age", "sex"):
                for message in messages:
                    self.add_error(None, AGE_PROBLEM.format(message=message))
                continue
            if name not in self.fields:
                name = GROUP_ERROR_FIELD.get(name, "")
            if name and name not in self.fields:
                name = ""
            for message in messages:
                text = message if name else (f"{path}: {message}" if path else message)
                if name and name in self.errors and text in self.errors[name]:
                    continue
                self.add_error(name or None, text)


class StartConsultationForm(forms.Form):
    consulted_on = _date("Consultation date", "YYYY-MM-DD or DD/MM/YYYY.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consulted_on"].required = True
        self.fields["consulted_on"].initial = timezone.localdate  # most consultations are today
