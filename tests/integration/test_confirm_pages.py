"""Every "confirm with a reason" page has one shape (core.confirm): GET says what will
happen and asks for the reason; a blank or too long reason changes nothing; a reason does
it; a second attempt is refused with a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.consents.forms import WITHDRAW
from needlechart.core.confirm import Confirmation
from needlechart.imaging.forms import ARCHIVE as PHOTO_ARCHIVE
from needlechart.patients.forms import ARCHIVE as PATIENT_ARCHIVE
from needlechart.patients.models import Patient
from needlechart.scheduling.forms import CANCEL
from needlechart.scheduling.models import AppointmentStatus
from needlechart.scheduling.services import appointment_book
from tests.factories.consents import approve_plan, signed_consent
from tests.factories.imaging import (
    give_photo_consent,
    image_bytes,
    store_photo,
    use_temp_photo_storage,
)
from tests.factories.scheduling import approved_plan

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    url: str
    confirmation: Confirmation
    obj: Model
    done: Callable[[Any], bool]


def _consent(patient: Patient, clinician: User, aesthetician: User) -> Case:
    plan = approve_plan(patient=patient, by=clinician)
    consent = signed_consent(plan=plan, witness=aesthetician, clinician=clinician)
    return Case(
        reverse("consents:withdraw", args=[consent.pk]),
        WITHDRAW,
        consent,
        lambda c: c.withdrawn_at is not None,
    )


def _patient(patient: Patient, clinician: User, aesthetician: User) -> Case:
    return Case(
        reverse("patients:archive", args=[patient.pk]),
        PATIENT_ARCHIVE,
        patient,
        lambda p: p.is_archived,
    )


def _photo(patient: Patient, clinician: User, aesthetician: User) -> Case:
    give_photo_consent(patient=patient, by=clinician)
    photo = store_photo(patient=patient, by=clinician, data=image_bytes(80, 60))
    return Case(
        reverse("imaging:archive", args=[photo.pk]),
        PHOTO_ARCHIVE,
        photo,
        lambda p: p.archived_at is not None,
    )


def _appointment(patient: Patient, clinician: User, aesthetician: User) -> Case:
    monday = date(2030, 3, 4)
    plan = approved_plan(patient=patient, clinician=clinician, start_date=monday)
    appointment = appointment_book(
        patient=patient,
        practitioner=clinician,
        starts_at=datetime.combine(monday, time(10), tzinfo=ZoneInfo("Europe/London")),
        by=clinician,
        plan=plan,
        session_number=1,
    )
    return Case(
        reverse("scheduling:cancel", args=[appointment.pk]),
        CANCEL,
        appointment,
        lambda a: a.status == AppointmentStatus.CANCELLED,
    )


@pytest.mark.parametrize("build", [_consent, _patient, _photo, _appointment])
def test_confirm_with_reason(
    build: Callable[[Patient, User, User], Case],
    settings: Any,
    tmp_path: Path,
    clinician_client: Client,
    clinician: User,
    aesthetician: User,
    patient: Patient,
) -> None:
    use_temp_photo_storage(settings, tmp_path)
    case = build(patient, clinician, aesthetician)
    page = clinician_client.get(case.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="confirm-consequences"' in html and case.confirmation.submit in html
    assert all(escape(line) in html for line in case.confirmation.consequences)
    assert case.confirmation.reason_label in html

    too_long = "x" * (case.confirmation.reason_max_length + 1)
    for reason in ("", "   ", too_long):
        refused = clinician_client.post(case.url, {"reason": reason})
        assert refused.status_code == 200 and refused.context["form"].errors["reason"]
        case.obj.refresh_from_db()
        assert not case.done(case.obj)

    done = clinician_client.post(case.url, {"reason": "Asked by the patient"}, follow=True)
    assert done.status_code == 200
    assert case.confirmation.done in done.content.decode()
    case.obj.refresh_from_db()
    assert case.done(case.obj)
    # Once done, the page does not offer it again (a message or the service's refusal).
    again = clinician_client.post(case.url, {"reason": "Twice"}, follow=True)
    assert again.status_code == 200
    assert case.confirmation.done not in again.content.decode()
