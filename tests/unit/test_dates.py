"""The one rule for plausible clinical dates (core.dates) and the services that apply it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.core import dates
from needlechart.core.dates import (
    DATE_BEFORE_BIRTH,
    DATE_IN_FUTURE,
    DATE_TOO_EARLY,
    DATE_TOO_LATE,
    EARLIEST_DATE,
    LATEST_DATE,
    ClinicalDateField,
    date_problem,
)
from needlechart.patients.models import Patient
from needlechart.plans.services import plan_adjust, plan_draft
from needlechart.treatments.services import (
    adverse_event_record,
    adverse_event_update,
    session_update,
    symptom_report_record,
)
from tests.factories import treatments as t
from tests.factories.plans import screen_patient

TODAY = date(2030, 6, 15)
BORN = date(1990, 5, 1)


@pytest.mark.parametrize(
    ("value", "kwargs", "problem"),
    [
        (EARLIEST_DATE, {}, None),
        (EARLIEST_DATE - timedelta(days=1), {}, DATE_TOO_EARLY),
        (date(1, 1, 1), {}, DATE_TOO_EARLY),
        (LATEST_DATE, {}, None),
        (LATEST_DATE + timedelta(days=1), {}, DATE_TOO_LATE),
        (date(9999, 12, 31), {}, DATE_TOO_LATE),
        (TODAY, {"past": True, "today": TODAY}, None),
        (TODAY + timedelta(days=1), {"past": True, "today": TODAY}, DATE_IN_FUTURE),
        (TODAY + timedelta(days=1), {"today": TODAY}, None),  # planning ahead is fine
        (BORN, {"born": BORN}, None),
        (BORN - timedelta(days=1), {"born": BORN}, DATE_BEFORE_BIRTH.format(born=BORN)),
    ],
)
def test_date_problem_boundaries(
    value: date, kwargs: dict[str, object], problem: str | None
) -> None:
    assert date_problem(value, **kwargs) == problem  # type: ignore[arg-type]


def test_require_plausible_names_each_field() -> None:
    with pytest.raises(ValidationError) as exc:
        dates.require_plausible(
            {"a": date(1850, 1, 1), "b": TODAY, "c": None}, born=BORN, today=TODAY, past=True
        )
    assert exc.value.message_dict == {"a": [DATE_TOO_EARLY]}


@pytest.mark.parametrize(
    ("text", "past", "error"),
    [
        ("1899-12-31", False, DATE_TOO_EARLY),
        ("2200-01-01", False, DATE_TOO_LATE),
        ("2150-01-01", False, None),
        ("2150-01-01", True, DATE_IN_FUTURE),
        ("2001-02-03", True, None),
    ],
)
def test_clinical_date_field(text: str, past: bool, error: str | None) -> None:
    field = ClinicalDateField(past=past)
    if error is None:
        assert field.clean(text) == date.fromisoformat(text)
    else:
        with pytest.raises(ValidationError) as exc:
            field.clean(text)
        assert exc.value.messages == [error]


def test_the_date_picker_is_bounded() -> None:
    html = ClinicalDateField(past=True).widget.render("d", None)
    assert f'min="{EARLIEST_DATE.isoformat()}"' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html


def test_safe_add_days_at_the_ends_of_the_calendar() -> None:
    assert dates.safe_add_days(date(9999, 12, 31), 1) is None
    assert dates.safe_add_days(date(1, 1, 1), -1) is None
    assert dates.safe_add_days(TODAY, 3) == TODAY + timedelta(days=3)
    assert not dates.in_span(date(1, 1, 1)) and not dates.in_span(None)
    assert dates.in_span(TODAY)


# ---------------------------------------------------------------- the services apply it


@pytest.fixture
def adult(make_patient: Callable[..., Patient]) -> Patient:
    """An adult patient whose date of birth the tests go one day before."""
    born = timezone.localdate() - timedelta(days=25 * 366)
    return make_patient(date_of_birth=born)


def _before_birth(patient: Patient) -> date:
    return patient.date_of_birth - timedelta(days=1)


def test_session_date_before_birth_is_refused(adult: Patient, clinician: User) -> None:
    plan = t.consented_plan(patient=adult, by=clinician)
    record = t.charted_session(plan=plan, by=clinician)
    day = _before_birth(adult)
    with pytest.raises(ValidationError) as exc:
        session_update(
            session=record,
            by=clinician,
            **t.record_values(record, performed_on=day, cartridge_expiry=day + timedelta(days=9)),
        )
    assert exc.value.message_dict["performed_on"] == [
        DATE_BEFORE_BIRTH.format(born=adult.date_of_birth)
    ]


def test_session_dates_in_the_future_and_far_expiry(adult: Patient, clinician: User) -> None:
    plan = t.consented_plan(patient=adult, by=clinician)
    record = t.charted_session(plan=plan, by=clinician)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        session_update(
            session=record,
            by=clinician,
            **t.record_values(record, performed_on=tomorrow, cartridge_expiry=date(2300, 1, 1)),
        )
    assert exc.value.message_dict["performed_on"] == [DATE_IN_FUTURE]
    assert exc.value.message_dict["cartridge_expiry"] == [DATE_TOO_LATE]


def test_adverse_event_and_symptom_dates(adult: Patient, clinician: User) -> None:
    plan = t.consented_plan(patient=adult, by=clinician)
    record = t.charted_session(plan=plan, by=clinician, sign=True)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        adverse_event_record(
            patient=adult, by=clinician, event_type="pih", severity="mild", onset_on=tomorrow
        )
    assert exc.value.message_dict["onset_on"] == [DATE_IN_FUTURE]
    with pytest.raises(ValidationError) as exc:
        adverse_event_record(
            patient=adult,
            by=clinician,
            event_type="pih",
            severity="mild",
            onset_on=_before_birth(adult),
        )
    assert exc.value.message_dict["onset_on"] == [
        DATE_BEFORE_BIRTH.format(born=adult.date_of_birth)
    ]
    event = adverse_event_record(
        patient=adult, by=clinician, event_type="pih", severity="mild", onset_on=record.performed_on
    )
    with pytest.raises(ValidationError) as exc:
        adverse_event_update(
            event=event, by=clinician, note="ok", resolve=True, resolved_on=tomorrow
        )
    assert exc.value.message_dict["resolved_on"] == [DATE_IN_FUTURE]
    with pytest.raises(ValidationError) as exc:
        symptom_report_record(
            session=record, by=clinician, symptom="redness", severity="mild", reported_on=tomorrow
        )
    assert exc.value.message_dict["reported_on"] == [DATE_IN_FUTURE]


def test_plan_start_may_be_ahead_but_not_before_birth(adult: Patient, clinician: User) -> None:
    draft = plan_draft(screening=screen_patient(patient=adult, by=clinician), by=clinician)
    values: dict[str, Any] = {
        "sessions_planned": draft.sessions_planned,
        "interval_weeks": draft.interval_weeks,
        "depths": {z: d or 0.5 for z, d in draft.depths.items()},
        "reasons": {},
    }
    ahead = timezone.localdate() + timedelta(days=300)
    assert plan_adjust(plan=draft, by=clinician, start_date=ahead, **values).start_date == ahead
    with pytest.raises(ValidationError) as exc:
        plan_adjust(plan=draft, by=clinician, start_date=_before_birth(adult), **values)
    assert exc.value.message_dict["start_date"] == [
        DATE_BEFORE_BIRTH.format(born=adult.date_of_birth)
    ]


def test_consultation_exposure_before_birth_is_refused(adult: Patient, clinician: User) -> None:
    from needlechart.consultations.services import consultation_start
    from needlechart.screenings.services import consultation_complete
    from tests.factories.plans import example_intake

    consultation = consultation_start(patient=adult, by=clinician)
    data = example_intake(
        sun_exposure={"status": "past", "last_date": _before_birth(adult).isoformat()}
    )
    with pytest.raises(ValidationError) as exc:
        consultation_complete(consultation=consultation, by=clinician, data=data)
    assert exc.value.message_dict == {
        "sun_exposure.last_date": [DATE_BEFORE_BIRTH.format(born=adult.date_of_birth)]
    }


def test_api_refuses_an_exposure_date_before_birth(adult: Patient, clinician: User) -> None:
    from django.test import Client

    from tests.factories.plans import example_intake

    client = Client()
    client.force_login(clinician)
    intake = example_intake(
        sun_exposure={"status": "past", "last_date": _before_birth(adult).isoformat()}
    )
    intake.pop("age", None)
    intake.pop("sex", None)
    response = client.post(
        f"/api/v1/patients/{adult.pk}/consultations",
        {"intake": intake},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 400, body
    assert body["error"]["fields"] == {
        "intake.sun_exposure.last_date": [DATE_BEFORE_BIRTH.format(born=adult.date_of_birth)]
    }
