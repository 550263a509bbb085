"""Assessment pages through URLs: roles, form errors, garbage input, query counts."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.assessments.forms import COUNT_ERROR
from needlechart.assessments.models import Assessment
from needlechart.assessments.services import assessment_record
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from tests.factories.plans import screen_patient

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "baseline",
    "assessed_on": "2025-06-01",
    "fitzpatrick": "III",
    "visible_at_social_distance": "yes",
    "flatten_on_stretch": "no",
    "scar__cheeks__rolling": "12",
    "scar__cheeks__ice_pick": "",
    "scar__forehead__boxcar_deep": "3",
    "quant__c_deep_broad": "4",
    "hyperplastic_area_cm2": "",
    "iga": "2",
    "gags__forehead": "papule",
    "qualitative_grade": "4",
    "action": "save",
}
UNVERIFIED = escape(default_protocol().document.grading.goodman_baron_quantitative.label)


def new_url(patient: Patient, *extra: int) -> str:
    return reverse("assessments:new", args=[patient.pk, *extra])


def make(patient: Patient, by: User, **data: Any) -> Assessment:
    base: dict[str, Any] = {
        "scar_counts": {"cheeks": {"rolling": 5}},
        "visible_at_social_distance": "yes",
        "flatten_on_stretch": "yes",
        "quantitative_counts": {"b_moderate_dish": 5},
    }
    return assessment_record(patient=patient, by=by, **(base | data))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clinician_client", 200),
        ("aesthetician_client", 200),
        ("front_desk_client", 403),
        ("admin_client_", 403),
    ],
)
def test_roles(
    who: str, status: int, request: pytest.FixtureRequest, patient: Patient, clinician: User
) -> None:
    client: Client = request.getfixturevalue(who)
    a = make(patient, clinician)
    for url in (
        new_url(patient),
        reverse("assessments:detail", args=[a.pk]),
        reverse("assessments:list", args=[patient.pk]),
    ):
        assert client.get(url).status_code == status, url
    assert client.post(new_url(patient), FORM).status_code in {status, 302}
    if status == 403:
        assert Assessment.objects.count() == 1


def test_anonymous_redirected_to_login(client: Client, patient: Patient) -> None:
    response = client.get(new_url(patient))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_record_through_the_form(clinician_client: Client, patient: Patient) -> None:
    response = clinician_client.post(new_url(patient), FORM)
    a = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[a.pk])
    assert a.scar_counts == {"cheeks": {"rolling": 12}, "forehead": {"boxcar_deep": 3}}
    assert a.quantitative_counts == {"c_deep_broad": 4}
    assert a.gags == {"forehead": "papule"}
    assert (a.iga, a.qualitative_grade, a.suggested_grade, a.fitzpatrick) == (2, 4, 4, "III")

    page = clinician_client.get(response["Location"]).content.decode()
    assert UNVERIFIED in page
    assert "Obvious at ~50 cm and does not flatten on stretching." in page  # engine reason
    assert "[S40]" in page  # source shown
    assert AuditEvent.objects.filter(action="assessment.view", object_id=str(a.pk)).exists()


def test_preview_shows_suggestion_without_saving(
    aesthetician_client: Client, patient: Patient
) -> None:
    response = aesthetician_client.post(new_url(patient), FORM | {"action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="suggested-grade"' in html
    assert "Grade 4" in html
    assert UNVERIFIED in html
    assert not Assessment.objects.exists()


def test_form_shows_unverified_label_and_protocol_descriptors(
    clinician_client: Client, patient: Patient
) -> None:
    html = clinician_client.get(new_url(patient)).content.decode()
    grading = default_protocol().document.grading
    assert 'id="quantitative-label"' in html and UNVERIFIED in html
    assert escape(grading.iga.grades[3]) in html
    assert escape(grading.goodman_baron_quantitative.categories[0].description) in html
    assert 'name="scar__neck__keloid"' in html


@pytest.mark.parametrize("bad", ["-3", "abc", "1.5", "99999999999999999999999"])
def test_bad_counts_are_form_errors_and_input_is_kept(
    clinician_client: Client, patient: Patient, bad: str
) -> None:
    data = FORM | {"scar__cheeks__rolling": bad, "quant__a_macular": bad}
    response = clinician_client.post(new_url(patient), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Assessment.objects.exists()
    assert 'id="scar-grid-errors"' in html
    assert 'name="scar__cheeks__rolling"' in html and f'value="{bad}"' in html
    assert 'value="3"' in html  # the other cells keep their input
    assert 'aria-invalid="true"' in html
    if bad in {"-3", "abc"}:
        assert COUNT_ERROR in html


def test_other_garbage_is_never_a_500(clinician_client: Client, patient: Patient) -> None:
    data = FORM | {
        "iga": "nine",
        "qualitative_grade": "7",
        "hyperplastic_area_cm2": "lots",
        "assessed_on": "yesterday",
        "gags__chin": "boil",
        "consultation": "999999",
        "kind": "<script>",
        "fitzpatrick": "VII",
    }
    response = clinician_client.post(new_url(patient), data)
    assert response.status_code == 200
    assert b"<script>" not in response.content
    assert not Assessment.objects.exists()


def test_future_date_error_beside_field(clinician_client: Client, patient: Patient) -> None:
    response = clinician_client.post(new_url(patient), FORM | {"assessed_on": "2999-01-01"})
    assert 'id="id_assessed_on_error"' in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        lambda p, a: reverse("assessments:detail", args=[a.pk + 1000]),
        lambda p, a: reverse("assessments:detail", args=[99999999999999999999]),
        lambda p, a: reverse("assessments:new", args=[p.pk + 1000]),
        lambda p, a: reverse("assessments:new", args=[p.pk, 999999]),
        lambda p, a: reverse("assessments:new", args=[p.pk, 99999999999999999999]),
        lambda p, a: reverse("assessments:list", args=[99999999999999999999]),
    ],
)
def test_bad_ids_are_404(
    clinician_client: Client, clinician: User, patient: Patient, url: Any
) -> None:
    a = make(patient, clinician)
    assert clinician_client.get(url(patient, a)).status_code == 404


def test_consultation_of_another_patient_is_404(
    clinician_client: Client, clinician: User, patient: Patient, make_patient: Any
) -> None:
    other = screen_patient(patient=make_patient(), by=clinician).consultation
    assert clinician_client.get(new_url(patient, other.pk)).status_code == 404
    mine = screen_patient(patient=patient, by=clinician).consultation
    response = clinician_client.get(new_url(patient, mine.pk))
    assert response.status_code == 200
    assert f'<option value="{mine.pk}" selected>' in response.content.decode()


def test_timeline_shows_assessments_to_clinical_roles_only(
    clinician_client: Client, front_desk_client: Client, clinician: User, patient: Patient
) -> None:
    a = make(patient, clinician, qualitative_grade=3)
    url = reverse("patients:detail", args=[patient.pk])
    detail = reverse("assessments:detail", args=[a.pk])
    assert detail in clinician_client.get(url).content.decode()
    assert detail not in front_desk_client.get(url).content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    few = make(patient, clinician, gags={"chin": "papule"})
    detail = reverse("assessments:detail", args=[few.pk])
    listing = reverse("assessments:list", args=[patient.pk])
    counts = (_queries(clinician_client, detail), _queries(clinician_client, listing))
    every_zone = {
        zone: {"rolling": 2, "ice_pick": 1}
        for zone in ("forehead", "temples", "cheeks", "nose", "chin", "jawline", "neck")
    }
    for _ in range(12):
        many = make(
            patient,
            clinician,
            scar_counts=every_zone,
            gags={"chin": "papule", "nose": "nodule", "forehead": "pustule"},
        )
    detail_many = reverse("assessments:detail", args=[many.pk])
    assert (_queries(clinician_client, detail_many), _queries(clinician_client, listing)) == counts
