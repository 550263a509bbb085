"""The patient portal. Patients sign in with a one-time e-mailed link; the session then holds
only `portal_patient_id` — no staff user — and every view reads that patient's rows only.
Staff pages never accept a portal session (they require a staff login), and portal pages
refuse a staff login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from needlechart.accounts.models import Role
from needlechart.accounts.permissions import acting_user, clinical_required, role_required
from needlechart.audit.services import audit_record
from needlechart.consents.pdf import consent_pdf
from needlechart.core.forms import submit
from needlechart.core.pdf import render_pdf
from needlechart.documents.content import (
    aftercare_context,
    device_label,
    label,
    plan_summary_context,
)
from needlechart.imaging.models import Photo
from needlechart.imaging.selectors import NO_PHOTO_CONSENT, open_photo, photo_consent
from needlechart.imaging.storage import photo_storage
from needlechart.outcomes.selectors import progress_own
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID, patient_get_for
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.selectors import current_plan
from needlechart.portal.forms import CheckInForm, RequestLinkForm, RescheduleForm, ReviewForm
from needlechart.portal.models import CheckIn, CheckInPhoto, RescheduleRequest
from needlechart.portal.selectors import (
    check_in_is_due,
    due_check_ins,
    latest_session,
    own_or_404,
    signed_consents,
    signed_sessions,
    symptom_label,
    today_aftercare,
    upcoming_appointments,
)
from needlechart.portal.services import (
    check_in_review,
    check_in_submit,
    portal_invite,
    portal_request_link,
    reschedule_request_create,
    reschedule_request_handle,
    token_consume,
    token_state,
)
from needlechart.prescreen.antispam import ip_hash
from needlechart.protocol.patient import precautions_for_patient, preparation_for_patient
from needlechart.scheduling.ics import appointment_ics
from needlechart.scheduling.models import Appointment

SESSION_KEY = "portal_patient_id"
NEUTRAL_ANSWER = (
    "If we know this address, a sign-in link is on its way. It works once, for 30 minutes."
)
# Abuse policy: sign-in link requests per client per hour.
LINK_RATE_LIMIT = 5
LINK_RATE_WINDOW_SECONDS = 60 * 60

type PortalView = Callable[..., HttpResponse]


def portal_login_required(view: PortalView) -> PortalView:
    """Load the signed-in patient and pass it as the view's second argument."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied("Staff accounts cannot use the patient portal.")
        patient_id = request.session.get(SESSION_KEY)
        patient = (
            Patient.objects.filter(pk=patient_id, archived_at__isnull=True).first()
            if isinstance(patient_id, int)
            else None
        )
        if patient is None:
            request.session.flush()
            return redirect("portal:request_link")
        response = view(request, patient, *args, **kwargs)
        response.setdefault("Cache-Control", "no-store")
        return response

    return wrapped


def _audit(action: str, patient: Patient, obj: Any = None, **detail: Any) -> None:
    audit_record(
        actor=None,
        action=action,
        obj=obj,
        patient_id=patient.pk,
        detail={"via": "portal", **detail},
    )


# ---------------------------------------------------------------- staff side


@require_POST
@role_required(Role.CLINICIAN, Role.AESTHETICIAN, Role.FRONT_DESK)
def invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for(user=acting_user(request), patient_id=patient_id)
    try:
        portal_invite(patient=patient, by=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"A portal sign-in link was e-mailed to {patient.email}.")
    return redirect("patients:detail", patient_id=patient.pk)


