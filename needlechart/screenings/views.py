"""Screening pages: the engine's result with its reasons, overrides and history."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from needlechart.accounts.models import User
from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.consultations.selectors import consultation_get_for
from needlechart.core.forms import submit
from needlechart.protocol import OverrideLevel, Verdict, default_protocol
from needlechart.screenings.forms import OverrideConfirmForm, ScreeningOverrideForm
from needlechart.screenings.models import Screening
from needlechart.screenings.selectors import screening_get_for, screening_history
from needlechart.screenings.services import (
    CONFIRM_OWN,
    CONFIRM_ROLE,
    PENDING_NOTE,
    override_refusal,
    screening_override,
    screening_override_confirm,
    screening_override_level,
    screening_run,
)


def _citations(keys: list[str], sources: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "text": sources.get(k, "")} for k in keys]


def _detail_context(
    user: User, screening: Screening, form: ScreeningOverrideForm | None
) -> dict[str, Any]:
    result = screening.engine_result()
    sources = default_protocol().document.sources
    findings = [
        {"finding": f, "citations": _citations(f.sources, sources)} for f in result.findings
    ]
    precautions = [
        {"precaution": p, "citations": _citations(p.sources, sources)} for p in result.precautions
    ]
    override = screening.override_or_none
    refusal = override_refusal(user, screening)
    may_override = override is None and screening.is_current and refusal is None
    if may_override and form is None:
        form = ScreeningOverrideForm(screening=screening, user=user)
    level = screening_override_level(screening)
    return {
        "screening": screening,
        "result": result,
        "consultation": screening.consultation,
        "patient": screening.patient,
        "findings": findings,
        "precautions": precautions,
        "override": override,
        "override_form": form if may_override else None,
        "override_refused": override is None and screening.is_current and not may_override,
        "override_refusal": refusal or "",
        "override_level": level.value,
        "hard_stops": [f for f in result.findings if f.hard_stop],
        "pending_note": PENDING_NOTE if level is OverrideLevel.SECOND_CLINICIAN else "",
        "can_confirm": override is not None
        and override.is_pending
        and screening.is_current
        and user.is_clinician
        and override.created_by_id != user.pk,
        "history": screening_history(user=user, consultation=screening.consultation),
        "verdict_label": Verdict(screening.verdict).label,
        "effective_label": Verdict(screening.effective_verdict).label,
        "is_defer": screening.effective_verdict == Verdict.DEFER.value,
    }


@clinical_required
def screening_detail(request: HttpRequest, screening_id: int) -> HttpResponse:
    user = acting_user(request)
    screening = screening_get_for(user=user, screening_id=screening_id)
    audit_record(
        actor=user, action="screening.view", obj=screening, patient_id=screening.patient_id
    )
    return render(
        request, "screenings/screening_detail.html", _detail_context(user, screening, None)
    )


@clinical_required
@require_http_methods(["POST"])
def screening_override_view(request: HttpRequest, screening_id: int) -> HttpResponse:
    user = acting_user(request)
    screening = screening_get_for(user=user, screening_id=screening_id)
    refusal = override_refusal(user, screening)
    if refusal is not None:
        # The form is never offered to this user; a hand-made POST gets a clear refusal.
        audit_record(
            actor=user,
            action="screening.override_refused",
            obj=screening,
            patient_id=screening.patient_id,
            detail={"level": screening_override_level(screening).value},
        )
        raise PermissionDenied(refusal or None)
    form = ScreeningOverrideForm(request.POST, screening=screening, user=user)
    saved = submit(
        form,
        lambda: screening_override(
            screening=screening,
            verdict=form.cleaned_data["verdict"],
            reason=form.cleaned_data["reason"],
            by=user,
        ),
    )
    if saved is not None:
        if screening_override_level(screening) is OverrideLevel.SECOND_CLINICIAN:
            messages.warning(
                request,
                "Override recorded, not yet in effect: a second clinician must confirm it.",
            )
        else:
            messages.success(request, "Override recorded beside the screening verdict.")
        return redirect("screenings:detail", screening_id=screening.pk)
    screening = screening_get_for(user=user, screening_id=screening_id)
    return render(
        request, "screenings/screening_detail.html", _detail_context(user, screening, form)
    )


@clinical_required
@require_POST
def screening_rerun(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Screen the same intake again today (e.g. a deferral's wash-out may have passed)."""
    user = acting_user(request)
    consultation = consultation_get_for(user=user, consultation_id=consultation_id)
    try:
        screening = screening_run(consultation=consultation, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("consultations:edit", consultation_id=consultation.pk)
    messages.success(request, "Screened again; the earlier screenings are kept below.")
    return redirect("screenings:detail", screening_id=screening.pk)


@clinical_required
@require_http_methods(["GET", "POST"])
def screening_override_confirm_view(request: HttpRequest, screening_id: int) -> HttpResponse:
    """The second clinician's page: the hard stop, the findings, the override and its reason,
    then an explicit confirmation (a plain form: works without JavaScript)."""
    user = acting_user(request)
    screening = screening_get_for(user=user, screening_id=screening_id)
    override = screening.override_or_none
    if override is None or not override.is_pending:
        messages.info(request, "This screening has no override waiting for a confirmation.")
        return redirect("screenings:detail", screening_id=screening.pk)
    refusal = ""
    if not user.is_clinician:
        refusal = CONFIRM_ROLE
    elif override.created_by_id == user.pk:
        refusal = CONFIRM_OWN
    form = OverrideConfirmForm(request.POST or None)
    if request.method == "POST":
        if refusal:
            raise PermissionDenied(refusal)
        saved = submit(
            form,
            lambda: screening_override_confirm(
                override=override, by=user, note=form.cleaned_data.get("note", "")
            ),
        )
        if saved is not None:
            messages.success(request, "Override confirmed: it is now in effect.")
            return redirect("screenings:detail", screening_id=screening.pk)
    else:
        audit_record(
            actor=user,
            action="screening.override_confirm_view",
            obj=screening,
            patient_id=screening.patient_id,
        )
    result = screening.engine_result()
    return render(
        request,
        "screenings/override_confirm.html",
        {
            "screening": screening,
            "patient": screening.patient,
            "override": override,
            "form": form,
            "refusal": refusal,
            "hard_stops": [f for f in result.findings if f.hard_stop],
            "findings": result.findings,
            "verdict_label": Verdict(screening.verdict).label,
            "override_label": Verdict(override.verdict).label,
        },
    )
