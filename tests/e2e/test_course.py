"""The course of treatment in a real browser, with screenshots: sign consent → book the series
→ chart session 1 with a lot number → sign → a reported symptom that triages to
`contact_clinic` → resolve it → follow-up re-grade → progress chart visible."""

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from needlechart.scheduling.models import Appointment, OpeningHours
from needlechart.treatments.models import SessionRecord, SymptomReport
from tests.factories.scheduling import approved_plan

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _draw_signature(page: "Page") -> None:
    canvas = page.locator("canvas.signature-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()  # viewport coordinates: the canvas must be on screen
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 25, y + 120 - (step % 3) * 30)
    page.mouse.up()


def test_consent_booking_session_symptom_follow_up(
    live_server: "LiveServer",
    browser_page: "Page",
    screenshot: Callable[[str], Path],
    clinician: User,
    patient: Patient,
) -> None:
    today = timezone.localdate()
    for weekday in range(6):  # transactional tests flush the seeded opening hours
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": time(9), "closes": time(18)}
        )
    plan = approved_plan(patient=patient, clinician=clinician, start_date=today + timedelta(days=1))
    page = browser_page
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("clin")
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # Consent: prepared from the approved plan, signed by the patient, countersigned.
    page.goto(f"{base}/plans/{plan.pk}/")
    page.get_by_role("link", name="Prepare consent").click()
    page.locator("#prepare-consent").click()  # leads straight to the signing page
    page.get_by_label("Patient's full name").fill(patient.full_name)
    page.locator('input[name="photo_clinical"]').check()
    _draw_signature(page)
    screenshot("01-consent-signing")
    page.get_by_role("button", name="Sign consent").click()
    page.get_by_role("link", name="Countersign").first.click()
    _draw_signature(page)
    page.get_by_role("button", name="Countersign as").click()
    consent = Consent.objects.get(plan=plan)
    assert consent.status == "signed" and len(consent.text_hash) == 64
    pdf = page.request.get(f"{base}/consents/{consent.pk}/pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    screenshot("02-consent-signed")

    # Book the whole series from the proposals.
    page.goto(f"{base}/plans/{plan.pk}/")
    page.locator("#book-series-link").click()
    screenshot("03-series-proposals")
    page.locator("#book-series").click()
    booked = Appointment.objects.filter(plan=plan, status="booked").count()
    assert booked == plan.sessions_planned
    screenshot("04-series-booked")

    # Chart session 1: day-of re-screen, then the record with a lot number, then sign.
    page.goto(f"{base}/plans/{plan.pk}/")
    page.locator("#chart-session").click()
    page.get_by_role("button", name="Re-screen").wait_for()  # .all() below does not wait
    answers = page.get_by_label("No", exact=True)
    assert answers.count() == len(default_protocol().document.charting.day_of_checklist)
    for radio in answers.all():
        radio.check()
    page.get_by_role("button", name="Re-screen").click()
    page.locator("#continue-charting").click()
    page.locator('input[name="cartridge_lot"]').fill("LOT-2026-A17")
    page.locator('input[name="cartridge_expiry"]').fill((today + timedelta(days=300)).isoformat())
    page.locator('input[name="passes"]').fill("6")
    page.locator('select[name="glide_product"]').select_option("kit_hyaluronic_gel")
    screenshot("05-session-form")
    page.get_by_role("button", name="Save draft").click()
    page.locator("#sign-button").click()
    # The confirm step: what cannot be undone, then the box and the button.
    page.locator("#sign-irreversible").wait_for()  # the click navigates: wait for the page
    page.locator("#id_confirm").check()
    page.locator("#sign-confirm-button").click()
    page.wait_for_url(f"{base}/treatments/session/*/")
    session = SessionRecord.objects.get(plan=plan)
    assert session.status == "signed" and session.cartridge_lot == "LOT-2026-A17"
    screenshot("06-session-signed")

    # The lot lookup finds the patient for a recall.
    page.goto(f"{base}/treatments/lots/?lot=lot-2026-a17")
    assert page.get_by_text(patient.full_name).first.is_visible()

    # A phone call: redness on day 9 → contact the clinic; a clinician resolves it.
    page.goto(f"{base}/treatments/patient/{patient.pk}/symptoms/new/?session={session.pk}")
    page.locator('select[name="symptom"]').select_option("redness")
    page.locator('input[name="severity"][value="mild"]').check()
    page.locator('input[name="days_since_session"]').fill("9")
    page.get_by_role("button", name="Record").click()
    report = SymptomReport.objects.get(session=session)
    assert report.triage_level == "contact_clinic"
    assert page.get_by_text("call the clinic", exact=False).first.is_visible()
    screenshot("07-symptom-triaged")
    page.goto(f"{base}/")
    assert page.get_by_text("Reported symptoms", exact=False).first.is_visible()
    page.goto(f"{base}/treatments/symptoms/{report.pk}/")
    page.locator('textarea[name="resolution_note"]').fill("Called back; settling; review photo.")
    page.get_by_role("button", name="Resolve").click()
    report.refresh_from_db()
    assert report.resolved_at is not None
    screenshot("08-symptom-resolved")

    # Follow-up re-grade with the patient's rating, then the progress chart on the chart.
    page.goto(f"{base}/outcomes/new/{patient.pk}/")
    page.locator('input[name="scar__cheeks__rolling"]').fill("6")
    page.locator('input[name="quant__b_moderate_dish"]').fill("6")
    page.locator('input[name="patient_rating"][value="7"]').check()
    screenshot("09-follow-up-form")
    page.get_by_role("button", name="Record follow-up").click()
    assert FollowUp.objects.filter(patient=patient).count() == 1
    page.goto(f"{base}/patients/{patient.pk}/")
    assert page.locator("svg").first.is_visible()
    screenshot("10-chart-progress")
