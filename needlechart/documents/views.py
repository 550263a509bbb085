"""PDF downloads: the plan summary, a session's aftercare sheet and the progress report.

Clinical roles only; every download writes a `document.download` audit event with its kind.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.core.pdf import render_pdf
from needlechart.documents.content import (
    aftercare_context,
    plan_summary_context,
    progress_report_context,
)
from needlechart.patients.models import Patient
from needlechart.patients.selectors import patient_get_for
from needlechart.plans.selectors import plan_get_for
from needlechart.treatments.selectors import session_get_for


def _pdf_response(
    request: HttpRequest,
    *,
    kind: str,
    template: str,
    context: dict[str, object],
    patient: Patient,
    obj: models.Model,
    filename: str,
    detail: dict[str, object] | None = None,
) -> HttpResponse:
    user = acting_user(request)
    content = render_pdf(
        template, {"patient": patient, "printed_on": timezone.localdate(), **context}
    )
    audit_record(
        actor=user,
        action="document.download",
        obj=obj,
        patient_id=patient.pk,
        detail={"kind": kind, "format": "pdf", **(detail or {})},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@clinical_required
def plan_summary(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for(user=acting_user(request), plan_id=plan_id)
    if not plan.is_approved:
        messages.error(
            request,
            "The plan summary is available for an approved plan only. "
            f"This plan is {plan.get_status_display().lower()}.",
        )
        return redirect("plans:detail", plan_id=plan.pk)
    return _pdf_response(
        request,
        kind="plan_summary",
        template="documents/plan_summary.html",
        context=plan_summary_context(plan),
        patient=plan.patient,
        obj=plan,
        filename=f"treatment-plan-{plan.pk}.pdf",
    )


@clinical_required
def aftercare(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_get_for(user=acting_user(request), session_id=session_id)
    return _pdf_response(
        request,
        kind="aftercare",
        template="documents/aftercare.html",
        context=aftercare_context(session),
        patient=session.patient,
        obj=session,
        filename=f"aftercare-session-{session.pk}.pdf",
    )


# `?for=clinician`: the clinical copy for a referring clinician (UNVERIFIED score and its
# label); anything else is the patient's own copy, the safe default for a printout.
CLINICAL_COPY = "clinician"


@clinical_required
def progress_report(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    for_patient = request.GET.get("for") != CLINICAL_COPY
    context = progress_report_context(user=user, patient=patient, for_patient=for_patient)
    photo_ids = [p.pk for pair in context["photo_pairs"] for p in (pair.before, pair.after)]
    return _pdf_response(
        request,
        kind="progress_report",
        template="documents/progress_report.html",
        context=context,
        patient=patient,
        obj=patient,
        filename=f"progress-report-{patient.pk}{'' if for_patient else '-clinical'}.pdf",
        detail={"photo_ids": photo_ids, "copy": "patient" if for_patient else CLINICAL_COPY},
    )
