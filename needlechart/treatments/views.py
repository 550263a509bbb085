"""Treatment pages: start (consent gate + day-of re-screen), chart, sign, amend, aftercare,
lot lookup, symptom reports and adverse events. Thin: parse -> selector -> service -> render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.consents.selectors import consent_valid_for
from needlechart.core.dates import safe_add_days
from needlechart.core.forms import act_and_report, add_service_errors, submit
from needlechart.patients.selectors import MAX_DB_ID, patient_get_for
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.selectors import plan_get_for
from needlechart.plans.services import format_range
from needlechart.protocol import Verdict, cite, default_protocol
from needlechart.protocol.aftercare import check_in_days
from needlechart.protocol.patient import (
    red_flags,
    sheet_extras,
    symptoms_for_device,
    warning_signs,
)
from needlechart.protocol.results import Screening as EngineScreening
from needlechart.scheduling.models import Appointment
from needlechart.scheduling.selectors import local_day
from needlechart.treatments import selectors
from needlechart.treatments.forms import (
    AdverseEventForm,
    AdverseUpdateForm,
    AmendForm,
    RescreenForm,
    ResolveForm,
    SessionForm,
    SymptomReportForm,
)
from needlechart.treatments.models import GLIDE_OTHER, SessionRecord
from needlechart.treatments.services import (
    NO_CONSENT,
    PLAN_NOT_APPROVED,
    adverse_event_record,
    adverse_event_types,
    adverse_event_update,
    amendable_fields,
    current_value,
    rescreen_evaluate,
    session_amend,
    session_countersign,
    session_sign,
    session_start,
    session_update,
    sign_missing,
    symptom_report_record,
    symptom_report_resolve,
    zone_ranges,
)

# ---------------------------------------------------------------- helpers


def _rescreen_context(data: dict[str, Any]) -> dict[str, Any]:
    """The stored (or just computed) re-screen, ready for the template."""
    if not data:
        return {}
    checklist = default_protocol().document.charting.day_of_checklist
    answers = data.get("answers", {})
    questions = {item.code: item.question for item in checklist}
    result = EngineScreening.model_validate(data["screening"])
    return {
        "verdict": data["verdict"],
        "verdict_label": Verdict(data["verdict"]).label,
        "treatable": Verdict(data["verdict"]).treatable,
        "answers": [
            {"code": code, "question": questions.get(code, code), "yes": yes}
            for code, yes in answers.items()
        ],
        "needs_review": [
            {"code": code, "question": questions.get(code, code)}
            for code in data.get("needs_review", [])
        ],
        "findings": [{"finding": f, "sources": cite(f.sources)} for f in result.findings],
        "precautions": result.precautions,
        "proceed_reason": data.get("proceed_reason", ""),
        "protocol": result.protocol,
    }


def _appointment_for(request: HttpRequest, plan: TreatmentPlan) -> Appointment | None:
    raw = request.POST.get("appointment") or request.GET.get("appointment") or ""
    if not raw.isdigit() or not 0 < int(raw) <= MAX_DB_ID:
        return None
    return (
        Appointment.objects.filter(pk=int(raw), patient_id=plan.patient_id)
        .select_related("practitioner")
        .first()
    )


def _consent_url(plan: TreatmentPlan) -> tuple[str, str]:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("consents:new", args=[plan.pk]), "Record the consent"
    except NoReverseMatch:  # pragma: no cover - the consents app provides it
        return reverse("plans:detail", args=[plan.pk]), "Back to the plan"


# ---------------------------------------------------------------- starting a session


@clinical_required
@require_http_methods(["GET", "POST"])
def session_start_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Consent gate, then the day-of checklist; its verdict is shown before charting."""
    user = acting_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    appointment = _appointment_for(request, plan)
    refusal = None
    if not plan.is_approved:
        refusal = PLAN_NOT_APPROVED
    elif consent_valid_for(plan=plan) is None:
        refusal = NO_CONSENT
    if refusal is not None:
        audit_record(
            actor=user,
            action="session.start_refused",
            obj=plan,
            patient_id=plan.patient_id,
            detail={"reason": "no_consent" if refusal == NO_CONSENT else "plan_not_approved"},
        )
        url, label = _consent_url(plan)
        return render(
            request,
            "treatments/start_refused.html",
            {
                "plan": plan,
                "patient": plan.patient,
                "refusal": refusal,
                "consent_missing": refusal == NO_CONSENT,
                "action_url": url,
                "action_label": label,
            },
        )
    today = timezone.localdate()
    form = RescreenForm(request.POST or None)
    rescreen: dict[str, Any] = {}
    if request.method == "GET":
        audit_record(actor=user, action="session.start_view", obj=plan, patient_id=plan.patient_id)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("step") == "chart":
                record = session_start(
                    plan=plan,
                    by=user,
                    answers=form.answers(),
                    appointment=appointment,
                    proceed_reason=form.cleaned_data.get("proceed_reason", ""),
                    confirm_backdated=bool(form.cleaned_data.get("confirm_backdated")),
                    today=today,
                )
                messages.success(request, "Day-of re-screen recorded. Chart the session.")
                return redirect("treatments:edit", session_id=record.pk)
            result = rescreen_evaluate(plan=plan, answers=form.answers(), today=today)
            audit_record(
                actor=user,
                action="session.rescreen",
                obj=plan,
                patient_id=plan.patient_id,
                detail={"verdict": result.verdict, "needs_review": result.data["needs_review"]},
            )
            rescreen = _rescreen_context(result.data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if request.POST.get("step") == "chart":
                # Show the verdict again beside the error (e.g. the reason is missing).
                try:
                    retry = rescreen_evaluate(plan=plan, answers=form.answers(), today=today)
                    rescreen = _rescreen_context(retry.data)
                except ValidationError:
                    rescreen = {}
    # The booked visits this session may fulfil: today's (picked by itself when it is the
    # only one) and earlier ones never marked (choosing one back-dates the session).
    fulfil = selectors.appointments_to_fulfil(plan=plan, day=today)
    candidates = [{"appointment": a, "earlier": local_day(a.starts_at) < today} for a in fulfil]
    todays = [a for a in fulfil if local_day(a.starts_at) == today]
    chosen = appointment or (todays[0] if len(todays) == 1 else None)
    return render(
        request,
        "treatments/session_start.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "appointment": appointment,
            "candidates": candidates,
            "chosen_id": chosen.pk if chosen else None,
            "form": form,
            "rescreen": rescreen,
            "today": today,
            "can_proceed_anyway": user.is_clinician,
        },
    )


