"""Diary pages. Thin: parse -> selector -> service -> render/redirect.

Every staff role may use the diary (front desk books); the pages show the patient's name
and "session N" and nothing clinical. Deviation reasons are shown to clinical roles only.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from needlechart.accounts.permissions import acting_user, admin_required, staff_required
from needlechart.audit.services import audit_record
from needlechart.core.confirm import confirm_with_reason
from needlechart.core.forms import act_and_report, add_service_errors, submit
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID, patient_get_for, patient_search
from needlechart.plans.selectors import current_plan
from needlechart.scheduling.calendar import build_calendar
from needlechart.scheduling.forms import (
    CANCEL,
    BookForm,
    CalendarFilterForm,
    ClosedDayForm,
    MoveForm,
    OpeningHoursForm,
    SeriesForm,
)
from needlechart.scheduling.ics import appointment_ics
from needlechart.scheduling.models import Appointment, ClosedDay, OpeningHours
from needlechart.scheduling.selectors import (
    appointment_get_for,
    clinic_tz,
    plan_active_sessions,
    plan_for_booking,
    plan_unbooked_sessions,
    series_proposals,
)
from needlechart.scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
    booked_on,
    closed_day_add,
    closed_day_remove,
    opening_hours_set,
    series_book,
)

SEARCH_ROWS = 20


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_DB_ID else None


def _calendar_url(appointment: Appointment, view: str = "day") -> str:
    local = timezone.localtime(appointment.starts_at, clinic_tz())
    query = urlencode(
        {
            "practitioner": appointment.practitioner_id,
            "date": local.date().isoformat(),
            "view": view,
        }
    )
    return f"{reverse('scheduling:calendar')}?{query}"


@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = CalendarFilterForm(request.GET or None)
    practitioner_field = form.fields["practitioner"]
    practitioner_field.empty_label = "All practitioners"  # type: ignore[attr-defined]
    practitioner = None
    day = timezone.localdate()
    view = "day"
    if form.is_bound and form.is_valid():
        practitioner = form.cleaned_data.get("practitioner")
        day = form.cleaned_data.get("date") or day
        view = form.cleaned_data.get("view") or "day"
    context = build_calendar(user=user, day=day, view=view, practitioner=practitioner)
    context["form"] = form
    return render(request, "scheduling/calendar.html", context)


def _patient_choice(request: HttpRequest) -> HttpResponse:
    """Step one of booking without a patient: find them (keeps the slot in the links)."""
    user = acting_user(request)
    query = request.GET.get("q", "")[:100]
    keep = {k: v for k, v in request.GET.items() if k in {"practitioner", "date", "starts"}}
    results = list(patient_search(user=user, query=query)[:SEARCH_ROWS]) if query else []
    return render(
        request,
        "scheduling/book_choose_patient.html",
        {"query": query, "results": results, "keep": keep, "keep_query": urlencode(keep)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """One appointment. ?patient= chooses the patient; ?practitioner=&date=&starts= pre-fill
    the slot (links from the calendar)."""
    user = acting_user(request)
    patient_id = _int(request.GET.get("patient") or request.POST.get("patient"))
    if patient_id is None:
        return _patient_choice(request)
    patient: Patient = patient_get_for(user=user, patient_id=patient_id)
    plan = current_plan(patient=patient)
    sessions: list[int] = []
    if plan is not None:
        sessions = plan_unbooked_sessions(plan=plan, active=plan_active_sessions(plan=plan))
    initial = {k: request.GET[k] for k in ("practitioner", "date", "starts") if k in request.GET}
    form = BookForm(request.POST or None, initial=initial, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        session_number = form.cleaned_data.get("session_number")
        try:
            appointment = appointment_book(
                patient=patient,
                practitioner=form.cleaned_data["practitioner"],
                starts_at=form.starts_at(),
                ends_at=form.ends_at(),
                by=user,
                plan=plan if session_number else None,
                session_number=session_number,
                deviation_reason=form.cleaned_data.get("deviation_reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Appointment booked.")
            return redirect("scheduling:appointment", appointment_id=appointment.pk)
    return render(
        request,
        "scheduling/book.html",
        {"form": form, "patient": patient, "plan": plan, "sessions": sessions},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def series(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Proposals for every unbooked session of an approved plan; book them in one go."""
    user = acting_user(request)
    plan = plan_for_booking(user=user, plan_id=plan_id)
    if not plan.is_approved:
        messages.error(request, "Only an approved plan's sessions can be booked.")
        if user.can_view_clinical:
            return redirect("plans:detail", plan_id=plan.pk)
        return redirect("patients:detail", patient_id=plan.patient_id)
    proposals, active = series_proposals(plan=plan)
    form = SeriesForm(request.POST or None, proposals=proposals)
    booked = submit(form, lambda: series_book(plan=plan, by=user, choices=form.choices()))
    if booked is not None:
        messages.success(request, f"{len(booked)} session{'s' if len(booked) != 1 else ''} booked.")
        if user.can_view_clinical:
            return redirect("plans:detail", plan_id=plan.pk)
        return redirect(_calendar_url(booked[0], "week") if booked else "scheduling:calendar")
    return render(
        request,
        "scheduling/series.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "form": form,
            "rows": form.rows(),
            "booked": sorted(active.values(), key=lambda a: a.session_number or 0),
        },
    )


