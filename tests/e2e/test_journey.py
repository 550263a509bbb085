"""The clinic's main journey in a real browser, with screenshots of each step:
sign in → register patient → consultation → screening with a contraindication →
clinician override with reason → assessment → plan adjusted and approved."""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.screenings.models import Screening

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_ANSWERS = [
    "pregnant",
    "breastfeeding",
    "history__skin_infection_in_area",
    "history__open_wound_in_area",
    "history__active_cold_sore",
    "history__hsv_history",
    "history__keloid_tendency",
    "history__vitiligo",
    "history__bleeding_disorder",
    "history__immunosuppression",
    "history__radiotherapy_to_area",
    "history__skin_cancer_in_area",
    "history__collagen_vascular_disease",
    "history__pih_history",
    "history__metal_allergy",
    "history__topical_anaesthetic_allergy",
    "history__implanted_electronic_device",
    "history__metal_implants_in_area",
    "history__previous_microneedling_reaction",
    "medications__immunosuppressants",
    "medications__antiviral_prophylaxis",
    "active_acne__present",
]


def _radio(page: "Page", name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def test_consultation_to_approved_plan(
    live_server: "LiveServer",
    browser_page: "Page",
    screenshot: Callable[[str], Path],
    clinician: User,
) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("clin")
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    screenshot("01-dashboard")

    # Register the patient.
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("Given name").fill("Maya")
    page.get_by_label("Family name").fill("Fernandes")
    page.get_by_label("Date of birth").fill("1994-05-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone").fill("07700 900777")
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Maya Fernandes").wait_for()
    patient = Patient.objects.get(family_name="Fernandes")
    screenshot("02-chart")

    # Consultation: every safety question answered, one contraindication (a blood thinner).
    page.get_by_role("link", name="Start a consultation").click()
    page.get_by_role("button", name="Start consultation").click()
    page.locator('input[name="pregnant"]').first.wait_for()
    for name in NO_ANSWERS:
        _radio(page, name, "no")
    _radio(page, "medications__anticoagulants", "yes")
    page.locator('textarea[name="medications__other"]').fill("apixaban 5 mg twice daily")
    page.locator('select[name="fitzpatrick"]').select_option("IV")
    page.locator('input[name="concerns"][value="acne_scars"]').check()
    page.locator('input[name="zones"][value="cheeks"]').check()
    page.locator('input[name="zones"][value="neck"]').check()
    page.locator('input[name="products_to_apply"][value="kit_hyaluronic_gel"]').check()
    for group in ("eczema", "psoriasis", "rosacea", "lichen_planus"):
        page.locator(f'[name="history__dermatoses__{group}"]').first.evaluate(
            "(el) => { if (el.tagName === 'SELECT') { el.value = 'none'; }"
            " else { document.querySelector('input[name=\"' + el.name + '\"][value=\"none\"]')"
            ".checked = true; } }"
        )
    diabetes = page.locator('[name="history__diabetes"]').first
    if diabetes.evaluate("(el) => el.tagName") == "SELECT":
        diabetes.select_option("none")
    else:
        _radio(page, "history__diabetes", "none")
    for exposure in (
        "medications__isotretinoin",
        "medications__topical_retinoids",
        "sun_exposure",
        "procedures__chemical_peel",
        "procedures__laser",
        "procedures__filler",
        "procedures__botulinum_toxin",
    ):
        status = page.locator(f'[name="{exposure}__status"]').first
        if status.evaluate("(el) => el.tagName") == "SELECT":
            status.select_option("no")
        else:
            _radio(page, f"{exposure}__status", "no")
    page.locator('input[name="scars__counts__rolling"]').fill("14")
    page.locator('input[name="scars__counts__ice_pick"]').fill("5")
    _radio(page, "scars__flatten_on_stretch", "yes")
    _radio(page, "scars__visible_at_social_distance", "yes")
    screenshot("03-consultation")
    page.get_by_role("button", name="Complete consultation").click()

    # Screening: referred to a physician because of the anticoagulant.
    page.wait_for_url(f"{live_server.url}/screenings/*/")
    screening = Screening.objects.get(patient=patient)
    assert screening.verdict == "refer_to_physician"
    assert page.locator("#engine-verdict").inner_text().lower().startswith("refer")
    assert page.get_by_text("anticoagulant", exact=False).first.is_visible()
    screenshot("04-screening")

    # The clinician overrides, with a reason; the original verdict stays beside it.
    page.locator('select[name="verdict"]').select_option("proceed_with_precautions")
    page.locator('textarea[name="reason"]').fill(
        "Discussed with the haematologist: low-bleeding-risk regimen, proceed with pressure."
    )
    page.get_by_role("button", name="Record override").click()
    page.locator("#override-verdict").wait_for()
    assert page.locator("#engine-verdict").is_visible()
    screenshot("05-override")

    # Assessment.
    page.get_by_role("link", name="Record assessment").click()
    page.locator('input[name="scar__cheeks__rolling"]').fill("14")
    page.locator('input[name="scar__cheeks__ice_pick"]').fill("5")
    page.locator('select[name="visible_at_social_distance"]').or_(
        page.locator('input[name="visible_at_social_distance"][value="yes"]')
    ).first.evaluate(
        "(el) => { if (el.tagName === 'SELECT') el.value = 'yes'; else el.checked = true; }"
    )
    page.locator('select[name="flatten_on_stretch"]').or_(
        page.locator('input[name="flatten_on_stretch"][value="no"]')
    ).first.evaluate(
        "(el) => { if (el.tagName === 'SELECT') el.value = 'no'; else el.checked = true; }"
    )
    page.locator('input[name="quant__b_moderate_dish"]').fill("14")
    page.locator('input[name="quant__c_punched_deep_abnormal"]').fill("5")
    page.get_by_role("button", name="Suggest grade").click()
    page.locator('[name="qualitative_grade"]').first.wait_for()
    grade = page.locator('[name="qualitative_grade"]').first
    if grade.evaluate("(el) => el.tagName") == "SELECT":
        grade.select_option("4")
    else:
        page.locator('input[name="qualitative_grade"][value="4"]').check()
    screenshot("06-assessment-form")
    page.get_by_role("button", name="Record assessment").click()
    page.wait_for_url(f"{live_server.url}/assessments/*/")
    assert page.get_by_text("UNVERIFIED", exact=False).first.is_visible()
    screenshot("07-assessment")

    # Plan from the overridden screening.
    page.goto(f"{live_server.url}/screenings/{screening.pk}/")
    page.locator("#create-plan").click()
    page.get_by_role("button", name="Create draft plan").click()
    page.wait_for_url(f"{live_server.url}/plans/*/")
    plan = TreatmentPlan.objects.get(patient=patient)
    screenshot("08-plan-draft")
    page.get_by_role("link", name="Adjust values").click()
    page.locator('input[name="start_date"]').fill("2027-01-11")
    page.locator('input[name="depth_cheeks"]').fill("2.5")  # deeper than the protocol's range
    page.locator('input[name="depth_neck"]').fill("0.5")  # no sourced range: clinician-set
    page.get_by_role("button", name="Save values").click()
    page.locator("#id_depth_cheeks_reason_error, .field__error").first.wait_for()
    screenshot("09-plan-deviation-needs-reason")
    page.locator(
        'textarea[name="depth_cheeks_reason"], input[name="depth_cheeks_reason"]'
    ).first.fill("Deep boxcar scars on thick cheek skin; trial used 2.5 mm.")
    page.get_by_role("button", name="Save values").click()
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/")
    # A plan with deviations: the confirm step lists them before approval.
    page.locator("#approve-button").click()
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/approve/")
    assert page.locator("#deviation-list").get_by_text("Deep boxcar scars").is_visible()
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Approve plan").click()
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert any(d["field"] == "depth_cheeks" for d in plan.deviations)
    screenshot("10-plan-approved")

    # The chart's timeline tells the whole story.
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    timeline = page.locator("#course-timeline")
    assert timeline.get_by_text("approved", exact=False).first.is_visible()
    screenshot("11-chart-timeline")
