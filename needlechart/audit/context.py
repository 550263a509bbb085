"""Carries the request's client IP to `audit_record` without threading it through services."""

from contextvars import ContextVar

from django.http import HttpRequest

current_ip: ContextVar[str | None] = ContextVar("needlechart_audit_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it,
    # and a spoofable value has no place in an audit trail.
    return request.META.get("REMOTE_ADDR") or None
