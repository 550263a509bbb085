"""PDF documents: plan summary, aftercare sheet, progress report — rendered, read back with
pypdf and rasterised with pypdfium2; roles, bad ids, audit."""

from __future__ import annotations

import importlib
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import default_protocol, preparation_schedule
from needlechart.protocol.aftercare import aftercare_timeline
from needlechart.protocol.vocabulary import Symptom, TriageLevel
from needlechart.scheduling.models import Appointment, AppointmentStatus
from tests.factories.documents import Course, course
from tests.factories.imaging import use_temp_photo_storage

# Loaded by name: pypdfium2 ships no type information.
pdfium: Any = importlib.import_module("pypdfium2")

pytestmark = pytest.mark.django_db

A4_RATIO = 297 / 210
CLINIC = "NeedleChart Demo Clinic"


@pytest.fixture(autouse=True)
def _photos(settings: Any, tmp_path: Path) -> None:
    use_temp_photo_storage(settings, tmp_path)
    settings.CLINIC_NAME = CLINIC
    settings.CLINIC_PHONE = "020 7946 0000"


@pytest.fixture
def treated(patient: Patient, clinician: User) -> Course:
    return course(patient=patient, by=clinician)


def pdf_of(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    content = response.content
    assert content.startswith(b"%PDF")
    return content


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def check_pages(content: bytes, *, min_pages: int = 1) -> int:
    """Render every page: A4 proportions and ink on every page. Returns the page count."""
    document = pdfium.PdfDocument(content)
    try:
        assert len(document) >= min_pages
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            assert height / width == pytest.approx(A4_RATIO, rel=0.01)
            image = page.render(scale=0.5).to_pil().convert("L")
            dark = sum(image.histogram()[:200])
            assert dark > 500, f"page {index + 1} looks blank"
        return len(document)
    finally:
        document.close()


def image_count(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


def download_events(kind: str) -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(action="document.download")
        if e.detail.get("kind") == kind
    ]


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


# ---------------------------------------------------------------- plan summary


def test_plan_summary(clinician_client: Client, treated: Course, patient: Patient) -> None:
    plan = treated.plan
    content = pdf_of(clinician_client, reverse("documents:plan_summary", args=[plan.pk]))
    check_pages(content)
    text = text_of(content)
    rec = plan.engine_plan()
    assert plan.start_date is not None
    for expected in [
        patient.full_name,
        "14 Mar 1996",  # date of birth in the header
        CLINIC,
        "020 7946 0000",
        "Your treatment plan",
        "What is planned",
        "Your sessions",
        "Getting ready",
        "What to expect",
        "After your course",
        "Contact us",
        "Automated pen",
        long_date(plan.start_date),
        rec.preparation[0].title,
    ]:
        assert expected in text, expected
    # the preparation steps are dated back from the first session
    _step, day = preparation_schedule(rec, plan.start_date)[0]
    assert short_date(day) in text
    # the three signed sessions are shown as done, with their dates
    for session in treated.sessions:
        assert long_date(session.performed_on) in text
    assert text.count("Done") >= 3
    [event] = download_events("plan_summary")
    assert event.object_id == str(plan.pk) and event.patient_id == patient.pk


def test_plan_summary_booked_and_planned_dates(
    clinician: User, clinician_client: Client, patient: Patient
) -> None:
    from tests.factories.outcomes import approved_plan

    start = timezone.localdate() + timedelta(days=30)
    plan = approved_plan(patient=patient, by=clinician, start_date=start)
    starts = timezone.make_aware(datetime.combine(start, time(10, 30)))
    Appointment.objects.create(
        patient=patient,
        plan=plan,
        session_number=1,
        practitioner=clinician,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=AppointmentStatus.BOOKED,
        created_by=clinician,
    )
    text = text_of(pdf_of(clinician_client, reverse("documents:plan_summary", args=[plan.pk])))
    assert f"{long_date(start)} at 10:30" in text and "Booked" in text
    assert plan.interval_weeks and plan.sessions_planned and plan.sessions_planned > 1
    second = start + timedelta(weeks=plan.interval_weeks)
    assert f"Around {second.day} {second:%B %Y}" in text
    assert "To be booked" in text


def test_plan_summary_refuses_a_draft(
    clinician: User, clinician_client: Client, patient: Patient
) -> None:
    from needlechart.plans.services import plan_draft
    from tests.factories.plans import screen_patient

    draft = plan_draft(screening=screen_patient(patient=patient, by=clinician), by=clinician)
    url = reverse("documents:plan_summary", args=[draft.pk])
    response = clinician_client.get(url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("plans:detail", args=[draft.pk])
    assert "approved plan only" in response.content.decode()
    assert not download_events("plan_summary")


# ---------------------------------------------------------------- aftercare


def test_aftercare_sheet(clinician_client: Client, treated: Course, patient: Patient) -> None:
    session = treated.sessions[1]
    content = pdf_of(clinician_client, reverse("documents:aftercare", args=[session.pk]))
    pages = check_pages(content, min_pages=2)
    text = text_of(content)
    for expected in [
        patient.full_name,
        CLINIC,
        "020 7946 0000",
        "Your aftercare",
        "Day by day",
        "Warning signs: when to call",
        "When to call",
        long_date(session.performed_on),
        f"of {pages}",  # page numbers in the footer
    ]:
        assert expected in text, expected
    days = aftercare_timeline(session_date=session.performed_on)
    first, last = days[0].date, days[-1].date
    assert first is not None and last is not None
    assert short_date(first) in text and short_date(last) in text
    symptoms = default_protocol().document.aftercare.symptoms
    assert symptoms[Symptom.FEVER].label in text  # never expected: always a warning sign
    assert " ".join(symptoms[Symptom.FEVER].advice[TriageLevel.URGENT].split()[:4]) in text
    [event] = download_events("aftercare")
    assert event.object_id == str(session.pk)


def test_aftercare_uses_the_stored_timeline(clinician_client: Client, treated: Course) -> None:
    session = treated.sessions[0]
    stored = aftercare_timeline(session_date=session.performed_on)[:2]
    dumped = [d.model_dump(mode="json") for d in stored]
    dumped[0]["instructions"][0]["text"] = "Stored instruction from the signed record."
    type(session).objects.filter(pk=session.pk).update(aftercare=dumped)
    text = text_of(pdf_of(clinician_client, reverse("documents:aftercare", args=[session.pk])))
    assert "Stored instruction from the signed record." in text
    assert "Day 1" in text and "Day 2" not in text


# ---------------------------------------------------------------- progress report


def test_progress_report_with_photos(
    clinician_client: Client, treated: Course, patient: Patient
) -> None:
    url = reverse("documents:progress_report", args=[patient.pk]) + "?for=clinician"
    content = pdf_of(clinician_client, url)
    check_pages(content)
    text = text_of(content)
    first = min(treated.photos, key=lambda p: p.visit.order).visit
    last = max(treated.photos, key=lambda p: p.visit.order).visit
    for expected in [
        patient.full_name,
        CLINIC,
        "Progress report",
        "Before and after",
        "Scores over time",
        "Sessions done",
        "Adverse events",
        "Front",
        "Left 45",
        f"Before · {first.label}",  # "Consultation — 8 Jul 2026": what the visit was
        f"After · {last.label}",
        "Post-inflammatory hyperpigmentation",
        "UNVERIFIED",
        "7 / 10",
    ]:
        assert expected in text, expected
    for session in treated.sessions:
        assert f"{session.performed_on.day} {session.performed_on:%b %Y}" in text
    # logo on every page, the chart, and 2 pairs of photos
    assert image_count(content) >= 1 + 4 + 1
    [event] = download_events("progress_report")
    assert sorted(event.detail["photo_ids"]) == sorted(p.pk for p in treated.photos)


def test_progress_report_without_photo_consent(
    clinician: User, clinician_client: Client, patient: Patient
) -> None:
    course(patient=patient, by=clinician, photo_clinical=False)
    content = pdf_of(clinician_client, reverse("documents:progress_report", args=[patient.pk]))
    check_pages(content)
    text = text_of(content)
    assert "consent does not cover clinical" in text
    assert "Before ·" not in text
    [event] = download_events("progress_report")
    assert event.detail["photo_ids"] == []


def test_progress_report_of_a_new_patient(clinician_client: Client, make_patient: Any) -> None:
    fresh = make_patient(given_name="Nadia", family_name="Haddad")
    content = pdf_of(clinician_client, reverse("documents:progress_report", args=[fresh.pk]))
    check_pages(content)
    text = text_of(content)
    assert "Nadia Haddad" in text
    assert "No approved treatment plan." in text
    assert "No signed sessions yet." in text and "None recorded." in text


# ---------------------------------------------------------------- roles, ids, links


def _urls(treated: Course, patient: Patient) -> list[str]:
    return [
        reverse("documents:plan_summary", args=[treated.plan.pk]),
        reverse("documents:aftercare", args=[treated.sessions[0].pk]),
        reverse("documents:progress_report", args=[patient.pk]),
    ]


def test_front_desk_refused(
    front_desk_client: Client, admin_client_: Client, treated: Course, patient: Patient
) -> None:
    for url in _urls(treated, patient):
        assert front_desk_client.get(url).status_code == 403
        assert admin_client_.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="document.download").exists()


def test_anonymous_redirected_to_sign_in(client: Client, treated: Course, patient: Patient) -> None:
    for url in _urls(treated, patient):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_aesthetician_may_download(
    aesthetician_client: Client, treated: Course, patient: Patient
) -> None:
    for url in _urls(treated, patient):
        assert pdf_of(aesthetician_client, url)


@pytest.mark.parametrize("bad_id", [999_999, 2**31, 2**63 + 5])
def test_bad_ids_are_404(clinician_client: Client, bad_id: int) -> None:
    for name in ("plan_summary", "aftercare", "progress_report"):
        assert clinician_client.get(reverse(f"documents:{name}", args=[bad_id])).status_code == 404


def test_links_on_plan_session_and_patient_pages(
    clinician_client: Client, front_desk_client: Client, treated: Course, patient: Patient
) -> None:
    plan_url, aftercare_url, report_url = _urls(treated, patient)
    page = clinician_client.get(reverse("plans:detail", args=[treated.plan.pk])).content.decode()
    assert plan_url in page
    session = treated.sessions[0]
    page = clinician_client.get(reverse("treatments:detail", args=[session.pk])).content.decode()
    assert aftercare_url in page
    page = clinician_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert report_url in page
    page = front_desk_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert report_url not in page


def test_no_link_for_a_draft_plan(
    clinician: User, clinician_client: Client, patient: Patient
) -> None:
    from needlechart.plans.services import plan_draft
    from tests.factories.plans import screen_patient

    draft: TreatmentPlan = plan_draft(
        screening=screen_patient(patient=patient, by=clinician), by=clinician
    )
    page = clinician_client.get(reverse("plans:detail", args=[draft.pk])).content.decode()
    assert reverse("documents:plan_summary", args=[draft.pk]) not in page
