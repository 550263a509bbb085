"""A clear refusal instead of the generic 403 page: the page says who may do it, and the
attempt is audited (e.g. an aesthetician pressing "Approve")."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needlechart.accounts.models import User
from needlechart.audit.services import audit_record


def refused(
    request: HttpRequest,
    *,
    user: User,
    action: str,
    obj: Model,
    patient_id: int,
    title: str,
    message: str,
    back_url: str,
    back_label: str,
) -> HttpResponse:
    audit_record(actor=user, action=action, obj=obj, patient_id=patient_id)
    context = {"title": title, "message": message, "back_url": back_url, "back_label": back_label}
    return render(request, "core/refused.html", context, status=403)
