"""Writing audit events. Call inside the service's transaction so the event and the
change commit (or roll back) together."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from needlechart.audit.context import current_ip
from needlechart.audit.models import AuditEvent


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. `action` is "<object>.<verb>", e.g. "patient.view"."""
    actor_id: int | None = None
    actor_username = ""
    if actor is not None and actor.is_authenticated:
        actor_id = actor.pk
        actor_username = actor.get_username()
    object_type = ""
    object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_username=actor_username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        detail=detail or {},
        ip=ip if ip is not None else current_ip.get(),
    )