@clinical_required
@require_http_methods(["GET", "POST"])
def check_in_review_view(request: HttpRequest, check_in_id: int) -> HttpResponse:
    check_in = CheckIn.objects.select_related("patient", "session").filter(pk=check_in_id).first()
    if check_in is None:
        raise Http404
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_in_review(
                check_in=check_in, by=acting_user(request), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Check-in marked as reviewed.")
        return redirect("portal:check_in_review", check_in_id=check_in.pk)
    audit_record(
        actor=acting_user(request),
        action="check_in.view",
        obj=check_in,
        patient_id=check_in.patient_id,
    )
    return render(
        request,
        "portal/staff_check_in.html",
        {
            "check_in": check_in,
            "form": form,
            "symptoms": _symptom_rows(check_in),
            "photo": CheckInPhoto.objects.filter(check_in=check_in).first(),
        },
    )


# The two sizes of a check-in photo that can be fetched.
PHOTO_SIZES = ("thumbnail", "original")


def _check_in_photo_response(item: CheckInPhoto, size: str) -> HttpResponse:
    thumbnail = size == "thumbnail"
    with photo_storage.open(item.thumbnail.name if thumbnail else item.original.name, "rb") as fh:
        data = fh.read()
    response = HttpResponse(data, content_type="image/jpeg" if thumbnail else item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@clinical_required
def check_in_photo_staff(request: HttpRequest, check_in_id: int, size: str) -> HttpResponse:
    """A check-in photo for clinical staff (the review page); every fetch is audited."""
    if size not in PHOTO_SIZES or not 0 < check_in_id <= MAX_DB_ID:
        raise Http404
    item = CheckInPhoto.objects.select_related("check_in").filter(check_in_id=check_in_id).first()
    if item is None:
        raise Http404
    if not photo_consent(item.check_in.patient_id)[0]:
        # Same rule as every clinical photo: a withdrawn photo consent closes it to staff too.
        raise PermissionDenied(NO_PHOTO_CONSENT)
    audit_record(
        actor=acting_user(request),
        action="check_in_photo.view",
        obj=item,
        patient_id=item.check_in.patient_id,
        detail={"check_in": check_in_id, "size": size},
    )
    return _check_in_photo_response(item, size)


@require_POST
@role_required(Role.CLINICIAN, Role.AESTHETICIAN, Role.FRONT_DESK)
def reschedule_handled(request: HttpRequest, request_id: int) -> HttpResponse:
    req = RescheduleRequest.objects.filter(pk=request_id).first()
    if req is None:
        raise Http404
    reschedule_request_handle(request=req, by=acting_user(request))
    messages.success(request, "Reschedule request marked as handled.")
    return redirect("dashboard")


# ---------------------------------------------------------------- sign-in


def _rate_key(request: HttpRequest) -> str:
    return f"portal:link_requests:{ip_hash(request)}"


@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    form = RequestLinkForm(request.POST or None)
    if request.method == "POST":
        key = _rate_key(request)
        cache.add(key, 0, timeout=LINK_RATE_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=LINK_RATE_WINDOW_SECONDS)
            count = 1
        if count > LINK_RATE_LIMIT:
            return render(
                request,
                "portal/rate_limited.html",
                {"clinic_phone": settings.CLINIC_PHONE},
                status=429,
            )
        if form.is_valid():
            portal_request_link(email=form.cleaned_data["email"])
            return render(
                request,
                "portal/link_sent.html",
                {"answer": NEUTRAL_ANSWER, "clinic_phone": settings.CLINIC_PHONE},
            )
    return render(request, "portal/request_link.html", {"form": form})


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest, secret: str) -> HttpResponse:
    """GET shows a button (mail scanners pre-fetch links); POST consumes the link."""
    if request.method == "GET":
        state = token_state(secret)
        status = 200 if state == "valid" else 410 if state in ("used", "expired") else 404
        return render(request, "portal/enter.html", {"state": state}, status=status)
    patient = token_consume(secret=secret)
    if patient is None:
        state = token_state(secret)
        return render(
            request,
            "portal/enter.html",
            {"state": state},
            status=410 if state != "unknown" else 404,
        )
    request.session.flush()  # ends any staff login in this browser and gets a new key
    request.session[SESSION_KEY] = patient.pk
    return redirect("portal:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        request.session.flush()
    messages.info(request, "You are signed out of the portal.")
    return redirect("portal:request_link")


# ---------------------------------------------------------------- patient pages


def _plan_in_words(plan: TreatmentPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "plan": plan,
        "device": device_label(plan.device),
        "areas": [label(z) for z in (plan.depths or {})],
        "sessions": plan.sessions_planned,
        "interval_weeks": plan.interval_weeks,
        # The protocol's patient wording; device-specific care for the plan's device only.
        "taking_care": precautions_for_patient(plan.engine_plan(), device=plan.device),
    }


@portal_login_required
def home(request: HttpRequest, patient: Patient) -> HttpResponse:
    plan = current_plan(patient=patient)
    appointments = list(upcoming_appointments(patient))
    next_appt = appointments[0] if appointments else None
    preparation = []
    if plan is not None and next_appt is not None:
        day = timezone.localdate(next_appt.starts_at)
        preparation = preparation_for_patient(plan.engine_plan(), day)
    _audit("portal.view", patient, page="home")
    return render(
        request,
        "portal/home.html",
        {
            "patient": patient,
            "plan": _plan_in_words(plan),
            "appointments": appointments,
            "next_appointment": next_appt,
            "preparation": preparation,
            "aftercare": today_aftercare(patient),
            "due_check_ins": due_check_ins(patient),
            "clinic_phone": settings.CLINIC_PHONE,
        },
    )


@portal_login_required
def appointment_ics_view(
    request: HttpRequest, patient: Patient, appointment_id: int
) -> HttpResponse:
    appointment = own_or_404(Appointment.objects.all(), patient=patient, pk=appointment_id)
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@portal_login_required
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, patient: Patient, appointment_id: int) -> HttpResponse:
    appointment = own_or_404(upcoming_appointments(patient), patient=patient, pk=appointment_id)
    form = RescheduleForm(request.POST or None)
    saved = submit(
        form,
        lambda: reschedule_request_create(
            patient=patient,
            appointment=appointment,
            message=form.cleaned_data["message"],
            preferred_times=form.cleaned_data["preferred_times"],
        ),
    )
    if saved is not None:
        messages.success(request, "Thank you — the clinic will contact you to agree a new time.")
        return redirect("portal:home")
    return render(request, "portal/reschedule.html", {"appointment": appointment, "form": form})


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@portal_login_required
def documents(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(
        request,
        "portal/documents.html",
        {
            "consents": list(signed_consents(patient)),
            "sessions": list(signed_sessions(patient).order_by("-performed_on", "-id")),
            "plans": list(
                TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.APPROVED).order_by(
                    "-approved_at"
                )
            ),
        },
    )


@portal_login_required
def consent_document(request: HttpRequest, patient: Patient, consent_id: int) -> HttpResponse:
    consent = own_or_404(
        signed_consents(patient).select_related("patient"), patient=patient, pk=consent_id
    )
    _audit("document.download", patient, consent, kind="consent")
    return _pdf(consent_pdf(consent), f"consent-{consent.pk}.pdf")


@portal_login_required
def aftercare_document(request: HttpRequest, patient: Patient, session_id: int) -> HttpResponse:
    session = own_or_404(
        signed_sessions(patient).select_related("patient"), patient=patient, pk=session_id
    )
    content = render_pdf(
        "documents/aftercare.html",
        {"patient": patient, "printed_on": timezone.localdate(), **aftercare_context(session)},
    )
    _audit("document.download", patient, session, kind="aftercare")
    return _pdf(content, f"aftercare-session-{session.pk}.pdf")


@portal_login_required
def plan_document(request: HttpRequest, patient: Patient, plan_id: int) -> HttpResponse:
    plan = own_or_404(
        TreatmentPlan.objects.filter(status=PlanStatus.APPROVED).select_related("patient"),
        patient=patient,
        pk=plan_id,
    )
    content = render_pdf(
        "documents/plan_summary.html",
        {"patient": patient, "printed_on": timezone.localdate(), **plan_summary_context(plan)},
    )
    _audit("document.download", patient, plan, kind="plan_summary")
    return _pdf(content, f"treatment-plan-{plan.pk}.pdf")


@portal_login_required
def aftercare(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The aftercare of the latest signed session: the same content as its PDF sheet."""
    session = latest_session(patient)
    context: dict[str, Any] = {"session": None, "clinic_phone": settings.CLINIC_PHONE}
    if session is not None:
        context.update(aftercare_context(session))
        context["today"] = (timezone.localdate() - session.performed_on).days
    _audit("portal.view", patient, page="aftercare")
    return render(request, "portal/aftercare.html", context)


@portal_login_required
def progress(request: HttpRequest, patient: Patient) -> HttpResponse:
    # The outcomes read the staff chart uses: a grade is "confirmed" or "suggested" alike.
    rows = progress_own(patient=patient).patient_rows
    clinical, _marketing = photo_consent(patient)
    photos = (
        list(
            Photo.objects.filter(patient=patient, archived_at__isnull=True).order_by(
                "taken_on", "id"
            )
        )
        if clinical
        else []
    )
    _audit("portal.view", patient, page="progress")
    return render(
        request,
        "portal/progress.html",
        {"rows": rows, "photos": photos, "photo_consent": clinical},
    )


@portal_login_required
def photo(request: HttpRequest, patient: Patient, photo_id: int) -> HttpResponse:
    clinical, _marketing = photo_consent(patient)
    if not clinical:
        raise Http404
    item = own_or_404(Photo.objects.filter(archived_at__isnull=True), patient=patient, pk=photo_id)
    _audit("photo.view", patient, item)
    return HttpResponse(open_photo(item, thumbnail=True), content_type="image/jpeg")


def _symptom_rows(check_in: CheckIn) -> list[dict[str, Any]]:
    by_symptom = {t["symptom"]: t for t in check_in.triage or []}
    return [
        {
            "label": symptom_label(s["symptom"]),
            "severity": s["severity"],
            "worsening": s["worsening"],
            "triage": by_symptom.get(s["symptom"]),
        }
        for s in (check_in.answers or {}).get("symptoms", [])
    ]


@portal_login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, patient: Patient, session_id: int, day: int) -> HttpResponse:
    session = own_or_404(signed_sessions(patient), patient=patient, pk=session_id)
    existing = CheckIn.objects.filter(session=session, day=day).first()
    if existing is not None:
        return redirect("portal:check_in_result", check_in_id=existing.pk)
    if not check_in_is_due(patient, session, day):
        raise Http404
    photo_allowed, _marketing = photo_consent(patient)
    form = CheckInForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" and photo_allowed else None,
        photo_allowed=photo_allowed,
        device=session.device,
    )
    result = submit(
        form,
        lambda: check_in_submit(
            patient=patient,
            session=session,
            day=day,
            reports=form.reports(),
            notes=form.cleaned_data["notes"],
            photo=form.processed_photo if photo_allowed else None,
        ),
    )
    if result is not None:
        return redirect("portal:check_in_result", check_in_id=result.pk)
    return render(
        request,
        "portal/check_in.html",
        {"form": form, "session": session, "day": day, "photo_allowed": photo_allowed},
    )


@portal_login_required
def check_in_result(request: HttpRequest, patient: Patient, check_in_id: int) -> HttpResponse:
    item = own_or_404(CheckIn.objects.all(), patient=patient, pk=check_in_id)
    return render(
        request,
        "portal/check_in_result.html",
        {
            "check_in": item,
            "symptoms": _symptom_rows(item),
            "clinic_phone": settings.CLINIC_PHONE,
            "photo": CheckInPhoto.objects.filter(check_in=item).first(),
        },
    )


@portal_login_required
def check_in_photo(
    request: HttpRequest, patient: Patient, check_in_id: int, size: str
) -> HttpResponse:
    """The photo the signed-in patient attached to one of their own check-ins."""
    if size not in PHOTO_SIZES:
        raise Http404
    check_in = own_or_404(CheckIn.objects.all(), patient=patient, pk=check_in_id)
    item = CheckInPhoto.objects.filter(check_in=check_in).first()
    if item is None:
        raise Http404
    return _check_in_photo_response(item, size)
