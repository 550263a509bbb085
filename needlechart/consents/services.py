"""State changes of a consent. Each: keyword-only, validates, one transaction, audited.

Order: create (from an approved plan) -> the patient signs (witnessed by a clinician or an
aesthetician) -> a clinician countersigns, which makes it SIGNED and frozen. Withdrawal
records when and why; nothing is ever deleted or rewritten.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical, require_clinician
from needlechart.audit.services import audit_record
from needlechart.consents.document import consent_text, plan_zones, text_hash
from needlechart.consents.models import NAME_MAX_LENGTH, Consent, ConsentStatus
from needlechart.consents.selectors import consent_valid_for
from needlechart.consents.signature import clean_signature
from needlechart.core.validation import required_text
from needlechart.plans.models import PlanStatus, TreatmentPlan

NOT_CLINICAL = "Only clinicians and aestheticians can handle consent forms."
COUNTERSIGN_ROLE = (
    "Only a clinician can countersign a consent. An aesthetician may witness the patient's "
    "signature, but a clinician must countersign."
)
PLAN_NOT_APPROVED = "Consent is taken for an approved plan: approve the plan first."
PATIENT_ARCHIVED = "This patient's record is archived; no new consent can be taken."
ALREADY_OPEN = "A consent for this plan is already awaiting signatures."
ALREADY_VALID = "This plan already has a signed consent that covers its device and zones."
FROZEN = "This consent is signed and can no longer be changed."
NOT_OPEN = "This consent is not awaiting signatures."
ALREADY_PATIENT_SIGNED = "The patient has already signed this consent."
PATIENT_FIRST = "The patient must sign before the clinician countersigns."
NAME_REQUIRED = "Type the patient's full name as their typed signature."
REASON_REQUIRED = "Give the reason for withdrawing consent."
ALREADY_WITHDRAWN = "This consent has already been withdrawn."
TEXT_CHANGED = "The stored consent text does not match its hash; it cannot be signed."


def _locked(consent: Consent) -> Consent:
    return Consent.objects.select_for_update().get(pk=consent.pk)


def _sync(target: Consent, source: Consent, fields: list[str]) -> None:
    """Mirror the saved values onto the caller's instance."""
    for name in fields:
        setattr(target, name, getattr(source, name))


@transaction.atomic
def consent_create(*, plan: TreatmentPlan, by: User) -> Consent:
    """A consent document for an approved plan, ready for the patient to sign."""
    require_clinical(by, NOT_CLINICAL)
    locked_plan = (
        TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    )
    if locked_plan.status != PlanStatus.APPROVED:
        raise ValidationError(PLAN_NOT_APPROVED)
    patient = locked_plan.patient
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    if Consent.objects.filter(plan=locked_plan, status=ConsentStatus.DRAFT).exists():
        raise ValidationError(ALREADY_OPEN)
    if consent_valid_for(plan=locked_plan) is not None:
        raise ValidationError(ALREADY_VALID)
    text = consent_text(plan=locked_plan, patient=patient)
    consent = Consent(
        patient=patient,
        plan=locked_plan,
        status=ConsentStatus.DRAFT,
        text=text,
        text_hash=text_hash(text),
        device=locked_plan.device,
        zones=plan_zones(locked_plan),
        created_by=by,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=by,
        action="consent.create",
        obj=consent,
        patient_id=patient.pk,
        detail={"plan_id": locked_plan.pk, "text_hash": consent.text_hash},
    )
    return consent


