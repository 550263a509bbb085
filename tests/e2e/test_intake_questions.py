"""The consultation form's newer questions in a real browser: implants, earlier reactions and
products for the open skin, through to the screening they produce."""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from needlechart.accounts.models import User
from needlechart.consultations.models import Consultation
from needlechart.consultations.services import consultation_start
from needlechart.patients.models import Patient
from needlechart.screenings.models import Screening

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_rf_with_a_pacemaker_and_an_unnamed_serum(
    live_server: "LiveServer",
    browser_page: "Page",
    screenshot: Callable[[str], Path],
    clinician: User,
    patient: Patient,
) -> None:
    consultation = consultation_start(patient=patient, by=clinician)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("clin")
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/consultations/{consultation.pk}/")
    device = page.get_by_role("group", name="Pacemaker or other implanted electronic device")
    assert device.get_by_label("Unknown / not asked yet").is_checked()  # never a silent "no"
    page.locator('select[name="device"]').select_option("rf_microneedling")
    page.locator('input[name="zones"][value="cheeks"]').check()
    device.get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Metal implants in or under the treatment area").get_by_label(
        "No", exact=True
    ).check()
    products = page.get_by_role("group", name="Products to be applied to the open skin")
    products.get_by_label("Sterile hyaluronic acid / hydrogel from the device kit").check()
    products.get_by_label("Other (not listed by the protocol for needled skin)").check()
    page.get_by_role("button", name="Complete consultation").click()

    # "Other" without a name: the error sits beside the field, nothing is screened.
    error = page.locator("#id_other_products_error")
    error.wait_for()
    assert "Name each product" in error.inner_text()
    assert not Screening.objects.exists()
    page.locator("#section-products").scroll_into_view_if_needed()
    screenshot("1-products-need-a-name")

    page.get_by_label("Other products (names)").fill("Vitamin C serum")
    page.get_by_role("button", name="Complete consultation").click()
    page.wait_for_url(f"{live_server.url}/screenings/*/")
    assert page.locator("#engine-verdict").inner_text().lower().startswith("refer")
    finding = page.get_by_role(
        "heading", name="RF microneedling with an implanted electronic device"
    )
    assert finding.is_visible()
    # A hard stop: a clinician's override needs a second clinician's confirmation.
    assert page.locator("#override-needs-second").is_visible()
    assert page.get_by_text("other_products = Vitamin C serum").is_visible()
    screenshot("2-screening")
    stored = Consultation.objects.get().intake
    assert stored["history"]["implanted_electronic_device"] == "yes"
    assert stored["products_to_apply"] == ["kit_hyaluronic_gel", "other"]
    assert Screening.objects.get().verdict == "refer_to_physician"
