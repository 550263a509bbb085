"""State changes of a patient. Each: keyword-only, validates, one transaction, audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.accounts.permissions import require_role, require_staff
from needlechart.audit.services import audit_record
from needlechart.core.validation import required_text
from needlechart.patients.models import ContactMethod, Patient, Sex

# Fields a service may set from user input; everything else is managed by the system.
EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "preferred_contact",
    "notes",
)

NOT_STAFF = "Your role cannot change patient records."
ARCHIVE_ROLE = "Only a clinician or clinic admin can archive a patient."
ALREADY_ARCHIVED = "This patient is already archived."
REASON_REQUIRED = "Give a reason for archiving."
ARCHIVE_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN})


@transaction.atomic
def patient_register(
    *,
    by: User,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    sex: str = Sex.UNKNOWN,
    phone: str = "",
    email: str = "",
    preferred_contact: str = ContactMethod.PHONE,
    notes: str = "",
) -> Patient:
    require_staff(by, NOT_STAFF)
    patient = Patient(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        email=email,
        preferred_contact=preferred_contact,
        notes=notes,
        created_by=by,
    )
    patient.full_clean()
    patient.save()
    audit_record(actor=by, action="patient.create", obj=patient, patient_id=patient.pk)
    return patient


@transaction.atomic
def patient_update(*, by: User, patient: Patient, **data: Any) -> Patient:
    require_staff(by, NOT_STAFF)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = sorted(name for name, value in data.items() if getattr(patient, name) != value)
    if not changed:
        return patient
    for name in changed:
        setattr(patient, name, data[name])
    patient.full_clean()
    patient.save()
    # Field names only: the audit trail records that data changed, not the data itself.
    audit_record(
        actor=by,
        action="patient.update",
        obj=patient,
        patient_id=patient.pk,
        detail={"fields": changed},
    )
    return patient


@transaction.atomic
def patient_archive(*, by: User, patient: Patient, reason: str) -> Patient:
    """Soft delete: the row and everything hanging off it stay; lists stop showing it."""
    require_role(by, ARCHIVE_ROLES, ARCHIVE_ROLE)
    reason = required_text(reason, field="reason", message=REASON_REQUIRED)
    # Lock the row so two archivers cannot both pass the check.
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.archived_at is not None:
        raise ValidationError(ALREADY_ARCHIVED)
    locked.archived_at = timezone.now()
    locked.archived_reason = reason[:255]
    locked.save(update_fields=["archived_at", "archived_reason", "updated_at"])
    patient.archived_at, patient.archived_reason = locked.archived_at, locked.archived_reason
    audit_record(
        actor=by,
        action="patient.archive",
        obj=locked,
        patient_id=locked.pk,
        detail={"reason": locked.archived_reason},
    )
    return locked