@staff_required
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    user = acting_user(request)
    appointment = appointment_get_for(user=user, appointment_id=appointment_id)
    audit_record(
        actor=user, action="appointment.view", obj=appointment, patient_id=appointment.patient_id
    )
    now = timezone.now()
    tz = clinic_tz()
    can_attend = (
        appointment.is_booked
        and timezone.localtime(appointment.starts_at, tz).date()
        <= timezone.localtime(now, tz).date()
    )
    clinical = user.can_view_clinical
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "patient": appointment.patient,
            "can_attend": can_attend,
            # Charting the session marks the visit attended and links the two.
            "can_chart": clinical and can_attend and appointment.plan_id is not None,
            # The session charted for this visit (clinical roles only: the front desk sees
            # the diary, not the record).
            "charted": appointment.session_records.first() if clinical else None,
            "can_no_show": appointment.is_booked and appointment.starts_at <= now,
            "calendar_url": _calendar_url(appointment),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    user = acting_user(request)
    appointment = appointment_get_for(user=user, appointment_id=appointment_id)
    if not appointment.is_booked:
        messages.error(request, "Only a booked appointment can be moved.")
        return redirect("scheduling:appointment", appointment_id=appointment.pk)
    tz = clinic_tz()
    starts = timezone.localtime(appointment.starts_at, tz)
    ends = timezone.localtime(appointment.ends_at, tz)
    form = MoveForm(
        request.POST or None,
        initial={
            "date": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
            "practitioner": appointment.practitioner_id,
            "deviation_reason": appointment.deviation_reason,
        },
    )
    result = submit(
        form,
        lambda: appointment_reschedule(
            appointment=appointment,
            by=user,
            starts_at=form.starts_at(),
            ends_at=form.ends_at(),
            practitioner=form.cleaned_data["practitioner"],
            deviation_reason=form.cleaned_data.get("deviation_reason", ""),
        ),
    )
    if result is not None:
        messages.success(request, "Appointment moved.")
        for outside in result.later_outside:
            messages.warning(request, outside.message)
        return redirect("scheduling:appointment", appointment_id=appointment.pk)
    return render(
        request,
        "scheduling/reschedule.html",
        {"form": form, "appointment": appointment, "patient": appointment.patient},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    user = acting_user(request)
    appointment = appointment_get_for(user=user, appointment_id=appointment_id)
    back = reverse("scheduling:appointment", args=[appointment.pk])
    if not appointment.is_booked:
        messages.info(request, "Only a booked appointment can be cancelled.")
        return redirect(back)
    return confirm_with_reason(
        request,
        confirmation=CANCEL,
        act=lambda reason: appointment_cancel(appointment=appointment, by=user, reason=reason),
        back_url=back,
        done_url=back,
        context={
            "appointment": appointment,
            "patient": appointment.patient,
            "heading": f"{appointment.label} · {appointment.patient.full_name}",
        },
    )


def _status_change(request: HttpRequest, appointment_id: int, *, attended: bool) -> HttpResponse:
    user = acting_user(request)
    appointment = appointment_get_for(user=user, appointment_id=appointment_id)
    service = appointment_mark_attended if attended else appointment_mark_no_show
    act_and_report(
        request,
        lambda: service(appointment=appointment, by=user),
        done="Marked as attended." if attended else "Marked as a no-show.",
    )
    return redirect("scheduling:appointment", appointment_id=appointment.pk)


@staff_required
@require_POST
def attend(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(request, appointment_id, attended=True)


@staff_required
@require_POST
def no_show(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(request, appointment_id, attended=False)


@staff_required
def ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    user = acting_user(request)
    appointment = appointment_get_for(user=user, appointment_id=appointment_id)
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


# ---------------------------------------------------------------- clinic admin


def _hours_context(hours_form: OpeningHoursForm, closed_form: ClosedDayForm) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "hours_form": hours_form,
        "closed_form": closed_form,
        "closed_days": list(ClosedDay.objects.filter(date__gte=today - timedelta(days=30))),
        "today": today,
    }


def _current_hours() -> dict[int, tuple[time, time]]:
    return {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}


@admin_required
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest) -> HttpResponse:
    """Opening hours (one form) and closed days (add/remove) on one page."""
    user = acting_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    hours_form = OpeningHoursForm(
        request.POST if action == "hours" else None, current=_current_hours()
    )
    closed_form = ClosedDayForm(request.POST if action == "closed_day" else None)
    status = 200
    if action == "hours":
        if hours_form.is_valid():
            try:
                opening_hours_set(by=user, hours=hours_form.hours())
            except ValidationError as exc:
                add_service_errors(hours_form, exc)
            else:
                messages.success(request, "Opening hours saved.")
                return redirect("scheduling:hours")
        status = 400
    elif action == "closed_day":
        if closed_form.is_valid():
            day: date = closed_form.cleaned_data["date"]
            try:
                closed_day_add(by=user, day=day, reason=closed_form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(closed_form, exc)
            else:
                messages.success(request, f"{day:%a %d %b %Y} marked as closed.")
                affected = booked_on(day)
                if affected:
                    messages.warning(
                        request,
                        f"{affected} booked appointment{'s' if affected != 1 else ''} "
                        f"on that day must be moved or cancelled.",
                    )
                return redirect("scheduling:hours")
        status = 400
    elif action is not None:
        messages.error(request, "Unknown action.")
    return render(
        request, "scheduling/hours.html", _hours_context(hours_form, closed_form), status=status
    )


@admin_required
@require_POST
def closed_day_delete(request: HttpRequest, closed_day_id: int) -> HttpResponse:
    user = acting_user(request)
    closed = (
        ClosedDay.objects.filter(pk=closed_day_id).first() if closed_day_id <= MAX_DB_ID else None
    )
    if closed is None:
        messages.error(request, "That closed day no longer exists.")
    else:
        closed_day_remove(by=user, closed_day=closed)
        messages.success(request, f"{closed.date:%a %d %b %Y} is no longer a closed day.")
    return redirect("scheduling:hours")
