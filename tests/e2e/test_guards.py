"""Guard rails in a real browser, with screenshots: the chart's safety banner, a session
depth refused beyond the protocol's absolute limit, and a hard stop's override that waits
for a second clinician's confirmation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from needlechart.accounts.models import Role, User
from needlechart.patients.models import Patient
from needlechart.protocol import depth_limit
from needlechart.screenings.models import Screening
from tests.factories import treatments as t
from tests.factories.plans import DEFER, example_intake, screen_patient

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-1"


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_banner_refused_depth_and_second_clinician(
    live_server: LiveServer,
    browser_page: Page,
    screenshot: Callable[[str], Path],
    clinician: User,
    make_user: Any,
    make_patient: Callable[..., Patient],
    patient: Patient,
) -> None:
    page, base = browser_page, live_server.url
    second = make_user("clin2", Role.CLINICIAN, display_name="Dr Second Opinion")

    # --- the safety banner on the chart: history alerts from the protocol's rules
    history = example_intake()["history"] | {"hsv_history": "yes", "metal_allergy": "yes"}
    screen_patient(patient=patient, by=clinician, fitzpatrick="V", history=history)
    sign_in(page, base, clinician.username)
    page.goto(f"{base}/patients/{patient.pk}/")
    banner = page.get_by_role("region", name="Safety alerts")
    assert banner.is_visible()
    for code in ("hsv_history", "pigment_prone_phototype", "metal_allergy"):
        assert banner.locator(f'[data-alert="{code}"]').is_visible()
    screenshot("01-chart-safety-banner")

    # --- a depth beyond the absolute limit is refused on the session form, reason or not
    treated = make_patient(given_name="Depth", family_name="Limit")
    plan = t.consented_plan(patient=treated, by=clinician)
    record = t.charted_session(plan=plan, by=clinician)
    limit = depth_limit(record.device, "cheeks")
    page.goto(f"{base}/treatments/session/{record.pk}/edit/")
    assert page.get_by_text(limit.describe()).first.is_visible()  # seen before typing
    over = limit.value + 0.01
    page.locator('input[name="depth_cheeks"]').fill(f"{over:.2f}")
    page.locator('input[name="depth_cheeks_reason"]').fill("Very deep boxcar scars")
    page.get_by_role("button", name="Save draft").click()
    error = page.locator("#id_depth_cheeks_error")
    assert error.is_visible()
    assert limit.refusal(over) in error.inner_text()
    error.scroll_into_view_if_needed()
    screenshot("02-session-depth-refused")
    record.refresh_from_db()
    assert record.depths["cheeks"] != over

    # --- a hard stop (pregnancy): the override waits for a second clinician
    pregnant = make_patient(given_name="Hard", family_name="Stop", sex="female")
    screening = screen_patient(patient=pregnant, by=clinician, example=DEFER)
    page.goto(f"{base}/screenings/{screening.pk}/")
    assert page.locator("#override-needs-second").is_visible()
    page.get_by_label("Verdict to record instead").select_option("proceed")
    page.get_by_label("Reason for the override").fill("Pregnancy test negative this morning.")
    page.get_by_role("button", name="Record override").click()
    page.wait_for_url(f"{base}/screenings/{screening.pk}/")
    assert page.locator("#override-pending").is_visible()
    assert page.locator("#create-plan").count() == 0  # the engine's deferral still applies
    screenshot("03-override-awaiting-second-clinician")

    sign_in(page, base, second.username)
    pending = page.locator("#pending-confirmations")
    assert pending.get_by_text(pregnant.full_name).is_visible()
    screenshot("04-dashboard-pending-confirmation")
    pending.get_by_role("link", name=pregnant.full_name).click()
    page.wait_for_url(f"{base}/screenings/{screening.pk}/override/confirm/")
    assert page.locator("#confirm-hard-stops").is_visible()
    screenshot("05-confirm-page")
    page.locator("#id_confirm").check()
    page.locator("#confirm-submit").click()
    page.wait_for_url(f"{base}/screenings/{screening.pk}/")
    assert page.locator("#override-pending").count() == 0
    assert page.locator("#create-plan").is_visible()
    screenshot("06-override-confirmed")
    screening = Screening.objects.select_related("override").get(pk=screening.pk)
    assert screening.effective_verdict == "proceed"
    assert screening.override.confirmed_by == second
