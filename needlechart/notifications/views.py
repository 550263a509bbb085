"""Staff pages: a patient's message log with the opt-out switch, and sending a failed one again."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from needlechart.accounts.permissions import acting_user, staff_required
from needlechart.core.pagination import paginate
from needlechart.notifications import services
from needlechart.notifications.models import Message, MessagePreference, MessageStatus
from needlechart.patients.selectors import patient_get_for

PER_PAGE = 25


@require_GET
@staff_required
def patient_messages(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    page = paginate(
        request, Message.objects.filter(patient=patient).order_by("-due_at", "-pk"), PER_PAGE
    )
    preference = MessagePreference.objects.filter(patient=patient).first()
    return render(
        request,
        "notifications/patient_messages.html",
        {
            "patient": patient,
            "page": page,
            "querystring": "",
            "opted_out": bool(preference and preference.non_essential_opt_out),
            "preference": preference,
        },
    )


@require_POST
@staff_required
def patient_preference(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    opt_out = request.POST.get("non_essential_opt_out") == "on"
    services.message_preference_set(patient=patient, non_essential_opt_out=opt_out, by=user)
    flash.success(
        request,
        "Reminders are off: only booking confirmations and sign-in links will be sent."
        if opt_out
        else "Reminders are on.",
    )
    return redirect("notifications:patient_messages", patient_id=patient.pk)


@require_POST
@staff_required
def message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    user = acting_user(request)
    message = get_object_or_404(Message, pk=message_id)
    patient_get_for(user=user, patient_id=message.patient_id)
    if message.status == MessageStatus.FAILED:
        services.message_retry(message=message, by=user)
        flash.success(request, "The message will be sent again shortly.")
    return redirect("notifications:patient_messages", patient_id=message.patient_id)
