"""The override level arrives in safe steps (add nullable, backfill, require): an override
stored before it gets the level the engine gives its stored result."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from tests.factories.plans import DEFER, PRECAUTIONS, screen_patient

BEFORE = [("screenings", "0003_override_level_and_confirmation")]
AFTER = [("screenings", "0005_override_level_not_null")]


@pytest.mark.django_db(transaction=True)
def test_backfill_gives_old_overrides_their_level(
    make_patient: Callable[..., Patient], clinician: User
) -> None:
    hard = screen_patient(patient=make_patient(), by=clinician, example=DEFER)
    mild = screen_patient(patient=make_patient(), by=clinician, example=PRECAUTIONS)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("screenings", "ScreeningOverride")
    for screening in (hard, mild):
        old.objects.create(
            screening_id=screening.pk,
            verdict="proceed",
            reason="Recorded before levels existed",
            created_by_id=clinician.pk,
            level=None,
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("screenings", "ScreeningOverride")
    levels = dict(new.objects.values_list("screening_id", "level"))
    assert levels == {hard.pk: "second_clinician", mild.pk: "aesthetician"}
    # The hard stop's old override now waits for a second clinician like a new one.
    assert new.objects.get(screening_id=hard.pk).confirmed_at is None
