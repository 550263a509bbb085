"""Recording an assessment: validate, grade with the engine, store, audit."""

from datetime import date
from decimal import Decimal
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.assessments.models import AnswerChoices, Assessment, AssessmentKind
from needlechart.audit.services import audit_record
from needlechart.consultations.models import Consultation
from needlechart.core import dates
from needlechart.patients.models import Patient
from needlechart.protocol import GradingError, default_protocol, grade
from needlechart.protocol.loader import format_validation_error
from needlechart.protocol.vocabulary import Fitzpatrick, GagsLesion, GagsRegion, ScarType, Zone

# Fields a caller may pass; everything else is computed.
INPUT_FIELDS = (
    "kind",
    "assessed_on",
    "fitzpatrick",
    "scar_counts",
    "visible_at_social_distance",
    "flatten_on_stretch",
    "quantitative_counts",
    "hyperplastic_area_cm2",
    "iga",
    "gags",
    "qualitative_grade",
)

NOT_CLINICAL = "Only clinicians and aestheticians can record an assessment."
PATIENT_ARCHIVED = "This patient's record is archived; new assessments cannot be added."
WRONG_CONSULTATION = "This consultation belongs to another patient."
DATE_IN_FUTURE = dates.DATE_IN_FUTURE
COUNT_INVALID = "Counts must be whole numbers of 0 or more."
UNKNOWN_ZONE = "Unknown zone '{}'."
UNKNOWN_SCAR_TYPE = "Unknown scar type '{}'."
UNKNOWN_CATEGORY = "Unknown quantitative category '{}'."
UNKNOWN_REGION = "Unknown GAGS region '{}'."
UNKNOWN_LESION = "Unknown GAGS lesion '{}'."
IGA_INVALID = "Choose an IGA grade the protocol defines."
GRADE_INVALID = "Choose a qualitative grade the protocol defines."
AREA_INVALID = "The area must be 0 cm² or more."


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(COUNT_INVALID)
    return value


def _clean_scar_counts(raw: Any) -> dict[str, dict[str, int]]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError({"scar_counts": COUNT_INVALID})
    zones = {z.value for z in Zone}
    types = {t.value for t in ScarType}
    clean: dict[str, dict[str, int]] = {}
    for zone, per_type in raw.items():
        if zone not in zones:
            raise ValidationError({"scar_counts": UNKNOWN_ZONE.format(zone)})
        if not isinstance(per_type, dict):
            raise ValidationError({"scar_counts": COUNT_INVALID})
        for scar_type, value in per_type.items():
            if scar_type not in types:
                raise ValidationError({"scar_counts": UNKNOWN_SCAR_TYPE.format(scar_type)})
            try:
                count = _count(value)
            except ValueError:
                raise ValidationError({"scar_counts": COUNT_INVALID}) from None
            if count:  # blanks and zeros are not stored: an absent type means none
                clean.setdefault(zone, {})[scar_type] = count
    return clean


def _clean_quantitative(raw: Any) -> dict[str, int]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError({"quantitative_counts": COUNT_INVALID})
    table = default_protocol().document.grading.goodman_baron_quantitative
    codes = {c.code for c in table.categories}
    clean: dict[str, int] = {}
    for code, value in raw.items():
        if code not in codes:
            raise ValidationError({"quantitative_counts": UNKNOWN_CATEGORY.format(code)})
        try:
            count = _count(value)
        except ValueError:
            raise ValidationError({"quantitative_counts": COUNT_INVALID}) from None
        if count:
            clean[code] = count
    return clean


def _clean_gags(raw: Any) -> dict[str, str] | None:
    if not raw:
        return None
    if not isinstance(raw, dict):
        raise ValidationError({"gags": UNKNOWN_REGION.format(raw)})
    regions = {r.value for r in GagsRegion}
    lesions = {lesion.value for lesion in GagsLesion}
    clean: dict[str, str] = {}
    for region, lesion in raw.items():
        if region not in regions:
            raise ValidationError({"gags": UNKNOWN_REGION.format(region)})
        if lesion not in lesions:
            raise ValidationError({"gags": UNKNOWN_LESION.format(lesion)})
        clean[region] = lesion
    return clean or None


def _validate_choice(errors: dict[str, str], field: str, value: Any, allowed: set[Any]) -> None:
    if value not in allowed:
        errors[field] = f"'{value}' is not a valid choice."


