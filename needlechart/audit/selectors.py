from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from needlechart.audit.models import AuditEvent


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(*, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Events newest first, narrowed by the (already validated) filter form data."""
    qs = AuditEvent.objects.all().order_by("-at", "-id")
    if actor := filters.get("actor"):
        qs = qs.filter(actor_username__iexact=actor)
    if action := filters.get("action"):
        # A trailing dot means "every verb on this object": "patient." -> patient.*
        qs = (
            qs.filter(action__startswith=action)
            if action.endswith(".")
            else qs.filter(action=action)
        )
    if patient_id := filters.get("patient_id"):
        qs = qs.filter(patient_id=patient_id)
    if date_from := filters.get("date_from"):
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to := filters.get("date_to"):
        qs = qs.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return qs
