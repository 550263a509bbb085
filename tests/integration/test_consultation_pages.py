"""Consultation pages through URLs: start, draft, complete, errors, roles, garbage input."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.forms import DATE_AFTER_CONSULTATION, intake_initial
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.consultations.services import OTHER_PRODUCT_UNNAMED, consultation_start
from needlechart.core.dates import DATE_IN_FUTURE
from needlechart.patients.models import Patient
from needlechart.screenings.models import Screening

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def full_post(**changes: Any) -> dict[str, Any]:
    intake: dict[str, Any] = yaml.safe_load(
        (EXAMPLES / "01-proceed-rolling-scars.yaml").read_text()
    )
    data: dict[str, Any] = {
        "consulted_on": timezone.localdate().isoformat(),
        "notes": "",
        "action": "complete",
    }
    data |= intake_initial(intake)
    return data | changes


@pytest.fixture
def consultation(patient: Patient, clinician: User) -> Consultation:
    return consultation_start(patient=patient, by=clinician)


def edit_url(c: Consultation) -> str:
    return reverse("consultations:edit", args=[c.pk])


def test_start_from_the_chart(clinician_client: Client, patient: Patient) -> None:
    url = reverse("consultations:start", args=[patient.pk])
    assert clinician_client.get(url).status_code == 200
    assert not Consultation.objects.exists()  # GET creates nothing
    response = clinician_client.post(url, {"consulted_on": timezone.localdate().isoformat()})
    consultation = Consultation.objects.get()
    assert response["Location"] == edit_url(consultation)
    # an existing draft is offered on the start page
    assert edit_url(consultation) in clinician_client.get(url).content.decode()


def test_start_with_a_future_date_shows_the_error(
    clinician_client: Client, patient: Patient
) -> None:
    url = reverse("consultations:start", args=[patient.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = clinician_client.post(url, {"consulted_on": tomorrow})
    assert response.status_code == 200
    assert 'id="id_consulted_on_error"' in response.content.decode()
    assert not Consultation.objects.exists()


def test_form_renders_every_section_labelled(
    aesthetician_client: Client, consultation: Consultation
) -> None:
    response = aesthetician_client.get(edit_url(consultation))
    html = response.content.decode()
    assert response.status_code == 200
    for section in (
        "demographics",
        "skin",
        "acne",
        "scars",
        "history",
        "medications",
        "products",
        "sun",
        "procedures",
    ):
        assert f'id="section-{section}"' in html
    assert "<legend>History of cold sores (herpes simplex)</legend>" in html
    assert 'value="unknown" id="id_history__hsv_history_2" checked' in html
    assert AuditEvent.objects.filter(action="consultation.view").exists()


def test_full_valid_post_completes_and_screens(
    clinician_client: Client, consultation: Consultation
) -> None:
    response = clinician_client.post(edit_url(consultation), full_post())
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screenings:detail", args=[screening.pk])
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.COMPLETED
    assert screening.verdict == "proceed"
    assert consultation.intake["zones"] == ["cheeks", "forehead"]


def test_invalid_date_keeps_typed_data_and_shows_error_beside_field(
    clinician_client: Client, consultation: Consultation
) -> None:
    data = full_post(
        **{
            "medications__isotretinoin__status": "past",
            "medications__isotretinoin__last_date": "31/02/2025",
            "medications__other": "metformin\n<script>x</script>",
        }
    )
    response = clinician_client.post(edit_url(consultation), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Screening.objects.exists()
    assert 'id="id_medications__isotretinoin__last_date_error"' in html
    assert 'value="31/02/2025"' in html
    assert "metformin\n&lt;script&gt;x&lt;/script&gt;" in html
    # the valid answers are kept as a draft
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.intake["medications"]["other"] == ["metformin", "<script>x</script>"]


def test_future_last_dose_is_an_error_on_its_field(
    clinician_client: Client, consultation: Consultation
) -> None:
    later = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = full_post(
        **{
            "medications__isotretinoin__status": "current",
            "medications__isotretinoin__last_date": later,
        }
    )
    html = clinician_client.post(edit_url(consultation), data).content.decode()
    # A future day is refused by the field itself (core.dates), whatever the consultation date.
    assert f'id="id_medications__isotretinoin__last_date_error">\n    <p>{DATE_IN_FUTURE}' in html


def test_last_dose_after_a_backdated_consultation_is_an_error_on_its_field(
    clinician_client: Client, consultation: Consultation
) -> None:
    consulted = timezone.localdate() - timedelta(days=10)
    data = full_post(
        consulted_on=consulted.isoformat(),
        **{
            "medications__isotretinoin__status": "past",
            "medications__isotretinoin__last_date": (consulted + timedelta(days=2)).isoformat(),
        },
    )
    html = clinician_client.post(edit_url(consultation), data).content.decode()
    assert (
        f'id="id_medications__isotretinoin__last_date_error">\n    <p>{DATE_AFTER_CONSULTATION}'
        in html
    )


def test_engine_errors_map_back_to_fields(
    clinician_client: Client, consultation: Consultation
) -> None:
    data = full_post(zones=[], **{"scars__counts__rolling": "5000"})
    response = clinician_client.post(edit_url(consultation), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_zones_error"' in html
    assert 'id="id_scars__counts__rolling_error"' in html
    assert not Screening.objects.exists()


def test_draft_save_with_partial_data(clinician_client: Client, consultation: Consultation) -> None:
    response = clinician_client.post(
        edit_url(consultation),
        {
            "action": "draft",
            "consulted_on": consultation.consulted_on.isoformat(),
            "zones": ["cheeks"],
            "history__hsv_history": "yes",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"Draft saved." in response.content
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.intake["zones"] == ["cheeks"]
    assert consultation.intake["history"]["hsv_history"] == "yes"
    html = response.content.decode()
    assert 'value="cheeks" id="id_zones_4" checked' in html


def test_unknown_answers_become_questions_on_the_result(
    clinician_client: Client, consultation: Consultation
) -> None:
    response = clinician_client.post(
        edit_url(consultation), full_post(**{"history__hsv_history": "unknown"}), follow=True
    )
    html = response.content.decode()
    assert 'id="questions"' in html
    assert edit_url(consultation) in html


def test_completed_consultation_completes_again_with_a_new_screening(
    clinician_client: Client, consultation: Consultation
) -> None:
    clinician_client.post(edit_url(consultation), full_post())
    html = clinician_client.get(edit_url(consultation)).content.decode()
    assert 'id="completed-note"' in html
    assert 'value="draft"' not in html
    clinician_client.post(
        edit_url(consultation), full_post(**{"medications__anticoagulants": "yes"})
    )
    verdicts = list(Screening.objects.order_by("id").values_list("verdict", flat=True))
    assert verdicts == ["proceed", "refer_to_physician"]


def test_front_desk_gets_403_and_anonymous_is_redirected(
    front_desk_client: Client, admin_client_: Client, consultation: Consultation, patient: Patient
) -> None:
    urls = [reverse("consultations:start", args=[patient.pk]), edit_url(consultation)]
    for url in urls:
        assert front_desk_client.get(url).status_code == 403
        assert front_desk_client.post(url, full_post()).status_code == 403
        assert admin_client_.get(url).status_code == 403
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert Consultation.objects.get().status == ConsultationStatus.DRAFT


@pytest.mark.parametrize(
    "garbage",
    [
        {"consulted_on": "yesterday", "action": "complete"},
        {"action": "nonsense", "fitzpatrick": "IX", "device": "laser", "zones": ["moon"]},
        {"active_acne__iga": "99", "scars__counts__rolling": "-3", "action": "complete"},
        {"medications__other": "x\n" * 80, "action": "draft"},
        {"history__dermatoses__eczema": "\x00", "sun_exposure__last_date": "0000-00-00"},
    ],
)
def test_garbage_input_never_500s(
    clinician_client: Client, consultation: Consultation, garbage: dict[str, Any]
) -> None:
    response = clinician_client.post(edit_url(consultation), garbage)
    assert response.status_code in (200, 302)
    assert not Screening.objects.exists()


def test_bad_ids_are_404(clinician_client: Client) -> None:
    assert clinician_client.get(reverse("consultations:edit", args=[999999])).status_code == 404
    assert clinician_client.get("/consultations/99999999999999999999999/").status_code == 404
    assert clinician_client.get(reverse("consultations:start", args=[424242])).status_code == 404


def test_dashboard_lists_drafts_for_clinical_roles_only(
    clinician_client: Client,
    front_desk_client: Client,
    make_patient: Callable[..., Patient],
    clinician: User,
) -> None:
    for _ in range(12):
        consultation_start(patient=make_patient(), by=clinician)
    html = clinician_client.get(reverse("dashboard")).content.decode()
    assert "Consultations awaiting completion" in html
    assert "12 drafts, showing the 10 oldest" in html
    assert html.count("/consultations/") >= 10
    assert (
        "Consultations awaiting completion"
        not in front_desk_client.get(reverse("dashboard")).content.decode()
    )


def test_form_asks_the_new_questions_with_unknown_as_the_start(
    clinician_client: Client, consultation: Consultation
) -> None:
    html = clinician_client.get(edit_url(consultation)).content.decode()
    for name, legend in (
        ("implanted_electronic_device", "Pacemaker or other implanted electronic device"),
        ("metal_implants_in_area", "Metal implants in or under the treatment area"),
        (
            "previous_microneedling_reaction",
            "Earlier reaction to microneedling or to a product applied during it",
        ),
    ):
        assert f"<legend>{legend}</legend>" in html
        assert f'value="unknown" id="id_history__{name}_2" checked' in html
    # The products come from the protocol's list, with its warning, "other" and "nothing".
    assert "<legend>Products to be applied to the open skin</legend>" in html
    assert 'value="kit_hyaluronic_gel"' in html and 'value="other"' in html
    assert 'value="none"' in html
    assert "granulomatous reactions" in html


def test_an_other_product_must_be_named_and_the_draft_keeps_the_rest(
    clinician_client: Client, consultation: Consultation
) -> None:
    data = full_post(products_to_apply=["kit_hyaluronic_gel", "other"], other_products="")
    response = clinician_client.post(edit_url(consultation), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_other_products_error">\n    <p>{escape(OTHER_PRODUCT_UNNAMED)}' in html
    assert not Screening.objects.exists()
    consultation.refresh_from_db()
    assert consultation.is_draft
    assert consultation.intake["products_to_apply"] == ["kit_hyaluronic_gel", "other"]
    # Named: completes, with the product named in the warning finding.
    data["other_products"] = "Vitamin C serum"
    response = clinician_client.post(edit_url(consultation), data, follow=True)
    screening = Screening.objects.get()
    assert screening.verdict == "proceed_with_precautions"
    html = response.content.decode()
    assert "Product not listed for needled skin" in html
    assert "other_products = Vitamin C serum" in html


@pytest.mark.parametrize(
    ("products", "verdict", "asked"),
    [(["none"], "proceed", False), ([], "proceed_with_precautions", True)],
)
def test_nothing_applied_proceeds_and_nothing_ticked_is_asked(
    clinician_client: Client,
    consultation: Consultation,
    products: list[str],
    verdict: str,
    asked: bool,
) -> None:
    response = clinician_client.post(
        edit_url(consultation), full_post(products_to_apply=products), follow=True
    )
    assert Screening.objects.get().verdict == verdict
    html = response.content.decode()
    assert ("Which products will be applied to the open skin" in html) is asked
    consultation.refresh_from_db()
    assert consultation.intake.get("products_to_apply", "not stored") == (
        [] if products else "not stored"
    )


def test_rf_with_a_pacemaker_is_referred_with_the_unsourced_note(
    clinician_client: Client, consultation: Consultation
) -> None:
    data = full_post(device="rf_microneedling", history__implanted_electronic_device="yes")
    response = clinician_client.post(edit_url(consultation), data, follow=True)
    assert Screening.objects.get().verdict == "refer_to_physician"
    html = response.content.decode()
    assert "RF microneedling with an implanted electronic device" in html
    assert "no source on RF microneedling with a pacemaker" in html