def assessment_build(
    *,
    patient: Patient,
    by: User,
    consultation: Consultation | None = None,
    today: date | None = None,
    **data: Any,
) -> Assessment:
    """Validate and grade without saving (also used to preview the suggested grade)."""
    require_clinical(by, NOT_CLINICAL)
    unknown = set(data) - set(INPUT_FIELDS)
    if unknown:
        raise ValueError(f"Not accepted: {', '.join(sorted(unknown))}")
    today = today or timezone.localdate()
    protocol = default_protocol()
    grading_doc = protocol.document.grading
    errors: dict[str, str] = {}

    if consultation is not None and consultation.patient_id != patient.pk:
        errors["consultation"] = WRONG_CONSULTATION
    kind = data.get("kind") or (
        AssessmentKind.FOLLOW_UP if patient.assessments.exists() else AssessmentKind.BASELINE
    )
    _validate_choice(errors, "kind", kind, set(AssessmentKind.values))
    assessed_on = data.get("assessed_on") or today
    errors |= dates.date_errors(
        {"assessed_on": assessed_on}, born=patient.date_of_birth, today=today, past=True
    )
    fitzpatrick = data.get("fitzpatrick") or ""
    _validate_choice(errors, "fitzpatrick", fitzpatrick, {"", *(f.value for f in Fitzpatrick)})
    visible = data.get("visible_at_social_distance") or AnswerChoices.UNKNOWN
    flattens = data.get("flatten_on_stretch") or AnswerChoices.UNKNOWN
    _validate_choice(errors, "visible_at_social_distance", visible, set(AnswerChoices.values))
    _validate_choice(errors, "flatten_on_stretch", flattens, set(AnswerChoices.values))
    iga = data.get("iga")
    if iga is not None and iga not in grading_doc.iga.grades:
        errors["iga"] = IGA_INVALID
    qualitative = data.get("qualitative_grade")
    if qualitative is not None and qualitative not in grading_doc.goodman_baron_qualitative.grades:
        errors["qualitative_grade"] = GRADE_INVALID
    area = data.get("hyperplastic_area_cm2")
    if area is not None:
        area = Decimal(str(area))
        if area < 0:
            errors["hyperplastic_area_cm2"] = AREA_INVALID
    if errors:
        raise ValidationError(errors)

    assessment = Assessment(
        patient=patient,
        consultation=consultation,
        kind=kind,
        assessed_on=assessed_on,
        fitzpatrick=fitzpatrick,
        scar_counts=_clean_scar_counts(data.get("scar_counts")),
        visible_at_social_distance=visible,
        flatten_on_stretch=flattens,
        quantitative_counts=_clean_quantitative(data.get("quantitative_counts")),
        hyperplastic_area_cm2=area,
        iga=iga,
        gags=_clean_gags(data.get("gags")),
        qualitative_grade=qualitative,
        created_by=by,
    )
    try:
        scars, acne = assessment.scars_model(), assessment.acne_model()
        result = grade(scars, acne, protocol=protocol)
    except pydantic.ValidationError as exc:
        raise ValidationError(format_validation_error(exc)) from None
    except GradingError as exc:
        raise ValidationError({"quantitative_counts": str(exc)}) from None
    assessment.grading = result.model_dump(mode="json")
    assessment.suggested_grade = result.qualitative.grade
    assessment.quantitative_score = result.quantitative.score if result.quantitative else None
    assessment.gags_score = result.acne.gags_score
    assessment.protocol_id = result.protocol.id
    assessment.protocol_version = result.protocol.version
    assessment.protocol_hash = result.protocol.hash
    return assessment


@transaction.atomic
def assessment_record(
    *,
    patient: Patient,
    by: User,
    consultation: Consultation | None = None,
    today: date | None = None,
    **data: Any,
) -> Assessment:
    """Record one assessment with the engine's grading. Never edited or deleted afterwards."""
    require_clinical(by, NOT_CLINICAL)
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    assessment = assessment_build(
        patient=patient, by=by, consultation=consultation, today=today, **data
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=by,
        action="assessment.create",
        obj=assessment,
        patient_id=patient.pk,
        detail={
            "kind": assessment.kind,
            "suggested_grade": assessment.suggested_grade,
            "qualitative_grade": assessment.qualitative_grade,
        },
    )
    return assessment
