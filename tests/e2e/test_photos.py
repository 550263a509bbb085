"""Photos and documents in a real browser, with screenshots: upload baseline photos → upload
a follow-up photo guided by the previous one → compare the two visits → download the
progress report."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.imaging.models import Photo
from needlechart.patients.models import Patient
from tests.factories.imaging import give_photo_consent, use_temp_photo_storage

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _photo_file(tmp_path: Path, name: str, red: int) -> str:
    from io import BytesIO

    from PIL import Image

    path = tmp_path / name
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (red, 120, 110)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_baseline_follow_up_compare_report(
    live_server: "LiveServer",
    browser_page: "Page",
    screenshot: Callable[[str], Path],
    clinician: User,
    patient: Patient,
    settings: Any,
    tmp_path: Path,
) -> None:
    use_temp_photo_storage(settings, tmp_path)
    give_photo_consent(patient=patient, by=clinician, clinical=True)
    today = timezone.localdate()
    page = browser_page
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("clin")
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # Baseline: two views in one batch, dated a month ago.
    page.goto(f"{base}/imaging/patient/{patient.pk}/upload/")
    page.locator('input[name="photos"]').set_input_files([_photo_file(tmp_path, "front.jpg", 200)])
    page.locator('select[name="visit_kind"]').select_option("consultation")
    page.locator('input[name="taken_on"]').fill((today - timedelta(days=30)).isoformat())
    page.locator('select[name="view"]').select_option("front")
    page.locator('input[name="lighting_notes"], textarea[name="lighting_notes"]').first.fill(
        "Ring light, 50 cm"
    )
    screenshot("01-upload-baseline")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("saved", exact=False).first.wait_for()
    assert Photo.objects.filter(patient=patient).count() == 1

    # Follow-up: the capture page shows the previous front photo as a guide.
    page.goto(f"{base}/imaging/patient/{patient.pk}/capture/?view=front")
    guide = page.locator('img[src*="/imaging/"]')
    assert guide.count() >= 1  # the previous front photo, as a faint overlay / beside the input
    screenshot("02-capture-with-overlay")
    page.locator('input[name="photos"]').set_input_files(
        [_photo_file(tmp_path, "front-after.jpg", 170)]
    )
    page.locator('select[name="visit_kind"]').select_option("other")
    page.locator('input[name="taken_on"]').fill(today.isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert Photo.objects.filter(patient=patient).count() == 2

    # Compare the two visits side by side (and with the slider).
    page.goto(f"{base}/imaging/patient/{patient.pk}/compare/")
    assert page.locator('input[type="range"]').count() >= 1
    screenshot("03-compare")

    # Download the progress report.
    report = page.request.get(f"{base}/documents/patient/{patient.pk}/progress.pdf")
    assert report.ok and report.body().startswith(b"%PDF")
    assert report.headers["content-type"] == "application/pdf"
