"""Consent pages: roles, the signing flow, bad signature data as form errors, the PDF, the
plan page's consent box, and query counts that do not grow."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consents.models import Consent, ConsentStatus
from needlechart.consents.services import COUNTERSIGN_ROLE, consent_create, consent_withdraw
from needlechart.consents.signature import BLANK, EMPTY, NOT_DATA_URL, NOT_PNG, TOO_BIG
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from tests.factories.consents import (
    approve_plan,
    data_url,
    png_bytes,
    signature_url,
    signed_consent,
)
from tests.factories.plans import NECK

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return approve_plan(patient=patient, by=clinician)


@pytest.fixture
def consent(clinician: User, plan: TreatmentPlan) -> Consent:
    return consent_create(plan=plan, by=clinician)


@pytest.fixture
def signed(clinician: User, aesthetician: User, plan: TreatmentPlan) -> Consent:
    return signed_consent(plan=plan, witness=aesthetician, clinician=clinician)


def sign_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Olivia Bennett",
        "signature": signature_url(),
        "photo_clinical": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("who", "status"),
    [("clinician_client", 200), ("aesthetician_client", 200), ("front_desk_client", 403)],
)
def test_roles(
    who: str, status: int, request: pytest.FixtureRequest, signed: Consent, plan: TreatmentPlan
) -> None:
    client: Client = request.getfixturevalue(who)
    for url in [
        reverse("consents:detail", args=[signed.pk]),
        reverse("consents:list", args=[signed.patient_id]),
        reverse("consents:pdf", args=[signed.pk]),
        reverse("consents:new", args=[plan.pk]),
        reverse("consents:withdraw", args=[signed.pk]),
    ]:
        assert client.get(url).status_code == status, url


def test_front_desk_cannot_post(front_desk_client: Client, consent: Consent) -> None:
    for name in ("sign", "countersign", "withdraw"):
        url = reverse(f"consents:{name}", args=[consent.pk])
        response = front_desk_client.post(url, sign_data(reason="x"))
        assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.DRAFT and consent.patient_signed_at is None


def test_anonymous_redirected(client: Client, consent: Consent) -> None:
    response = client.get(reverse("consents:detail", args=[consent.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("bad_id", [0, 99999, 2**63])
def test_bad_ids_are_404(clinician_client: Client, bad_id: int) -> None:
    assert clinician_client.get(f"/consents/{bad_id}/").status_code == 404


# ---------------------------------------------------------------- the flow


def test_full_flow(
    clinician_client: Client,
    aesthetician_client: Client,
    clinician: User,
    aesthetician: User,
    plan: TreatmentPlan,
) -> None:
    plan_url = reverse("plans:detail", args=[plan.pk])
    html = clinician_client.get(plan_url).content.decode()
    assert 'id="plan-consent"' in html and "No consent yet" in html
    assert reverse("consents:new", args=[plan.pk]) in html

    new_url = reverse("consents:new", args=[plan.pk])
    preview = aesthetician_client.get(new_url).content.decode()
    assert "Olivia Bennett" in preview and "<h2>Risks</h2>" in preview
    response = aesthetician_client.post(new_url)
    consent = Consent.objects.get(plan=plan)
    assert response["Location"] == reverse("consents:sign", args=[consent.pk])

    sign_url = reverse("consents:sign", args=[consent.pk])
    page = aesthetician_client.get(sign_url).content.decode()
    assert "<canvas" in page and "pointerdown" in page and "data-signature-clear" in page
    assert 'name="photo_clinical"' in page and 'name="photo_marketing"' in page
    assert "checked" not in page  # neither photo choice is pre-ticked
    response = aesthetician_client.post(sign_url, sign_data())
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.awaiting_countersign and consent.patient_witnessed_by == aesthetician
    assert (consent.photo_clinical, consent.photo_marketing) == (True, False)

    # The aesthetician witnessed, but cannot countersign: a clear refusal.
    countersign_url = reverse("consents:countersign", args=[consent.pk])
    refused = aesthetician_client.post(countersign_url, {"signature": signature_url()})
    assert refused.status_code == 403
    assert "Only a clinician can countersign" in refused.content.decode()
    assert COUNTERSIGN_ROLE.split(".")[0] in refused.content.decode()
    detail = aesthetician_client.get(reverse("consents:detail", args=[consent.pk])).content
    assert b"clinician only" in detail and countersign_url.encode() not in detail

    assert clinician_client.get(countersign_url).status_code == 200
    response = clinician_client.post(countersign_url, {"signature": signature_url()})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.SIGNED and consent.clinician == clinician

    html = clinician_client.get(reverse("consents:detail", args=[consent.pk])).content.decode()
    assert consent.text_hash in html
    assert "Olivia Bennett" in html and clinician.get_display_name() in html
    assert aesthetician.get_display_name() in html
    assert reverse("consents:pdf", args=[consent.pk]) in html
    assert html.count('class="signature-image"') == 2
    assert "Consent signed" in clinician_client.get(plan_url).content.decode()

    # Frozen: signing pages now send back to the consent.
    assert clinician_client.post(sign_url, sign_data(full_name="X")).status_code == 302
    assert clinician_client.post(countersign_url, {"signature": signature_url()}).status_code == 302
    consent.refresh_from_db()
    assert consent.patient_name_signed == "Olivia Bennett"

    actions = set(
        AuditEvent.objects.filter(object_id=str(consent.pk)).values_list("action", flat=True)
    )
    assert {
        "consent.create",
        "consent.view",
        "consent.sign_patient",
        "consent.countersign",
        "consent.countersign_refused",
    } <= actions


def test_withdraw_page(clinician_client: Client, signed: Consent, plan: TreatmentPlan) -> None:
    url = reverse("consents:withdraw", args=[signed.pk])
    response = clinician_client.post(url, {"reason": ""})
    assert response.status_code == 200 and b"field__error" in response.content
    response = clinician_client.post(url, {"reason": "Patient phoned to withdraw."})
    assert response.status_code == 302
    html = clinician_client.get(reverse("consents:detail", args=[signed.pk])).content.decode()
    assert 'id="withdrawn-notice"' in html and "Patient phoned to withdraw." in html
    assert "Withdrawn" in html
    plan_html = clinician_client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "New consent needed" in plan_html
    assert AuditEvent.objects.filter(action="consent.withdraw", object_id=str(signed.pk)).exists()


def test_plan_page_says_new_consent_needed(
    clinician_client: Client, clinician: User, signed: Consent, patient: Patient
) -> None:
    neck = approve_plan(patient=patient, by=clinician, example=NECK)
    html = clinician_client.get(reverse("plans:detail", args=[neck.pk])).content.decode()
    assert "New consent needed" in html
    assert reverse("consents:detail", args=[signed.pk]) in html
    assert reverse("consents:new", args=[neck.pk]) in html


# ---------------------------------------------------------------- bad signatures


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (None, EMPTY),
        ("", EMPTY),
        ("   ", EMPTY),
        ("hello", NOT_DATA_URL),
        ("data:text/plain;base64,aGVsbG8=", NOT_DATA_URL),
        ("javascript:alert(1)", NOT_DATA_URL),
        ("data:image/png;base64,%%%not-base64%%%", NOT_PNG),
        ("data:image/png;base64," + "A" * 7, NOT_PNG),
        (data_url(b"GIF89a" + b"\x00" * 40), NOT_PNG),
        (data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), NOT_PNG),
        (data_url(png_bytes()[:60]), NOT_PNG),
        (data_url(png_bytes(blank=True)), BLANK),
        (data_url(png_bytes() + b"\x00" * (500 * 1024)), TOO_BIG),
        ("data:image/png;base64," + "A" * (800 * 1024), TOO_BIG),
    ],
)
def test_bad_signature_is_a_form_error(
    clinician_client: Client, consent: Consent, signature: str | None, message: str
) -> None:
    response = clinician_client.post(
        reverse("consents:sign", args=[consent.pk]),
        sign_data(signature=signature, photo_clinical=None, photo_marketing="on"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_signature_error"' in html and message in html.replace("&#x27;", "'")
    assert 'value="Olivia Bennett"' in html  # the typed name is kept
    assert 'id="id_photo_marketing" checked' in html  # the choices are kept too
    assert 'id="id_photo_clinical" checked' not in html
    consent.refresh_from_db()
    assert consent.patient_signed_at is None


def test_bad_countersignature_is_a_form_error(
    clinician_client: Client, clinician: User, consent: Consent
) -> None:
    from needlechart.consents.services import consent_sign_patient

    consent_sign_patient(
        consent=consent,
        by=clinician,
        full_name="Olivia Bennett",
        signature=signature_url(),
        photo_clinical=False,
        photo_marketing=False,
    )
    response = clinician_client.post(
        reverse("consents:countersign", args=[consent.pk]), {"signature": "data:image/png"}
    )
    assert response.status_code == 200 and NOT_DATA_URL.split(":")[0] in response.content.decode()
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.DRAFT


def test_missing_name_keeps_signature(clinician_client: Client, consent: Consent) -> None:
    sig = signature_url()
    response = clinician_client.post(
        reverse("consents:sign", args=[consent.pk]), sign_data(full_name="")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "id_full_name_error" in html
    assert sig in html  # the drawing survives the round trip, redrawn by the page's script


# ---------------------------------------------------------------- PDF


def test_pdf(clinician_client: Client, signed: Consent, settings: Any) -> None:
    settings.CLINIC_PHONE = "020 7946 1234"
    response = clinician_client.get(reverse("consents:pdf", args=[signed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    assert b"/Image" in content  # the two signatures are embedded
    assert AuditEvent.objects.filter(action="consent.download", object_id=str(signed.pk)).exists()
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - xhtml2pdf depends on pypdf
        return
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    flat = "".join(text.split())
    assert "Olivia Bennett" in text
    assert signed.text_hash in flat
    assert "02079461234" in flat


def test_pdf_of_unsigned_consent_redirects(clinician_client: Client, consent: Consent) -> None:
    response = clinician_client.get(reverse("consents:pdf", args=[consent.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("consents:detail", args=[consent.pk])


# ---------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(
    clinician_client: Client,
    clinician: User,
    aesthetician: User,
    signed: Consent,
    patient: Patient,
) -> None:
    pages = [
        reverse("consents:detail", args=[signed.pk]),
        reverse("consents:list", args=[patient.pk]),
        reverse("plans:detail", args=[signed.plan_id]),
    ]
    few = [_queries(clinician_client, url) for url in pages]
    for _ in range(3):
        other = approve_plan(patient=patient, by=clinician, example=NECK)
        extra = signed_consent(plan=other, witness=aesthetician, clinician=clinician)
        consent_withdraw(consent=extra, by=clinician, reason="Test rows.")
    first = approve_plan(patient=patient, by=clinician)
    newest = Consent.objects.filter(patient=patient).order_by("-id").first()
    assert newest is not None
    pages = [
        reverse("consents:detail", args=[newest.pk]),
        reverse("consents:list", args=[patient.pk]),
        reverse("plans:detail", args=[first.pk]),
    ]
    assert [_queries(clinician_client, url) for url in pages] == few
