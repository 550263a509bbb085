from collections.abc import Iterator
from datetime import date

import pytest

from needlechart.accounts.models import User
from needlechart.patients import timeline
from needlechart.patients.models import Patient
from needlechart.patients.timeline import (
    RegisteredProvider,
    TimelineEntry,
    register_timeline_provider,
    timeline_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> Iterator[list[RegisteredProvider]]:
    saved = list(timeline.timeline_providers)
    yield timeline.timeline_providers
    timeline.timeline_providers[:] = saved


def test_clinical_provider_not_called_for_front_desk(
    registry: list[RegisteredProvider], front_desk: User, clinician: User, patient: Patient
) -> None:
    calls: list[int] = []

    @register_timeline_provider
    def screening(p: Patient) -> list[TimelineEntry]:
        calls.append(p.pk)
        return [
            TimelineEntry(
                date=date(2030, 1, 1), kind="screening", title="Screening", status="defer"
            )
        ]

    kinds = [e.kind for e in timeline_for(user=front_desk, patient=patient)]
    assert kinds == ["registration"]
    assert calls == []

    kinds = [e.kind for e in timeline_for(user=clinician, patient=patient)]
    assert kinds == ["registration", "screening"]  # oldest first
    assert calls == [patient.pk]


def test_registration_is_idempotent(registry: list[RegisteredProvider]) -> None:
    def provider(p: Patient) -> list[TimelineEntry]:
        return []

    register_timeline_provider(provider)
    register_timeline_provider(clinical=False)(provider)
    assert sum(1 for r in registry if r.provider is provider) == 1


def test_entries_of_one_day_read_in_course_order(
    registry: list[RegisteredProvider], clinician: User, patient: Patient
) -> None:
    day = date(2030, 1, 1)

    @register_timeline_provider
    def course(p: Patient) -> list[TimelineEntry]:
        return [
            TimelineEntry(date=day, kind=kind, title=kind)
            for kind in ("plan_approved", "assessment", "screening", "plan", "consultation")
        ]

    kinds = [e.kind for e in timeline_for(user=clinician, patient=patient)][1:]
    assert kinds == ["consultation", "screening", "assessment", "plan", "plan_approved"]
