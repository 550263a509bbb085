"""Browser smoke test: front desk signs in, registers a patient, sees the chart."""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from needlechart.accounts.models import User
from needlechart.patients.models import Patient

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_front_desk_registers_a_patient(
    live_server: "LiveServer",
    browser_page: "Page",
    screenshot: Callable[[str], Path],
    front_desk: User,
) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill("test-password-1")
    screenshot("1-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Test Front Desk" in page.content()
    screenshot("2-dashboard")

    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Given name").fill("Grace")
    page.get_by_label("Family name").fill("Hopper")
    page.get_by_label("Date of birth").fill("1996-12-09")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone").fill("07700 900555")
    page.get_by_label("Preferred contact").select_option("phone")
    screenshot("3-register-form")
    page.get_by_role("button", name="Register").click()

    page.get_by_role("heading", name="Grace Hopper").wait_for()
    patient = Patient.objects.get(family_name="Hopper")
    assert page.url == f"{live_server.url}/patients/{patient.pk}/"
    assert page.get_by_text("Grace Hopper is registered.").is_visible()
    assert page.locator("#course-timeline").get_by_text("Registered at the clinic").is_visible()
    assert page.locator("#clinical-sections").count() == 0
    screenshot("4-chart")

    # Live search (htmx) finds the new patient from the list page.
    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Search patients").fill("hopp")
    page.locator("#patient-results").get_by_role("link", name="Hopper, Grace").wait_for()
    screenshot("5-search")
