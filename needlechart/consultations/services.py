"""State changes of a consultation. Each: keyword-only, validates, one transaction, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.audit.services import audit_record
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.core import dates
from needlechart.patients.models import Patient
from needlechart.protocol import Intake, default_protocol
from needlechart.protocol.charting import glide_product_listed
from needlechart.protocol.intake import OTHER_PRODUCT, Exposure

NOT_CLINICAL = "Only clinicians and aestheticians record consultations."
PATIENT_ARCHIVED = "This patient's record is archived; unarchive it before a consultation."
DATE_IN_FUTURE = dates.DATE_IN_FUTURE
DATE_BEFORE_BIRTH = dates.DATE_BEFORE_BIRTH
DATE_AFTER_CONSULTATION = "This date is after the consultation date; check it."
ALREADY_COMPLETED = (
    "This consultation is completed. Complete it again to record a new screening; "
    "a completed consultation is not turned back into a draft."
)
NOT_A_DICT = "The intake must be a mapping of answers."
PRODUCT_NOT_LISTED = (
    "Not a product the protocol lists for needled skin: {codes}. Use a listed code ({listed}), "
    "or “other” with the product's name in other_products."
)
OTHER_PRODUCT_UNNAMED = "Name each product that is not on the protocol's list (“other”)."

# Filled in by the system from the patient's record, never typed into the intake.
SYSTEM_KEYS = ("age", "sex")


def _check_date(patient: Patient, consulted_on: date) -> None:
    dates.require_plausible({"consulted_on": consulted_on}, born=patient.date_of_birth, past=True)


def exposure_dates(model: pydantic.BaseModel, path: str = "") -> dict[str, date]:
    """Every exposure's last date in the intake, keyed by intake path ("sun_exposure.last_date");
    found by type, so an exposure added to the intake is checked without a list to keep."""
    found: dict[str, date] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        if isinstance(value, Exposure):
            if value.last_date is not None:
                found[f"{where}.last_date"] = value.last_date
        elif isinstance(value, pydantic.BaseModel):
            found.update(exposure_dates(value, where))
    return found


def exposure_date_errors(
    intake: Intake, *, patient: Patient, consulted_on: date
) -> dict[str, list[str]]:
    """A past exposure happened before the consultation and after the patient's birth."""
    errors: dict[str, list[str]] = {}
    for where, day in exposure_dates(intake).items():
        problem = dates.date_problem(day, born=patient.date_of_birth, past=True)
        if problem is None and day > consulted_on:
            problem = DATE_AFTER_CONSULTATION
        if problem:
            errors[where] = [problem]
    return errors


def _with_patient_facts(
    data: dict[str, Any], patient: Patient, consulted_on: date
) -> dict[str, Any]:
    """The intake with age (on the consultation day) and sex taken from the patient record."""
    out = {k: v for k, v in data.items() if k not in SYSTEM_KEYS}
    out["age"] = patient.age_on(consulted_on)
    out["sex"] = patient.sex
    return out