# ---------------------------------------------------------------- the record


def _depth_rows(record: SessionRecord) -> list[dict[str, Any]]:
    rows = []
    plan_depths = record.plan.depths or {}
    for zone, rng in zone_ranges(record.plan).items():
        rows.append(
            {
                "zone": zone,
                "depth": (record.depths or {}).get(zone),
                "planned": plan_depths.get(zone),
                "range": format_range(rng),
                "reason": (record.depth_reasons or {}).get(zone, ""),
            }
        )
    return rows


def _charting_guidance() -> dict[str, Any]:
    charting = default_protocol().document.charting
    return {
        "glide_warning": charting.glide_warning,
        "glide_warning_sources": cite(charting.glide_warning.sources),
        "passes_guidance": charting.passes,
        "glide_labels": {p.code: p.label for p in charting.glide_products},
    }


@clinical_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    audit_record(actor=user, action="session.view", obj=record, patient_id=record.patient_id)
    fields = amendable_fields(record)
    amendments = [
        {"amendment": a, "label": fields.get(a.field, a.field)} for a in record.amendments.all()
    ]
    check_ins = [
        {"day": day, "date": safe_add_days(record.performed_on, day)} for day in check_in_days()
    ]
    context = {
        "session": record,
        "plan": record.plan,
        "patient": record.patient,
        "rescreen": _rescreen_context(record.rescreen),
        "depth_rows": _depth_rows(record),
        "amendments": amendments,
        "amended_fields": {a.field for a in record.amendments.all()},
        "check_ins": check_ins,
        "missing": sign_missing(record) if record.is_draft else [],
        "can_countersign": user.is_clinician
        and record.awaiting_countersign
        and record.signed_by_id != user.pk,
        "glide_other": record.glide_product == GLIDE_OTHER,
        "symptom_reports": list(record.symptom_reports.all()),
        "adverse_events": list(record.adverse_events.all()),
        "require_countersign": settings.REQUIRE_COUNTERSIGN,
        "aftercare_sources": _aftercare_sources(record),
    }
    context.update(_charting_guidance())
    return render(request, "treatments/session_detail.html", context)


