"""Reads of pre-screen requests, scoped by the acting user."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.prescreen.models import Lead, LeadStatus

MAX_DB_ID = 2**63 - 1


def _require_staff(user: User) -> None:
    if not user.can_manage_patients:
        raise PermissionDenied("Your role does not give access to pre-screen requests.")


def leads_for(*, user: User, status: str = "") -> QuerySet[Lead]:
    """Requests, newest first; one query with the converted patient joined."""
    _require_staff(user)
    qs = Lead.objects.select_related("converted_patient").order_by("-created_at", "-id")
    if status in LeadStatus.values:
        qs = qs.filter(status=status)
    return qs


def lead_get_for(*, user: User, lead_id: int) -> Lead:
    _require_staff(user)
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
    _require_staff(user)
    return Lead.objects.filter(status=LeadStatus.NEW).order_by("-created_at", "-id")
