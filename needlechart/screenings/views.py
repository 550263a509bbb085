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
from needlechart.protocol import Verdict, default_protocol
from needlechart.screenings.forms import ScreeningOverrideForm
from needlechart.screenings.models import Screening
from needlechart.screenings.selectors import screening_get_for, screening_history
from needlechart.screenings.services import (
    AESTHETICIAN_LIMIT,
    can_override,
    screening_override,
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
    may_override = (
        override is None and screening.is_current and can_override(user, screening.verdict)
    )
    if may_override and form is None:
        form = ScreeningOverrideForm(original_verdict=screening.verdict, user=user)
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
    if not can_override(user, screening.verdict):
        # The form is never offered to this user; a hand-made POST gets a clear refusal.
        raise PermissionDenied(AESTHETICIAN_LIMIT)
    form = ScreeningOverrideForm(request.POST, original_verdict=screening.verdict, user=user)
    if form.is_valid():
        try:
            screening_override(
                screening=screening,
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, exc)
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
