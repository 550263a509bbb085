"""Reads of consents, scoped by the acting user where a page shows them. Fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.consents.document import plan_zones
from needlechart.consents.models import Consent, ConsentStatus
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.plans.models import PlanStatus, TreatmentPlan


def consent_get_for(*, user: User, consent_id: int) -> Consent:
    """The consent with everything its page shows, in one query."""
    require_clinical(user)
    if not 0 < consent_id <= MAX_DB_ID:
        raise Http404("No such consent.")
    try:
        return Consent.objects.select_related(
            "patient",
            "plan",
            "created_by",
            "clinician",
            "patient_witnessed_by",
            "withdrawn_by",
        ).get(pk=consent_id)
    except Consent.DoesNotExist:
        raise Http404("No such consent.") from None


def consent_list_for(*, user: User, patient: Patient) -> QuerySet[Consent]:
    require_clinical(user)
    return (
        Consent.objects.filter(patient=patient)
        .select_related("plan", "clinician", "created_by")
        .defer("text", "patient_signature", "clinician_signature")
        .order_by("-created_at", "-id")
    )


def current_consent(patient: Patient | int) -> Consent | None:
    """The patient's latest fully signed consent, if it is in force (not withdrawn). One
    query. What the patient agreed to about photos is read from it (`imaging`).

    The latest signed consent speaks for the patient: once it is withdrawn, an older one
    does not come back into force for photos.
    """
    patient_id = patient if isinstance(patient, int) else patient.pk
    latest = (
        Consent.objects.filter(patient_id=patient_id, clinician_signed_at__isnull=False)
        .only(
            "id",
            "photo_clinical",
            "photo_marketing",
            "clinician_signed_at",
            "withdrawn_at",
            "status",
            "patient_id",
        )
        .order_by("-clinician_signed_at", "-patient_signed_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.is_in_force else None


def _covers(consent: Consent, plan: TreatmentPlan) -> bool:
    return (
        consent.is_in_force
        and consent.device == plan.device
        and sorted(consent.zones or []) == plan_zones(plan)
    )


def _patient_consents(plan: TreatmentPlan) -> list[Consent]:
    return list(
        Consent.objects.filter(patient_id=plan.patient_id)
        .defer("text", "patient_signature", "clinician_signature")
        .order_by("-created_at", "-id")
    )


def consent_valid_for(*, plan: TreatmentPlan) -> Consent | None:
    """The consent that allows treating this plan: the patient's most recent consent in
    force whose device and zones equal the plan's, else None. A consent taken for an earlier
    plan still covers a new plan with the same device and zones; a change of either needs a
    new consent.

    A withdrawal is the patient's latest word: once the most recently signed consent is
    withdrawn, no older consent covers any plan until a new one is signed (as for photos)."""
    consents = _patient_consents(plan)
    signed = [c for c in consents if c.clinician_signed_at is not None]
    if signed and max(signed, key=lambda c: (c.clinician_signed_at, c.pk)).is_withdrawn:
        return None
    return next((c for c in consents if _covers(c, plan)), None)


@dataclass(frozen=True)
class PlanConsentStatus:
    """What the plan page says about consent.

    state: "valid", "awaiting_patient", "awaiting_countersign", "new_needed", "withdrawn",
    "none" (no consent yet) or "not_approved" (the plan is a draft or superseded).
    """

    state: str
    message: str
    consent: Consent | None = None  # the valid or the open consent
    previous: Consent | None = None  # the signed (or withdrawn) consent that no longer applies
    can_create: bool = False

    @property
    def needs_new(self) -> bool:
        return self.state in ("new_needed", "withdrawn", "none")


def consent_status_for(*, plan: TreatmentPlan) -> PlanConsentStatus:
    """The plan's consent state in one query (the patient's consents)."""
    consents = _patient_consents(plan)
    valid = next((c for c in consents if _covers(c, plan)), None)
    if valid is not None:
        when = valid.clinician_signed_at
        return PlanConsentStatus(
            state="valid",
            message=f"Consent signed{f' on {when:%d %b %Y}' if when else ''}.",
            consent=valid,
        )
    approved = plan.status == PlanStatus.APPROVED
    open_ = next(
        (c for c in consents if c.plan_id == plan.pk and c.status == ConsentStatus.DRAFT), None
    )
    if open_ is not None:
        if open_.patient_signed_at is None:
            return PlanConsentStatus(
                "awaiting_patient", "Consent prepared: awaiting the patient's signature.", open_
            )
        return PlanConsentStatus(
            "awaiting_countersign",
            "The patient has signed: awaiting a clinician's countersignature.",
            open_,
        )
    if not approved:
        return PlanConsentStatus(
            "not_approved", "Consent is taken once the plan is approved.", None
        )
    signed = next((c for c in consents if c.is_in_force), None)
    if signed is not None:
        return PlanConsentStatus(
            "new_needed",
            "New consent needed: the device or treatment areas differ from the signed consent.",
            previous=signed,
            can_create=True,
        )
    withdrawn = next((c for c in consents if c.status == ConsentStatus.WITHDRAWN), None)
    if withdrawn is not None and withdrawn.patient_signed_at is not None:
        return PlanConsentStatus(
            "withdrawn",
            "Consent was withdrawn: new consent needed before treatment.",
            previous=withdrawn,
            can_create=True,
        )
    return PlanConsentStatus(
        "none", "No consent yet: prepare the consent form for signing.", can_create=True
    )