def _aftercare_sources(record: SessionRecord) -> dict[str, list[dict[str, Any]]]:
    """Provenance of what the patient's aftercare sheet says, for staff: each instruction and
    each warning sign's staff reason with its sources (the sheet itself carries none)."""
    protocol = default_protocol()
    instructions: dict[str, list[str]] = {}
    for day in record.aftercare_sheet_days():
        for item in day.instructions:
            instructions.setdefault(item.text, item.sources)
    rules = protocol.document.aftercare.symptoms
    return {
        "red_flags": [
            {"text": flag.text, "sources": protocol.cite(flag.sources), "note": flag.note}
            for flag in red_flags(record.device, protocol=protocol)
        ],
        "extras": [
            {"text": item.text, "sources": protocol.cite(item.sources), "note": item.note}
            for item in sheet_extras(protocol=protocol)
        ],
        "instructions": [
            {"text": text, "sources": protocol.cite(keys)} for text, keys in instructions.items()
        ],
        "warning_signs": [
            {
                "label": rules[symptom].label,
                "reason": rules[symptom].reason,
                "sources": protocol.cite(rules[symptom].sources),
                "note": rules[symptom].note,
            }
            for symptom in symptoms_for_device(record.device, protocol=protocol)
        ],
    }


@clinical_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    if not record.is_draft:
        messages.error(request, "A signed record cannot be edited: record an amendment instead.")
        return redirect("treatments:detail", session_id=record.pk)
    form = SessionForm(request.POST or None, session=record)
    saved = submit(form, lambda: session_update(session=record, by=user, **form.service_data()))
    if saved is not None:
        messages.success(request, "Session record saved as a draft. Sign it to lock it.")
        return redirect("treatments:detail", session_id=record.pk)
    elif request.method == "GET":
        audit_record(actor=user, action="session.view", obj=record, patient_id=record.patient_id)
    context = {
        "session": record,
        "plan": record.plan,
        "patient": record.patient,
        "form": form,
        "rescreen": _rescreen_context(record.rescreen),
        "glide_other": GLIDE_OTHER,
    }
    context.update(_charting_guidance())
    return render(request, "treatments/session_form.html", context)


SIGN_CONFIRM_REQUIRED = "Tick the box to confirm: signing cannot be undone."