@transaction.atomic
def consent_sign_patient(
    *,
    consent: Consent,
    by: User,
    full_name: str,
    signature: str,
    photo_clinical: bool,
    photo_marketing: bool,
) -> Consent:
    """The patient signs on screen, witnessed by `by` (a clinician or an aesthetician)."""
    require_clinical(by, NOT_CLINICAL)
    locked = _locked(consent)
    if locked.status == ConsentStatus.SIGNED:
        raise ValidationError(FROZEN)
    if locked.status != ConsentStatus.DRAFT:
        raise ValidationError(NOT_OPEN)
    if locked.patient_signed_at is not None:
        raise ValidationError(ALREADY_PATIENT_SIGNED)
    if text_hash(locked.text) != locked.text_hash:
        raise ValidationError(TEXT_CHANGED)
    errors: dict[str, str] = {}
    name = " ".join((full_name or "").split())
    if not name:
        errors["full_name"] = NAME_REQUIRED
    elif len(name) > NAME_MAX_LENGTH:
        errors["full_name"] = f"Use at most {NAME_MAX_LENGTH} characters."
    try:
        cleaned = clean_signature(signature)
    except ValidationError as exc:
        errors["signature"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    locked.patient_name_signed = name
    locked.patient_signature = cleaned
    locked.patient_signed_at = timezone.now()
    locked.patient_witnessed_by = by
    locked.photo_clinical = bool(photo_clinical)
    locked.photo_marketing = bool(photo_marketing)
    fields = [
        "patient_name_signed",
        "patient_signature",
        "patient_signed_at",
        "patient_witnessed_by",
        "photo_clinical",
        "photo_marketing",
    ]
    locked.save(update_fields=[*fields, "updated_at"])
    _sync(consent, locked, fields)
    audit_record(
        actor=by,
        action="consent.sign_patient",
        obj=locked,
        patient_id=locked.patient_id,
        detail={
            "text_hash": locked.text_hash,
            "photo_clinical": locked.photo_clinical,
            "photo_marketing": locked.photo_marketing,
        },
    )
    return locked


@transaction.atomic
def consent_countersign(*, consent: Consent, by: User, signature: str) -> Consent:
    """A clinician countersigns after the patient; the consent is then SIGNED and frozen."""
    require_clinician(by, COUNTERSIGN_ROLE)
    locked = _locked(consent)
    if locked.status == ConsentStatus.SIGNED:
        raise ValidationError(FROZEN)
    if locked.status != ConsentStatus.DRAFT:
        raise ValidationError(NOT_OPEN)
    if locked.patient_signed_at is None:
        raise ValidationError(PATIENT_FIRST)
    if text_hash(locked.text) != locked.text_hash:
        raise ValidationError(TEXT_CHANGED)
    try:
        cleaned = clean_signature(signature)
    except ValidationError as exc:
        raise ValidationError({"signature": exc.messages[0]}) from None
    locked.clinician = by
    locked.clinician_signature = cleaned
    locked.clinician_signed_at = timezone.now()
    locked.status = ConsentStatus.SIGNED
    fields = ["clinician", "clinician_signature", "clinician_signed_at", "status"]
    locked.save(update_fields=[*fields, "updated_at"])
    _sync(consent, locked, fields)
    audit_record(
        actor=by,
        action="consent.countersign",
        obj=locked,
        patient_id=locked.patient_id,
        detail={"text_hash": locked.text_hash, "plan_id": locked.plan_id},
    )
    return locked


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, reason: str) -> Consent:
    """Record that consent is withdrawn (or was declined before signing). Never deletes."""
    require_clinical(by, NOT_CLINICAL)
    reason = required_text(reason, field="reason", message=REASON_REQUIRED)
    locked = _locked(consent)
    if locked.status == ConsentStatus.WITHDRAWN or locked.withdrawn_at is not None:
        raise ValidationError(ALREADY_WITHDRAWN)
    previous = locked.status
    locked.status = ConsentStatus.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason
    locked.withdrawn_by = by
    fields = ["status", "withdrawn_at", "withdrawn_reason", "withdrawn_by"]
    locked.save(update_fields=[*fields, "updated_at"])
    _sync(consent, locked, fields)
    audit_record(
        actor=by,
        action="consent.withdraw",
        obj=locked,
        patient_id=locked.patient_id,
        detail={"previous_status": previous},
    )
    return locked
