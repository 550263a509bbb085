"""Consent pages. Thin: parse -> selector -> service -> render/redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from needlechart.accounts.models import User
from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.refusal import refused
from needlechart.audit.services import audit_record
from needlechart.consents.document import consent_text, render_consent_html, text_hash
from needlechart.consents.forms import WITHDRAW, CountersignForm, PatientSignForm
from needlechart.consents.models import Consent
from needlechart.consents.pdf import consent_pdf
from needlechart.consents.selectors import (
    consent_get_for,
    consent_list_for,
    consent_status_for,
)
from needlechart.consents.services import (
    ALREADY_OPEN,
    COUNTERSIGN_ROLE,
    consent_countersign,
    consent_create,
    consent_sign_patient,
    consent_withdraw,
)
from needlechart.core.confirm import confirm_with_reason
from needlechart.core.forms import submit
from needlechart.patients.selectors import patient_get_for
from needlechart.plans.selectors import plan_get_for


def _audit_view(user: User, consent: Consent, page: str) -> None:
    audit_record(
        actor=user,
        action="consent.view",
        obj=consent,
        patient_id=consent.patient_id,
        detail={"page": page},
    )


def _context(consent: Consent, **extra: Any) -> dict[str, Any]:
    return {
        "consent": consent,
        "patient": consent.patient,
        "body": render_consent_html(consent.text),
        "hash_ok": text_hash(consent.text) == consent.text_hash,
        **extra,
    }


@clinical_required
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Preview the consent text for an approved plan, then prepare it for signing."""
    user = acting_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    status = consent_status_for(plan=plan)
    errors: list[str] = []
    if request.method == "POST":
        try:
            consent = consent_create(plan=plan, by=user)
        except ValidationError as exc:
            if ALREADY_OPEN in exc.messages and status.consent is not None:
                messages.info(request, ALREADY_OPEN)
                return redirect("consents:detail", consent_id=status.consent.pk)
            errors = exc.messages
        else:
            messages.success(request, "Consent prepared. The patient can now read and sign it.")
            return redirect("consents:sign", consent_id=consent.pk)
    preview = None
    if plan.is_approved and status.can_create:
        preview = render_consent_html(consent_text(plan=plan, patient=plan.patient))
    return render(
        request,
        "consents/consent_new.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "status": status,
            "preview": preview,
            "errors": errors,
        },
    )


@clinical_required
def consent_detail(request: HttpRequest, consent_id: int) -> HttpResponse:
    user = acting_user(request)
    consent = consent_get_for(user=user, consent_id=consent_id)
    _audit_view(user, consent, "detail")
    return render(
        request,
        "consents/consent_detail.html",
        _context(consent, can_countersign=user.is_clinician and consent.awaiting_countersign),
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def consent_sign(request: HttpRequest, consent_id: int) -> HttpResponse:
    """The patient reads the text, makes the two photo choices, types and draws."""
    user = acting_user(request)
    consent = consent_get_for(user=user, consent_id=consent_id)
    if not consent.awaiting_patient:
        messages.info(request, "This consent is not awaiting the patient's signature.")
        return redirect("consents:detail", consent_id=consent.pk)
    form = PatientSignForm(request.POST or None)
    if request.method == "POST":
        saved = submit(
            form, lambda: consent_sign_patient(consent=consent, by=user, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, "The patient has signed. A clinician must countersign.")
            return redirect("consents:detail", consent_id=consent.pk)
    else:
        _audit_view(user, consent, "sign")
    return render(request, "consents/consent_sign.html", _context(consent, form=form))


@clinical_required
@require_http_methods(["GET", "POST"])
def consent_countersign_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    user = acting_user(request)
    consent = consent_get_for(user=user, consent_id=consent_id)
    if not user.is_clinician:
        return refused(
            request,
            user=user,
            action="consent.countersign_refused",
            obj=consent,
            patient_id=consent.patient_id,
            title="Countersignature refused",
            message=COUNTERSIGN_ROLE,
            back_url=reverse("consents:detail", args=[consent.pk]),
            back_label="Back to the consent",
        )
    if not consent.awaiting_countersign:
        if consent.awaiting_patient:
            messages.info(request, "The patient must sign before the clinician countersigns.")
        else:
            messages.info(request, "This consent is not awaiting a countersignature.")
        return redirect("consents:detail", consent_id=consent.pk)
    form = CountersignForm(request.POST or None)
    if request.method == "POST":
        saved = submit(
            form,
            lambda: consent_countersign(
                consent=consent, by=user, signature=form.cleaned_data["signature"]
            ),
        )
        if saved is not None:
            messages.success(request, "Consent signed by both. It can no longer be changed.")
            return redirect("consents:detail", consent_id=consent.pk)
    else:
        _audit_view(user, consent, "countersign")
    return render(request, "consents/consent_countersign.html", _context(consent, form=form))


@clinical_required
@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    user = acting_user(request)
    consent = consent_get_for(user=user, consent_id=consent_id)
    if consent.is_withdrawn:
        messages.info(request, "This consent has already been withdrawn.")
        return redirect("consents:detail", consent_id=consent.pk)
    back = reverse("consents:detail", args=[consent.pk])
    return confirm_with_reason(
        request,
        confirmation=WITHDRAW,
        act=lambda reason: consent_withdraw(consent=consent, by=user, reason=reason),
        back_url=back,
        done_url=back,
        context={"consent": consent},
        template="consents/consent_withdraw.html",
    )


@clinical_required
def consent_pdf_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    user = acting_user(request)
    consent = consent_get_for(user=user, consent_id=consent_id)
    if consent.clinician_signed_at is None or consent.patient_signed_at is None:
        messages.error(request, "A PDF is available once the patient and a clinician have signed.")
        return redirect("consents:detail", consent_id=consent.pk)
    content = consent_pdf(consent)
    audit_record(
        actor=user,
        action="consent.download",
        obj=consent,
        patient_id=consent.patient_id,
        detail={"format": "pdf", "text_hash": consent.text_hash},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="consent-{consent.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@clinical_required
def consent_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    consents = list(consent_list_for(user=user, patient=patient))
    audit_record(actor=user, action="consent.list", patient_id=patient.pk)
    return render(request, "consents/consent_list.html", {"patient": patient, "consents": consents})