@clinical_required
@require_http_methods(["GET", "POST"])
def session_sign_view(request: HttpRequest, session_id: int) -> HttpResponse:
    """A confirm step, then the signature: GET (or a POST without the box ticked) shows what
    will be locked and what cannot be undone; only a confirmed POST signs. No JavaScript."""
    user = acting_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    if not record.is_draft:
        messages.info(request, "This record is already signed.")
        return redirect("treatments:detail", session_id=record.pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        context = {
            "session": record,
            "plan": record.plan,
            "patient": record.patient,
            "depth_rows": _depth_rows(record),
            "missing": sign_missing(record),
            "glide_other": record.glide_product == GLIDE_OTHER,
            "require_countersign": settings.REQUIRE_COUNTERSIGN and not user.is_clinician,
            "confirm_error": SIGN_CONFIRM_REQUIRED if request.method == "POST" else "",
        }
        context.update(_charting_guidance())
        return render(request, "treatments/sign_confirm.html", context)
    try:
        signed = session_sign(session=record, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if signed.countersign_required:
            messages.success(request, "Signed. The record now awaits a clinician's countersign.")
        else:
            messages.success(request, "Signed. The record is locked; corrections are amendments.")
    return redirect("treatments:detail", session_id=record.pk)


@clinical_required
@require_POST
def session_countersign_view(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    if not user.is_clinician:
        messages.error(request, "Only a clinician can countersign a session record.")
        return redirect("treatments:detail", session_id=record.pk)
    act_and_report(
        request, lambda: session_countersign(session=record, by=user), done="Countersigned."
    )
    return redirect("treatments:detail", session_id=record.pk)


@clinical_required
@require_http_methods(["GET", "POST"])
def session_amend_view(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    if record.is_draft:
        messages.error(request, "A draft is edited directly; amendments are for signed records.")
        return redirect("treatments:edit", session_id=record.pk)
    form = AmendForm(request.POST or None, session=record)
    saved = submit(form, lambda: session_amend(session=record, by=user, **form.cleaned_data))
    if saved is not None:
        messages.success(request, "Amendment recorded. The original value stays visible.")
        return redirect("treatments:detail", session_id=record.pk)
    current = [
        {"label": label, "value": current_value(record, key)}
        for key, label in amendable_fields(record).items()
    ]
    return render(
        request,
        "treatments/amend_form.html",
        {"session": record, "patient": record.patient, "form": form, "current": current},
    )


@clinical_required
def session_aftercare(request: HttpRequest, session_id: int) -> HttpResponse:
    """The printable aftercare sheet: day by day with dates, warning signs, clinic phone."""
    user = acting_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    audit_record(
        actor=user, action="session.aftercare_view", obj=record, patient_id=record.patient_id
    )
    return render(
        request,
        "treatments/aftercare.html",
        {
            "session": record,
            "patient": record.patient,
            "days": record.aftercare_sheet_days(),
            "warning_signs": warning_signs(record.device),
            "red_flags": red_flags(record.device),
            "sheet_extras": sheet_extras(),
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "clinic_address": settings.CLINIC_ADDRESS,
            "check_ins": check_in_days(),
        },
    )


@clinical_required
def session_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    sessions = list(selectors.session_list_for(user=user, patient=patient))
    audit_record(actor=user, action="session.list", patient_id=patient.pk)
    approved = (
        TreatmentPlan.objects.filter(patient=patient, status=TreatmentPlan.Status.APPROVED)
        .order_by("-approved_at")
        .first()
    )
    return render(
        request,
        "treatments/session_list.html",
        {"patient": patient, "sessions": sessions, "approved_plan": approved},
    )


@clinical_required
def lot_lookup_view(request: HttpRequest) -> HttpResponse:
    """Every patient treated with a cartridge lot, for a recall."""
    user = acting_user(request)
    lot = (request.GET.get("lot") or "").strip()
    error = ""
    found: list[SessionRecord] = []
    if lot:
        if len(lot) > 64:
            error = "A lot number has at most 64 characters."
        else:
            found = selectors.lot_lookup(user=user, lot=lot)
            audit_record(
                actor=user,
                action="session.lot_lookup",
                detail={"lot": lot, "sessions": len(found)},
            )
    # The lot in force (after amendments) decides; records corrected away are listed apart.
    rows = [r for r in found if getattr(r, "in_force", True)]
    corrected_away = [r for r in found if not getattr(r, "in_force", True)]
    patients = len({r.patient_id for r in rows})
    return render(
        request,
        "treatments/lot_lookup.html",
        {
            "lot": lot,
            "rows": rows,
            "corrected_away": corrected_away,
            "error": error,
            "patient_count": patients,
        },
    )


# ---------------------------------------------------------------- symptom reports


@clinical_required
@require_http_methods(["GET", "POST"])
def symptom_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    sessions = selectors.session_list_for(user=user, patient=patient)
    initial: dict[str, Any] = {}
    raw = request.GET.get("session", "")
    if raw.isdigit():
        initial["session"] = int(raw)
    else:
        latest = sessions.first()
        if latest is not None:
            initial["session"] = latest.pk
    form = SymptomReportForm(request.POST or None, sessions=sessions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            report = symptom_report_record(by=user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("treatments:symptom_detail", report_id=report.pk)
    return render(
        request,
        "treatments/symptom_form.html",
        {"patient": patient, "form": form, "has_sessions": sessions.exists()},
    )


@clinical_required
def symptom_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    user = acting_user(request)
    report = selectors.symptom_report_get_for(user=user, report_id=report_id)
    audit_record(actor=user, action="symptom.view", obj=report, patient_id=report.patient_id)
    return render(
        request,
        "treatments/symptom_detail.html",
        _symptom_context(report, user_is_clinician=user.is_clinician, form=ResolveForm()),
    )


def _symptom_context(report: Any, *, user_is_clinician: bool, form: ResolveForm) -> dict[str, Any]:
    result = report.engine_triage()
    return {
        "report": report,
        "patient": report.patient,
        "triage": result,
        "sources": cite(result.sources),
        "form": form,
        "can_resolve": user_is_clinician and report.needs_review and not report.is_resolved,
        "clinic_phone": settings.CLINIC_PHONE,
    }


@clinical_required
@require_POST
def symptom_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    user = acting_user(request)
    report = selectors.symptom_report_get_for(user=user, report_id=report_id)
    if not user.is_clinician:
        messages.error(request, "Only a clinician can resolve a reported symptom.")
        return redirect("treatments:symptom_detail", report_id=report.pk)
    form = ResolveForm(request.POST)
    saved = submit(
        form,
        lambda: symptom_report_resolve(
            report=report, by=user, note=form.cleaned_data["resolution_note"]
        ),
    )
    if saved is not None:
        messages.success(request, "Report resolved.")
        return redirect("treatments:symptom_detail", report_id=report.pk)
    return render(
        request,
        "treatments/symptom_detail.html",
        _symptom_context(report, user_is_clinician=True, form=form),
    )


@clinical_required
def symptom_review(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    reports = list(selectors.symptom_reports_to_review(user=user)[:200])
    audit_record(actor=user, action="symptom.review_list")
    return render(request, "treatments/symptom_review.html", {"reports": reports})


@clinical_required
def symptom_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    reports = list(selectors.symptom_reports_for(user=user, patient=patient))
    audit_record(actor=user, action="symptom.list", patient_id=patient.pk)
    return render(request, "treatments/symptom_list.html", {"patient": patient, "reports": reports})


# ---------------------------------------------------------------- adverse events


@clinical_required
def adverse_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    events = list(selectors.adverse_event_list_for(user=user, patient=patient))
    audit_record(actor=user, action="adverse_event.list", patient_id=patient.pk)
    return render(
        request,
        "treatments/adverse_list.html",
        {"patient": patient, "events": events, "types": adverse_event_types()},
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def adverse_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    sessions = selectors.session_list_for(user=user, patient=patient)
    initial: dict[str, Any] = {"onset_on": timezone.localdate()}
    raw = request.GET.get("session", "")
    if raw.isdigit():
        initial["session"] = int(raw)
    form = AdverseEventForm(request.POST or None, sessions=sessions, initial=initial)
    event = submit(
        form, lambda: adverse_event_record(patient=patient, by=user, **form.cleaned_data)
    )
    if event is not None:
        messages.success(request, "Adverse event recorded.")
        return redirect("treatments:adverse_detail", event_id=event.pk)
    return render(request, "treatments/adverse_form.html", {"patient": patient, "form": form})


@clinical_required
@require_http_methods(["GET", "POST"])
def adverse_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    user = acting_user(request)
    event = selectors.adverse_event_get_for(user=user, event_id=event_id)
    form = AdverseUpdateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                adverse_event_update(
                    event=event,
                    by=user,
                    note=data["note"],
                    outcome=data.get("outcome") or None,
                    resolve=bool(data.get("resolve")),
                    resolved_on=data.get("resolved_on"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Follow-up recorded.")
                return redirect("treatments:adverse_detail", event_id=event.pk)
    else:
        audit_record(
            actor=user, action="adverse_event.view", obj=event, patient_id=event.patient_id
        )
    return render(
        request,
        "treatments/adverse_detail.html",
        {
            "event": event,
            "patient": event.patient,
            "form": form,
            "type_label": adverse_event_types().get(event.event_type, event.event_type),
            "updates": list(event.updates.all()),
        },
    )
