"""A page never fails because of an odd date already in the database.

New input is checked by `core.dates`; rows written before that rule (an import, a typing
slip that got through, a restore) may still hold year 1, year 9999 or a day before the
patient was born. Every page and PDF of the course must still render them (with "—" where
a derived date cannot be computed), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from needlechart.accounts.models import User
from needlechart.assessments.models import Assessment
from needlechart.consultations.models import Consultation
from needlechart.imaging.models import Photo
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.screenings.models import Screening
from needlechart.treatments.models import AdverseEvent, SessionRecord, SymptomReport
from needlechart.treatments.services import symptom_report_record
from tests.factories.documents import Course, course
from tests.factories.imaging import use_temp_photo_storage

pytestmark = pytest.mark.django_db

YEAR_1 = date(1, 1, 1)
YEAR_9999 = date(9999, 12, 31)


@pytest.fixture(autouse=True)
def _photos(settings: Any, tmp_path: Path) -> None:
    use_temp_photo_storage(settings, tmp_path)


def _client(user: User) -> Client:
    # Collect every failing page rather than stopping at the first exception.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _odd(kind: str, patient: Patient) -> date:
    if kind == "year_1":
        return YEAR_1
    if kind == "year_9999":
        return YEAR_9999
    return patient.date_of_birth - timedelta(days=400)  # before birth


def _store_odd_dates(treated: Course, patient: Patient, day: date) -> None:
    """Write `day` into every clinical date of the course, bypassing all validation."""
    Consultation.objects.filter(patient=patient).update(consulted_on=day)
    Screening.objects.filter(patient=patient).update(screened_on=day, rescreen_on=day)
    Assessment.objects.filter(patient=patient).update(assessed_on=day)
    TreatmentPlan.objects.filter(patient=patient).update(start_date=day)
    SessionRecord.objects.filter(patient=patient).update(performed_on=day, cartridge_expiry=day)
    # The stored aftercare timeline of a signed session carries dates too.
    for record in SessionRecord.objects.filter(patient=patient):
        record.aftercare = [
            {**entry, "date": day.isoformat()} if isinstance(entry, dict) else entry
            for entry in record.aftercare or []
        ]
        record.save(update_fields=["aftercare"])
    SymptomReport.objects.filter(patient=patient).update(reported_on=day)
    AdverseEvent.objects.filter(patient=patient).update(
        onset_on=day, resolved_on=day, status="resolved"
    )
    FollowUp.objects.filter(patient=patient).update(followed_on=day)
    Photo.objects.filter(patient=patient).update(taken_on=day)


def _pages(treated: Course, patient: Patient) -> list[str]:
    session = treated.sessions[0]
    event = treated.adverse_event
    assert event is not None
    consultation = Consultation.objects.filter(patient=patient).first()
    screening = Screening.objects.filter(patient=patient).first()
    assessment = Assessment.objects.filter(patient=patient).first()
    follow_up = FollowUp.objects.filter(patient=patient).first()
    photo = treated.photos[0]
    report = SymptomReport.objects.filter(patient=patient).first()
    assert consultation and screening and assessment and follow_up and report
    return [
        reverse("dashboard"),
        reverse("patients:detail", args=[patient.pk]),
        reverse("patients:list") + "?q=" + patient.family_name,
        reverse("consultations:edit", args=[consultation.pk]),
        reverse("screenings:detail", args=[screening.pk]),
        reverse("assessments:detail", args=[assessment.pk]),
        reverse("assessments:list", args=[patient.pk]),
        reverse("plans:detail", args=[treated.plan.pk]),
        reverse("plans:list", args=[patient.pk]),
        reverse("treatments:list", args=[patient.pk]),
        reverse("treatments:detail", args=[session.pk]),
        reverse("treatments:aftercare", args=[session.pk]),
        reverse("treatments:amend", args=[session.pk]),
        reverse("treatments:lot_lookup") + "?lot=" + (session.cartridge_lot or "x"),
        reverse("treatments:symptom_list", args=[patient.pk]),
        reverse("treatments:symptom_detail", args=[report.pk]),
        reverse("treatments:adverse_list", args=[patient.pk]),
        reverse("treatments:adverse_detail", args=[event.pk]),
        reverse("outcomes:progress", args=[patient.pk]),
        reverse("outcomes:detail", args=[follow_up.pk]),
        reverse("imaging:gallery", args=[patient.pk]),
        reverse("imaging:detail", args=[photo.pk]),
        reverse("consents:detail", args=[treated.consent.pk]),
        reverse("documents:plan_summary", args=[treated.plan.pk]),
        reverse("documents:aftercare", args=[session.pk]),
        reverse("documents:progress_report", args=[patient.pk]),
    ]


@pytest.mark.parametrize("kind", ["year_1", "year_9999", "before_birth"])
def test_every_page_renders_an_odd_stored_date(
    kind: str, patient: Patient, clinician: User
) -> None:
    clinician_client = _client(clinician)
    treated = course(patient=patient, by=clinician)
    symptom_report_record(
        session=treated.sessions[0], by=clinician, symptom="redness", severity="moderate"
    )
    _store_odd_dates(treated, patient, _odd(kind, patient))
    failures = []
    for url in _pages(treated, patient):
        response = clinician_client.get(url)
        if response.status_code != 200:
            failures.append((url, response.status_code))
    assert failures == []


@pytest.mark.parametrize("kind", ["year_1", "year_9999"])
def test_the_chart_renders_an_odd_date_of_birth(
    kind: str, patient: Patient, clinician: User, front_desk: User
) -> None:
    clinician_client, front_desk_client = _client(clinician), _client(front_desk)
    treated = course(patient=patient, by=clinician, photos=False)
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=_odd(kind, patient))
    for client in (clinician_client, front_desk_client):
        assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    urls = [
        reverse("plans:detail", args=[treated.plan.pk]),
        reverse("treatments:detail", args=[treated.sessions[0].pk]),
        reverse("documents:plan_summary", args=[treated.plan.pk]),
        reverse("documents:progress_report", args=[patient.pk]),
    ]
    failures = [(u, s) for u in urls if (s := clinician_client.get(u).status_code) != 200]
    assert failures == []
