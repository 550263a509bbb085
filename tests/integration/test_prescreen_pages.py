"""The public pre-screen pages and the staff side of its requests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.patients.models import Patient
from needlechart.prescreen.antispam import make_token
from needlechart.prescreen.models import Lead, LeadStatus
from needlechart.prescreen.questionnaire import DERMATOSES, PROCEDURES, YES_NO_PATHS
from needlechart.scheduling.models import Appointment
from needlechart.scheduling.selectors import clinic_tz

pytestmark = pytest.mark.django_db

START = "/prescreen/"
REQUEST = "/prescreen/request/"
IP = "198.51.100.23"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def all_clear(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "age": "30",
        "sex": "female",
        "zones": ["cheeks", "forehead"],
        "concerns": ["acne_scars"],
        "skin_type": "III",
        "spots": "none",
        "raised_scars": "no",
        "isotretinoin": "never",
        "retinoids": "no",
        "sun": "no",
        "diabetes": "none",
        "other": "Scars since my teens.",
    }
    answers.update({k: "no" for k in YES_NO_PATHS if k != "guardian"})
    answers.update({k: "none" for k in DERMATOSES})
    answers.update({k: "no" for k in PROCEDURES})
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def stored_answers(**changes: Any) -> dict[str, Any]:
    """What the questionnaire form hands on (age as a number)."""
    answers = all_clear(**changes)
    answers["age"] = int(answers["age"])
    return answers


def request_data(answers: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    # Rendered a minute ago: a person, not a bot.
    token = make_token(answers or stored_answers(), now=time.time() - 60)
    data = {
        "name": "Jamie Rivera",
        "email": "jamie@example.org",
        "phone": "07700 900456",
        "preferred_times": "Weekday evenings",
        "consent": "on",
        "token": token,
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- public questionnaire


def test_public_page_needs_no_sign_in_and_shows_no_staff_nav(client: Client) -> None:
    response = client.get(START)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-nav"' not in html
    assert "Sign out" not in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert "I&#x27;m not sure" in html or "I'm not sure" in html
    assert "Fitzpatrick scale" in html  # explained, never shown alone
    assert "always burns in the sun, never tans" in html


def test_all_clear_answers_are_likely_suitable(client: Client) -> None:
    response = client.post(START, all_clear())
    html = response.content.decode()
    assert response.status_code == 200
    assert "likely suitable for you — a clinician will confirm" in html
    assert "not a diagnosis" in html
    assert 'action="/prescreen/request/"' in html
    assert not Lead.objects.exists()  # nothing kept until a consultation is requested


def test_recent_isotretinoin_needs_waiting_with_a_date(client: Client) -> None:
    month = f"{timezone.localdate() - timedelta(days=40):%Y-%m}"
    html = client.post(
        START, all_clear(isotretinoin="stopped", isotretinoin_month=month)
    ).content.decode()
    assert "Some things need checking or waiting for first" in html
    assert 'id="rescreen-date"' in html
    assert "6 months" in html  # the protocol's own figure
    assert "likely suitable" not in html


def test_blood_thinner_says_see_a_doctor(client: Client) -> None:
    html = client.post(START, all_clear(blood_thinners="yes")).content.decode()
    assert "Please see a doctor first" in html
    assert "never stop a prescribed medicine" in html


def test_unsure_answers_become_questions_not_likely_suitable(client: Client) -> None:
    html = client.post(
        START, all_clear(cold_sores_ever="unsure", blood_thinners="unsure")
    ).content.decode()
    assert "Things the clinic will ask you about" in html
    assert "Whether you have ever had cold sores" in html
    assert "Whether you take a blood thinner" in html
    assert "likely suitable" not in html


def test_new_questions_are_on_the_page_each_with_not_sure(client: Client) -> None:
    response = client.get(START)
    form = response.context["form"]
    for key in ("implanted_device", "metal_implants", "earlier_reaction", "own_product"):
        assert ("unsure", "I'm not sure") in form.fields[key].choices, key
    html = response.content.decode()
    assert "pacemaker" in html and "metal implants" in html
    assert "bad reaction to microneedling" in html
    assert 'name="own_product_name"' in html


def test_new_answers_are_explained_kindly(client: Client) -> None:
    html = client.post(
        START,
        all_clear(earlier_reaction="yes", own_product="yes", own_product_name="Vitamin C serum"),
    ).content.decode()
    assert "Please see a doctor first" in html
    assert "reaction to microneedling, or to a product used during it, before" in html
    assert "product of your own" in html
    # No staff words: no rule codes, no "unsourced" notes, no "RF".
    for staff in ("unlisted_product_to_apply", "UNSOURCED", "granulomatous"):
        assert staff not in html


def test_not_sure_about_a_pacemaker_is_asked_back(client: Client) -> None:
    html = client.post(START, all_clear(implanted_device="unsure")).content.decode()
    assert "Things the clinic will ask you about" in html
    assert "Whether you have a pacemaker or another implanted electronic device" in html
    # The products are the clinic's choice: never asked back to the person.
    assert "Which products" not in html


def test_a_product_name_without_yes_is_an_error(client: Client) -> None:
    response = client.post(START, all_clear(own_product="no", own_product_name="Serum"))
    assert response.status_code == 200
    assert "own_product_name" in response.context["form"].errors


def test_missing_required_answers_show_errors(client: Client) -> None:
    response = client.post(START, all_clear(age="", zones=[]))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"age", "zones"}


def test_change_my_answers_refills_the_questionnaire(client: Client) -> None:
    token = make_token(stored_answers(blood_thinners="yes"))
    response = client.post(START, {"edit_token": token})
    form = response.context["form"]
    assert form.initial["blood_thinners"] == "yes"
    assert not form.is_bound


# ---------------------------------------------------------------- consultation request


def test_request_saves_a_lead_with_answers_and_screening(client: Client) -> None:
    response = client.post(REQUEST, request_data(), REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert response["Location"] == reverse("prescreen:thanks")
    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.phone) == (
        "Jamie Rivera",
        "jamie@example.org",
        "07700 900456",
    )
    assert lead.status == LeadStatus.NEW
    assert lead.answers["blood_thinners"] == "no"
    # Everything the person can answer is clear; only the clinic's own choice of products for
    # the open skin is still open, so the engine never says plain "proceed".
    assert lead.verdict == "proceed_with_precautions"
    assert lead.screening["verdict"] == "proceed_with_precautions"
    assert [(f["code"], f["unanswered"]) for f in lead.screening["findings"]] == [
        ("unlisted_product_to_apply", True)
    ]
    assert lead.protocol_version and lead.protocol_hash
    assert lead.consent_to_contact
    assert len(lead.ip_hash) == 64 and IP not in lead.ip_hash
    event = AuditEvent.objects.get(action="lead.create")
    assert event.ip is None and event.actor_id is None

    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks
    for private in ("Jamie", "jamie@example.org", "07700 900456", "Weekday"):
        assert private not in thanks


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "", "phone": ""}, "e-mail address or a phone number"),
        ({"email": "not-an-email", "phone": ""}, "valid email"),
        ({"phone": "call me maybe", "email": ""}, "phone number of 7 to 15 digits"),
        ({"consent": None}, "Please tick the box"),
        ({"name": "   "}, "name"),
    ],
)
def test_request_validation(client: Client, changes: dict[str, Any], message: str) -> None:
    response = client.post(REQUEST, request_data(**changes))
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert not Lead.objects.exists()


def test_only_phone_or_only_email_is_enough(client: Client) -> None:
    client.post(REQUEST, request_data(email=""))
    client.post(REQUEST, request_data(phone=""))
    assert Lead.objects.count() == 2


def test_honeypot_pretends_success_and_saves_nothing(client: Client) -> None:
    response = client.post(REQUEST, request_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("prescreen:thanks")
    assert not Lead.objects.exists()


def test_too_fast_is_treated_as_a_bot(client: Client) -> None:
    data = request_data(token=make_token(stored_answers()))  # rendered just now
    response = client.post(REQUEST, data)
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_rate_limit_per_ip(client: Client, settings: Any) -> None:
    settings.PRESCREEN_RATE_LIMIT = 5
    for _ in range(5):
        assert client.post(REQUEST, request_data(), REMOTE_ADDR=IP).status_code == 302
    response = client.post(REQUEST, request_data(), REMOTE_ADDR=IP)
    assert response.status_code == 429
    assert "try again" in response.content.decode()
    assert Lead.objects.count() == 5
    # Another address is not affected.
    assert client.post(REQUEST, request_data(), REMOTE_ADDR="198.51.100.99").status_code == 302


def test_bots_count_towards_the_rate_limit(client: Client, settings: Any) -> None:
    settings.PRESCREEN_RATE_LIMIT = 2
    for _ in range(2):
        client.post(REQUEST, request_data(website="x"), REMOTE_ADDR=IP)
    assert client.post(REQUEST, request_data(), REMOTE_ADDR=IP).status_code == 429


def test_tampered_or_missing_token_starts_again(client: Client) -> None:
    data = request_data()
    data["token"] = data["token"][:-3] + "abc"
    response = client.post(REQUEST, data)
    assert response.status_code == 400
    assert "answer the questions again" in response.content.decode()
    assert client.post(REQUEST, request_data(token=None)).status_code == 400
    assert not Lead.objects.exists()


def test_csrf_stays_on(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(START, all_clear()).status_code == 403
    assert strict.post(REQUEST, request_data()).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"age": "abc", "zones": "cheeks"},
        {"age": "-5", "zones": ["x" * 5000]},
        {"age": "99999999999999999999", "sun_date": "2020-02-30", "isotretinoin_month": "1/0"},
        {"age": "30", "zones": ["cheeks"], "concerns": ["<script>"], "spots": ["a", "b"]},
        {"edit_token": "garbage"},
        {"edit_token": ""},
        {"age": "30", "zones": ["cheeks"], "other": "x" * 100_000},
    ],
)
def test_garbage_questionnaire_posts_never_500(client: Client, data: dict[str, Any]) -> None:
    assert client.post(START, data).status_code < 500


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"token": "garbage"},
        {"token": "x" * 50_000, "name": "a"},
        {"token": make_token({"age": "old"}, now=0), "name": "a", "email": "a@b.co"},
        {"token": make_token({"zones": []}, now=0), "name": "a", "email": "a@b.co"},
        {"token": make_token({"age": 30, "zones": ["moon"]}, now=0), "email": "a@b.co"},
    ],
)
def test_garbage_request_posts_never_500(client: Client, data: dict[str, Any]) -> None:
    assert client.post(REQUEST, data).status_code < 500
    assert not Lead.objects.exists()


def test_request_page_refuses_get(client: Client) -> None:
    assert client.get(REQUEST).status_code == 405


def test_sign_in_page_links_to_the_prescreen(client: Client) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Take the pre-screen" in html and 'href="/prescreen/"' in html


# ---------------------------------------------------------------- staff side


@pytest.fixture
def lead(client: Client) -> Lead:
    answers = stored_answers(cold_sores_ever="yes", blood_thinners="unsure", spots="few")
    client.post(REQUEST, request_data(answers), REMOTE_ADDR=IP)
    return Lead.objects.get()


@pytest.mark.parametrize(
    "name", ["prescreen:leads", "prescreen:lead_detail", "prescreen:lead_convert"]
)
def test_anonymous_cannot_reach_staff_pages(client: Client, lead: Lead, name: str) -> None:
    url = reverse(name) if name == "prescreen:leads" else reverse(name, args=[lead.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert (
        client.post(reverse("prescreen:lead_start_consultation", args=[lead.pk])).status_code == 302
    )


def test_lead_list_for_staff(front_desk_client: Client, lead: Lead) -> None:
    response = front_desk_client.get(reverse("prescreen:leads"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jamie Rivera" in html
    assert "Engine verdict" not in html  # clinical, not for the front desk
    assert (
        "Jamie Rivera"
        not in front_desk_client.get(reverse("prescreen:leads") + "?status=closed").content.decode()
    )
    assert (
        front_desk_client.get(reverse("prescreen:leads") + "?status=bogus&page=x").status_code
        == 200
    )


def test_lead_list_query_count_does_not_grow(clinician_client: Client, client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert clinician_client.get(reverse("prescreen:leads")).status_code == 200
        return len(ctx)

    client.post(REQUEST, request_data(), REMOTE_ADDR="10.0.0.1")
    few = count()
    for n in range(2, 6):
        client.post(REQUEST, request_data(), REMOTE_ADDR=f"10.0.0.{n}")
    assert count() == few


def test_front_desk_sees_contact_not_clinical_findings(
    front_desk_client: Client, lead: Lead
) -> None:
    html = front_desk_client.get(reverse("prescreen:lead_detail", args=[lead.pk])).content.decode()
    assert "Jamie Rivera" in html and "07700 900456" in html and "Weekday evenings" in html
    assert 'id="lead-clinical"' not in html
    assert 'id="lead-clinical-hidden"' in html
    for clinical in ("Engine verdict", "cold sores", "blood thinner", "Findings", "proceed"):
        assert clinical not in html


@pytest.mark.parametrize("fixture", ["clinician_client", "aesthetician_client"])
def test_clinical_roles_see_verdict_and_answers(
    request: pytest.FixtureRequest, fixture: str, lead: Lead
) -> None:
    client: Client = request.getfixturevalue(fixture)
    html = client.get(reverse("prescreen:lead_detail", args=[lead.pk])).content.decode()
    assert 'id="lead-clinical"' in html
    assert 'id="lead-verdict"' in html
    assert "Have you ever had cold sores?" in html
    assert "Whether you take a blood thinner" in html  # still to ask


def test_viewing_a_lead_is_audited(front_desk_client: Client, front_desk: User, lead: Lead) -> None:
    front_desk_client.get(reverse("prescreen:lead_detail", args=[lead.pk]))
    event = AuditEvent.objects.get(action="lead.view")
    assert event.actor_id == front_desk.pk and event.object_id == str(lead.pk)


def test_bad_lead_ids_are_404(front_desk_client: Client) -> None:
    for path in ("/prescreen/leads/999999/", "/prescreen/leads/99999999999999999999999/"):
        assert front_desk_client.get(path).status_code == 404


def test_status_update(front_desk_client: Client, lead: Lead) -> None:
    url = reverse("prescreen:lead_status", args=[lead.pk])
    response = front_desk_client.post(
        url, {"status": "contacted", "staff_notes": "Left a voicemail"}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.staff_notes == "Left a voicemail"
    # "converted" is set by converting only.
    front_desk_client.post(url, {"status": "converted"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert (
        front_desk_client.post(url, {"status": ["x", "y"], "staff_notes": "z" * 9999}).status_code
        < 500
    )


def _tomorrow_at_ten() -> tuple[str, str]:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:  # the seeded opening hours: weekdays all day
        day += timedelta(days=1)
    return day.isoformat(), "10:00"


def test_front_desk_converts_then_clinician_starts_the_consultation(
    front_desk_client: Client, clinician_client: Client, clinician: User, lead: Lead
) -> None:
    day, at = _tomorrow_at_ten()
    response = front_desk_client.post(
        reverse("prescreen:lead_convert", args=[lead.pk]),
        {
            "given_name": "Jamie",
            "family_name": "Rivera",
            "date_of_birth": "1995-06-01",
            "sex": "female",
            "phone": "07700 900456",
            "email": "jamie@example.org",
            "preferred_contact": "phone",
            "appointment_date": day,
            "appointment_time": at,
            "practitioner": str(clinician.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    patient = lead.converted_patient
    assert patient is not None and patient.full_name == "Jamie Rivera"
    appointment = Appointment.objects.get(patient=patient)
    assert lead.converted_appointment == appointment
    assert timezone.localtime(appointment.starts_at, clinic_tz()).hour == 10
    assert lead.converted_consultation is None  # front desk cannot record clinical data
    assert not Consultation.objects.exists()
    assert AuditEvent.objects.filter(action="lead.convert", patient_id=patient.pk).exists()

    detail = clinician_client.get(reverse("prescreen:lead_detail", args=[lead.pk])).content.decode()
    assert "Start consultation from this request" in detail
    response = clinician_client.post(reverse("prescreen:lead_start_consultation", args=[lead.pk]))
    consultation = Consultation.objects.get(patient=patient)
    assert response["Location"] == reverse("consultations:edit", args=[consultation.pk])
    assert consultation.status == ConsultationStatus.DRAFT
    intake = consultation.intake
    assert intake["history"]["hsv_history"] == "yes"
    assert intake["history"]["bleeding_disorder"] == "no"
    assert "anticoagulants" not in intake.get("medications", {})  # "not sure" stays unknown
    assert intake["zones"] == ["cheeks", "forehead"]
    assert intake["fitzpatrick"] == "III"
    assert intake["active_acne"] == {"present": "yes"}
    assert intake["age"] == patient.age and intake["sex"] == "female"
    assert "own estimate" in consultation.notes and "Scars since my teens." in consultation.notes
    # A second click goes to the same draft.
    again = clinician_client.post(reverse("prescreen:lead_start_consultation", args=[lead.pk]))
    assert again["Location"] == reverse("consultations:edit", args=[consultation.pk])
    assert Consultation.objects.count() == 1


def test_front_desk_cannot_start_the_consultation(front_desk_client: Client, lead: Lead) -> None:
    response = front_desk_client.post(reverse("prescreen:lead_start_consultation", args=[lead.pk]))
    assert response.status_code == 403


def test_clinician_convert_creates_the_prefilled_draft(
    clinician_client: Client, lead: Lead
) -> None:
    response = clinician_client.post(
        reverse("prescreen:lead_convert", args=[lead.pk]),
        {
            "given_name": "Jamie",
            "family_name": "Rivera",
            "date_of_birth": "1995-06-01",
            "sex": "female",
            "phone": "07700 900456",
            "preferred_contact": "phone",
        },
    )
    lead.refresh_from_db()
    consultation = lead.converted_consultation
    assert consultation is not None
    assert response["Location"] == reverse("consultations:edit", args=[consultation.pk])
    assert consultation.intake["history"]["hsv_history"] == "yes"
    assert clinician_client.get(response["Location"]).status_code == 200


def test_duplicates_offered_and_existing_patient_used(
    front_desk_client: Client, lead: Lead, make_patient: Any
) -> None:
    existing: Patient = make_patient(
        given_name="Jamie", family_name="Rivera", date_of_birth=date(1995, 6, 1)
    )
    url = reverse("prescreen:lead_convert", args=[lead.pk])
    page = front_desk_client.get(url).content.decode()
    assert 'id="duplicates"' in page and f'value="{existing.pk}"' in page
    new_person = {
        "given_name": "Jamie",
        "family_name": "Rivera",
        "date_of_birth": "1995-06-01",
        "sex": "female",
        "phone": "07700 900456",
        "preferred_contact": "phone",
    }
    response = front_desk_client.post(url, new_person)
    assert response.status_code == 200
    assert "Possible existing records" in response.content.decode()
    assert Patient.objects.count() == 1

    response = front_desk_client.post(url, {**new_person, "existing_patient": str(existing.pk)})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_patient == existing
    assert Patient.objects.count() == 1


def test_convert_errors_are_form_errors(front_desk_client: Client, lead: Lead) -> None:
    url = reverse("prescreen:lead_convert", args=[lead.pk])
    for data in (
        {},
        {"given_name": "A", "family_name": "B", "date_of_birth": "2999-01-01", "sex": "x"},
        {"existing_patient": "999999", "given_name": "A"},
        {
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1990-01-01",
            "sex": "male",
            "preferred_contact": "phone",
            "phone": "123",
            "appointment_date": "2020-01-01",
        },
    ):
        assert front_desk_client.post(url, data).status_code == 200
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    assert not Patient.objects.exists()


def test_dashboard_panel_shows_new_requests(front_desk_client: Client, lead: Lead) -> None:
    html = front_desk_client.get(reverse("dashboard")).content.decode()
    assert "New pre-screen requests" in html
    assert "1 new request" in html and "Jamie Rivera" in html


def test_dashboard_panel_without_requests(clinician_client: Client) -> None:
    html = clinician_client.get(reverse("dashboard")).content.decode()
    assert "No new pre-screen requests" in html
