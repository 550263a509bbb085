"""Reads of pre-screen requests, scoped by the acting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_staff
from needlechart.prescreen.models import Lead, LeadStatus

MAX_DB_ID = 2**63 - 1
NOT_STAFF = "Your role does not give access to pre-screen requests."


def leads_for(*, user: User, status: str = "") -> QuerySet[Lead]:
    """Requests, newest first; one query with the converted patient joined."""
    require_staff(user, NOT_STAFF)
    qs = Lead.objects.select_related("converted_patient").order_by("-created_at", "-id")
    if status in LeadStatus.values:
        qs = qs.filter(status=status)
    return qs


def lead_get_for(*, user: User, lead_id: int) -> Lead:
    require_staff(user, NOT_STAFF)
    if not 0 < lead_id <= MAX_DB_ID:
        raise Http404
    lead = (
        Lead.objects.select_related(
            "converted_patient", "converted_appointment", "converted_consultation", "handled_by"
        )
        .filter(pk=lead_id)
        .first()
    )
    if lead is None:
        raise Http404
    return lead


def new_leads(*, user: User) -> QuerySet[Lead]:
    require_staff(user, NOT_STAFF)
    return Lead.objects.filter(status=LeadStatus.NEW).order_by("-created_at", "-id")