def intake_errors(exc: pydantic.ValidationError) -> dict[str, list[str]]:
    """pydantic errors keyed by intake path ("medications.isotretinoin.last_date"; "" = whole)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        # Drop list indexes and pydantic's validator wrappers: they are not places in the form.
        parts = [
            str(p)
            for p in error["loc"]
            if not isinstance(p, int) and not str(p).startswith("function-") and "[" not in str(p)
        ]
        where = ".".join(parts)
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.setdefault(where, []).append(message)
    return errors


def product_errors(intake: Intake) -> dict[str, list[str]]:
    """The products to apply must be codes from the protocol's list, or "other" with a name.

    The engine accepts any code (and warns about one it does not list); a clinic's record
    takes only what its protocol lists, so a mistyped code is an error, not a warning.
    """
    chosen = intake.products_to_apply or ()
    errors: dict[str, list[str]] = {}
    unknown = [c for c in chosen if c != OTHER_PRODUCT and not glide_product_listed(c)]
    if unknown:
        listed = ", ".join(p.code for p in default_protocol().document.charting.glide_products)
        errors["products_to_apply"] = [
            PRODUCT_NOT_LISTED.format(codes=", ".join(unknown), listed=listed)
        ]
    if OTHER_PRODUCT in chosen and not intake.other_products:
        errors["other_products"] = [OTHER_PRODUCT_UNNAMED]
    return errors


@transaction.atomic
def consultation_start(
    *, patient: Patient, by: User, consulted_on: date | None = None, notes: str = ""
) -> Consultation:
    require_clinical(by, NOT_CLINICAL)
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    consulted_on = consulted_on or timezone.localdate()
    _check_date(patient, consulted_on)
    consultation = Consultation.objects.create(
        patient=patient,
        consulted_on=consulted_on,
        intake=_with_patient_facts({}, patient, consulted_on),
        notes=notes,
        created_by=by,
    )
    audit_record(actor=by, action="consultation.create", obj=consultation, patient_id=patient.pk)
    return consultation


def _apply(
    consultation: Consultation,
    data: dict[str, Any],
    consulted_on: date | None,
    notes: str | None,
) -> list[str]:
    if not isinstance(data, dict):
        raise ValidationError(NOT_A_DICT)
    if consulted_on is not None and consulted_on != consultation.consulted_on:
        _check_date(consultation.patient, consulted_on)
        consultation.consulted_on = consulted_on
    intake = _with_patient_facts(data, consultation.patient, consultation.consulted_on)
    old = consultation.intake or {}
    changed = sorted(k for k in set(old) | set(intake) if old.get(k) != intake.get(k))
    consultation.intake = intake
    if notes is not None:
        consultation.notes = notes
    return changed


@transaction.atomic
def consultation_save_draft(
    *,
    consultation: Consultation,
    by: User,
    data: dict[str, Any],
    consulted_on: date | None = None,
    notes: str | None = None,
) -> Consultation:
    """Store a partial intake. Nothing is validated against the engine: a draft may be half done."""
    require_clinical(by, NOT_CLINICAL)
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.status != ConsultationStatus.DRAFT:
        raise ValidationError(ALREADY_COMPLETED)
    consultation.status = locked.status
    changed = _apply(consultation, data, consulted_on, notes)
    consultation.save(update_fields=["intake", "consulted_on", "notes", "updated_at"])
    # Section names only: the trail records that answers changed, not the answers.
    audit_record(
        actor=by,
        action="consultation.update",
        obj=consultation,
        patient_id=consultation.patient_id,
        detail={"sections": changed},
    )
    return consultation


@transaction.atomic
def consultation_mark_completed(
    *,
    consultation: Consultation,
    by: User,
    data: dict[str, Any],
    consulted_on: date | None = None,
    notes: str | None = None,
) -> Consultation:
    """Validate the full intake through the engine's model and mark the consultation completed.

    Raises ValidationError keyed by intake path (see `intake_errors`) when the engine
    rejects the intake; nothing is saved then. A completed consultation is always screened:
    call `screenings.services.consultation_complete`, which does both in one transaction
    (this app does not import screenings: the dependency points from screenings to here).
    """
    require_clinical(by, NOT_CLINICAL)
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    changed = _apply(consultation, data, consulted_on, notes)
    try:
        intake = Intake.model_validate(consultation.intake)
    except pydantic.ValidationError as exc:
        raise ValidationError(intake_errors(exc)) from None
    problems = exposure_date_errors(
        intake, patient=consultation.patient, consulted_on=consultation.consulted_on
    ) | product_errors(intake)
    if problems:
        raise ValidationError(problems)
    recompleted = consultation.status == ConsultationStatus.COMPLETED
    consultation.status = ConsultationStatus.COMPLETED
    consultation.completed_at = timezone.now()
    consultation.completed_by = by
    consultation.save()
    audit_record(
        actor=by,
        action="consultation.complete",
        obj=consultation,
        patient_id=consultation.patient_id,
        detail={"sections": changed, "again": recompleted},
    )
    return consultation
