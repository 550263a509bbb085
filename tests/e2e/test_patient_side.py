"""The patient side in a real browser, with screenshots: public pre-screen → consultation
request → front desk converts it → the patient signs in through the link in the e-mail →
day-1 check-in that needs the clinic → a clinician reviews it."""

import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.portal.models import CheckIn
from needlechart.prescreen.models import Lead
from tests.factories.treatments import charted_session, consented_plan

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _until[T](read: Callable[[], T | None], what: str, timeout: float = 20) -> T:
    """Poll the database (or the outbox) until `read` returns something: the browser's
    click returns before the live server has finished the request."""
    deadline = time.monotonic() + timeout
    while (found := read()) is None or found is False:
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


def _sign_in(page: "Page", base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_prescreen_to_reviewed_check_in(
    settings: Any,
    live_server: "LiveServer",
    browser_page: "Page",
    screenshot: Callable[[str], Path],
    front_desk: User,
    clinician: User,
) -> None:
    page = browser_page
    base = live_server.url
    # The anti-bot minimum fill time is tested on its own (test_too_fast_is_treated_as_a_bot);
    # here it would only make the browser wait.
    settings.PRESCREEN_MIN_FILL_SECONDS = 0

    # 1. A prospective patient answers the public questionnaire (no sign-in).
    page.goto(f"{base}/prescreen/")
    page.locator('input[name="age"]').fill("29")
    page.locator('input[name="concerns"]').first.check()
    page.locator('input[name="zones"][value="cheeks"]').check()
    screenshot("01-prescreen")
    page.get_by_role("button", name="See my result").click()
    page.get_by_role("button", name="Ask for a consultation").wait_for()
    screenshot("02-prescreen-result")

    # 2. They ask for a consultation.
    page.locator('input[name="name"]').fill("Nadia Perera")
    page.locator('input[name="email"]').fill("nadia@example.org")
    page.locator('input[name="phone"]').fill("07700 900321")
    page.locator('[name="preferred_times"]').fill("Weekday mornings")
    page.locator('input[name="consent"]').check()
    page.get_by_role("button", name="Ask for a consultation").click()
    page.wait_for_url(f"{base}/prescreen/thanks/")
    lead = _until(
        lambda: Lead.objects.filter(email="nadia@example.org").first(), "the request's row"
    )
    screenshot("03-request-sent")

    # 3. Front desk converts the request into a patient.
    _sign_in(page, base, "desk")
    page.goto(f"{base}/prescreen/leads/{lead.pk}/")
    screenshot("04-lead")
    page.get_by_role("link", name="Convert to patient").click()
    page.locator('input[name="given_name"]').fill("Nadia")
    page.locator('input[name="family_name"]').fill("Perera")
    page.locator('input[name="date_of_birth"]').fill("1997-04-02")
    page.get_by_role("button", name="Convert").click()
    patient = _until(
        lambda: Patient.objects.filter(family_name="Perera").first(), "the converted patient"
    )
    lead.refresh_from_db()
    assert lead.converted_patient_id == patient.pk

    # Her course so far (built by the services): a signed session yesterday.
    plan = consented_plan(patient=patient, by=clinician)
    yesterday = timezone.localdate() - timedelta(days=1)
    session = charted_session(plan=plan, by=clinician, sign=True, today=yesterday)

    # 4. Front desk invites her to the portal; she opens the link from the e-mail.
    page.goto(f"{base}/patients/{patient.pk}/")
    mail.outbox.clear()
    page.locator("#portal-invite").click()
    _until(lambda: len(mail.outbox) == 1, "the invitation e-mail")
    assert mail.outbox[0].to == ["nadia@example.org"]
    link = re.search(r"https?://\S+/portal/enter/\S+/", str(mail.outbox[0].body))
    assert link is not None
    path = link.group(0).split("/portal/", 1)[1]

    browser = page.context.browser
    assert browser is not None
    patient_page = browser.new_context().new_page()  # her own browser
    patient_page.goto(f"{base}/portal/{path}")
    patient_page.locator("#enter-button").click()
    patient_page.get_by_role("link", name="Day 1 check-in").wait_for()
    patient_page.screenshot(path=str(screenshot("05-portal-home").parent / "portal-home.png"))

    # 5. Day-1 check-in: pus from a needle mark → contact the clinic.
    patient_page.get_by_role("link", name="Day 1 check-in").click()
    patient_page.locator('input[name="pus_drainage_present"]').check()
    patient_page.locator('select[name="pus_drainage_severity"]').select_option("mild")
    patient_page.get_by_role("button", name="Send check-in").click()
    patient_page.wait_for_url(re.compile(r".*/portal/check-ins/\d+/$"))
    patient_page.screenshot(
        path=str(screenshot("06-check-in-result").parent / "portal-check-in.png")
    )
    check_in = CheckIn.objects.get(session=session, day=1)
    assert check_in.needs_review
    assert patient_page.get_by_text("clinic", exact=False).first.is_visible()

    # Her aftercare in plain words: call us if, signs to watch, then day by day (today marked).
    patient_page.get_by_role("link", name="My aftercare").click()
    patient_page.get_by_role("heading", name="Signs to watch, and what to do").wait_for()
    assert patient_page.locator("#red-flags .red-flag--urgent").count() >= 1
    assert patient_page.locator(".aftercare-day--today").count() == 1
    assert "[S" not in patient_page.content() and "UNVERIFIED" not in patient_page.content()
    patient_page.screenshot(
        path=str(screenshot("06b-portal-aftercare").parent / "portal-aftercare.png"),
        full_page=True,
    )
    patient_page.context.close()

    # 6. A clinician (at her own desk) sees it on the dashboard and reviews it.
    page.context.clear_cookies()
    _sign_in(page, base, "clin")
    assert page.get_by_text("Check-ins needing review", exact=False).first.is_visible()
    page.goto(f"{base}/portal/staff/check-ins/{check_in.pk}/")
    page.locator('textarea[name="note"]').fill("Called her: swab taken, review tomorrow.")
    page.get_by_role("button", name="Mark as reviewed").click()
    _until(
        lambda: CheckIn.objects.filter(pk=check_in.pk, reviewed_at__isnull=False).exists(),
        "the review",
    )
    screenshot("07-check-in-reviewed")
