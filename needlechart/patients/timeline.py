"""The course timeline on the patient chart, assembled from providers.

Each app of the course (consultations, screenings, plans, sessions...) registers a
provider once, at import time (e.g. in its `AppConfig.ready`):

    from needlechart.patients.timeline import TimelineEntry, register_timeline_provider

    @register_timeline_provider                      # clinical by default
    def screenings(patient: Patient) -> list[TimelineEntry]:
        return [TimelineEntry(date=s.created_at, kind="screening", title=..., url=...,
                              status=s.verdict) for s in patient.screenings.all()]

    @register_timeline_provider(clinical=False)      # also shown to front desk
    def appointments(patient): ...

Clinical providers are *not called at all* for users without `can_view_clinical`, so the
data never reaches the template. Each provider should run a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from needlechart.accounts.models import User
    from needlechart.patients.models import Patient


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date | dt.datetime
    kind: str  # e.g. "consultation", "screening", "plan", "session"
    title: str
    url: str = ""
    status: str = ""  # free text or a verdict/triage code; templates map it to a badge

    @property
    def day(self) -> dt.date:
        if isinstance(self.date, dt.datetime):
            return (
                timezone.localtime(self.date).date()
                if timezone.is_aware(self.date)
                else (self.date.date())
            )
        return self.date


# Within one day, entries read in the order of the course of care.
COURSE_ORDER = {
    "registration": 0,
    "consultation": 10,
    "screening": 20,
    "screening_override": 21,
    "assessment": 30,
    "plan": 40,
    "plan_approved": 41,
    "consent": 50,
    "consent_withdrawn": 51,
    "appointment_booked": 60,
    "appointment_attended": 61,
    "appointment_no_show": 61,
    "appointment_cancelled": 61,
    "session": 70,
    "session_signed": 71,
    "symptom": 80,
    "adverse_event": 81,
    "adverse_event_resolved": 82,
    "follow_up": 90,
    "archive": 99,
}

TimelineProvider = Callable[["Patient"], list[TimelineEntry]]


@dataclass(frozen=True)
class RegisteredProvider:
    provider: TimelineProvider
    clinical: bool


timeline_providers: list[RegisteredProvider] = []


@overload
def register_timeline_provider(provider: TimelineProvider, /) -> TimelineProvider: ...
@overload
def register_timeline_provider(
    *, clinical: bool = True
) -> Callable[[TimelineProvider], TimelineProvider]: ...
def register_timeline_provider(
    provider: TimelineProvider | None = None, /, *, clinical: bool = True
) -> TimelineProvider | Callable[[TimelineProvider], TimelineProvider]:
    def add(fn: TimelineProvider) -> TimelineProvider:
        # Idempotent: a module imported twice (autoreload, tests) must not double entries.
        if all(r.provider is not fn for r in timeline_providers):
            timeline_providers.append(RegisteredProvider(fn, clinical))
        return fn

    return add(provider) if provider is not None else add


def timeline_for(*, user: User, patient: Patient) -> list[TimelineEntry]:
    """Entries this user may see, oldest first (the course reads forward)."""
    entries: list[TimelineEntry] = []
    for registered in timeline_providers:
        if registered.clinical and not user.can_view_clinical:
            continue
        entries.extend(registered.provider(patient))
    return sorted(entries, key=lambda e: (e.day, COURSE_ORDER.get(e.kind, 95), e.title))


@register_timeline_provider(clinical=False)
def registration(patient: Patient) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            date=patient.created_at,
            kind="registration",
            title="Registered at the clinic",
            url=reverse("patients:detail", args=[patient.pk]),
            status="done",
        )
    ]
    if patient.archived_at is not None:
        entries.append(
            TimelineEntry(
                date=patient.archived_at, kind="archive", title="Record archived", status="archived"
            )
        )
    return entries
