"""Screening result page, override form, re-screening, dashboard panel, query counts."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.services import consultation_start
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from needlechart.screenings.models import Screening, ScreeningOverride
from needlechart.screenings.services import (
    REASON_REQUIRED,
    consultation_complete,
    screening_run,
)

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def intake(name: str = "01-proceed-rolling-scars", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return {k: v for k, v in data.items() if k not in ("age", "sex")} | changes


def deferring(on: date | None = None) -> dict[str, Any]:
    data = intake()
    last = ((on or timezone.localdate()) - timedelta(days=30)).isoformat()
    data["medications"]["isotretinoin"] = {"status": "past", "last_date": last}
    return data


@pytest.fixture
def screen(clinician: User) -> Callable[..., Screening]:
    def make(patient: Patient, data: dict[str, Any] | None = None, **kw: Any) -> Screening:
        consultation = consultation_start(patient=patient, by=clinician)
        return consultation_complete(
            consultation=consultation, by=clinician, data=data or intake(), **kw
        )

    return make


def detail(s: Screening) -> str:
    return reverse("screenings:detail", args=[s.pk])


def test_detail_shows_findings_with_full_citations(
    clinician_client: Client, patient: Patient, screen: Callable[..., Screening]
) -> None:
    screening = screen(patient, intake("09-refer-keloid-tendency"))
    response = clinician_client.get(detail(screening))
    html = response.content.decode()
    assert response.status_code == 200
    result = screening.engine_result()
    sources = default_protocol().document.sources
    for finding in result.findings:
        assert f'id="finding-{finding.code}"' in html
        assert finding.fact in html
        for key in finding.sources:
            assert key in html
            assert sources[key].split(".")[0] in html
    assert 'id="engine-verdict"' in html and "Refer to physician" in html
    assert screening.protocol_hash in html and screening.protocol_version in html
    assert AuditEvent.objects.filter(action="screening.view", object_id=str(screening.pk)).exists()


def test_deferral_shows_rescreen_date(
    aesthetician_client: Client, patient: Patient, screen: Callable[..., Screening]
) -> None:
    screening = screen(patient, deferring())
    assert screening.rescreen_on is not None
    html = aesthetician_client.get(detail(screening)).content.decode()
    assert 'id="rescreen"' in html
    assert 'id="override-form"' in html  # an aesthetician may override a deferral


def test_aesthetician_cannot_override_a_referral(
    aesthetician_client: Client, patient: Patient, screen: Callable[..., Screening]
) -> None:
    screening = screen(patient, intake("08-refer-anticoagulant"))
    html = aesthetician_client.get(detail(screening)).content.decode()
    assert 'id="override-form"' not in html
    assert 'id="override-refused"' in html
    response = aesthetician_client.post(
        reverse("screenings:override", args=[screening.pk]),
        {"verdict": "proceed", "reason": "I think it is fine"},
    )
    assert response.status_code == 403
    assert not ScreeningOverride.objects.exists()


def test_clinician_overrides_and_both_verdicts_show(
    clinician_client: Client, patient: Patient, screen: Callable[..., Screening]
) -> None:
    screening = screen(patient, intake("08-refer-anticoagulant"))
    url = reverse("screenings:override", args=[screening.pk])
    response = clinician_client.post(url, {"verdict": "proceed", "reason": "GP letter on file."})
    assert response.status_code == 302
    html = clinician_client.get(detail(screening)).content.decode()
    assert 'id="engine-verdict">Refer to physician' in html
    assert 'id="override-verdict">Proceed' in html
    assert "GP letter on file." in html
    assert 'id="override-form"' not in html  # once only
    assert Screening.objects.get().verdict == "refer_to_physician"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"verdict": "maybe", "reason": "x"}, "verdict"),
        ({"verdict": "proceed", "reason": "   "}, "reason"),
        ({"verdict": "defer", "reason": "same as engine"}, "verdict"),
        ({}, "reason"),
    ],
)
def test_override_form_errors(
    clinician_client: Client,
    patient: Patient,
    screen: Callable[..., Screening],
    data: dict[str, str],
    field: str,
) -> None:
    screening = screen(patient, deferring())
    response = clinician_client.post(reverse("screenings:override", args=[screening.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    if field == "reason":
        assert REASON_REQUIRED in html
    assert not ScreeningOverride.objects.exists()


def test_rerun_and_history(
    clinician_client: Client, patient: Patient, screen: Callable[..., Screening]
) -> None:
    first = screen(patient, deferring())
    response = clinician_client.post(reverse("screenings:run", args=[first.consultation_id]))
    second = Screening.objects.exclude(pk=first.pk).get()
    assert response["Location"] == detail(second)
    html = clinician_client.get(detail(first)).content.decode()
    assert 'id="superseded"' in html
    assert detail(second) in html and 'id="override-form"' not in html
    assert (
        clinician_client.get(reverse("screenings:run", args=[first.consultation_id])).status_code
        == 405
    )


def test_rerun_of_a_draft_redirects_with_a_message(
    clinician_client: Client, patient: Patient, clinician: User
) -> None:
    consultation = consultation_start(patient=patient, by=clinician)
    response = clinician_client.post(reverse("screenings:run", args=[consultation.pk]), follow=True)
    assert response.status_code == 200
    assert b"Complete the consultation before screening." in response.content


def test_detail_query_count_does_not_grow(
    clinician_client: Client,
    patient: Patient,
    screen: Callable[..., Screening],
    clinician: User,
) -> None:
    few = screen(patient, intake())
    clinician_client.get(detail(few))  # warm caches (session, protocol)
    with CaptureQueriesContext(connection) as small:
        clinician_client.get(detail(few))
    many = screen(patient, intake("11-unknowns-first-visit"))
    assert len(many.engine_result().findings) > len(few.engine_result().findings)
    for _ in range(4):
        many = screening_run(consultation=many.consultation, by=clinician)
    with CaptureQueriesContext(connection) as large:
        clinician_client.get(detail(many))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_front_desk_403_anonymous_redirected_bad_ids_404(
    front_desk_client: Client,
    clinician_client: Client,
    patient: Patient,
    screen: Callable[..., Screening],
) -> None:
    screening = screen(patient)
    urls = [
        detail(screening),
        reverse("screenings:override", args=[screening.pk]),
        reverse("screenings:run", args=[screening.consultation_id]),
    ]
    for url in urls:
        assert front_desk_client.get(url).status_code in (403, 405)
        assert front_desk_client.post(url, {"verdict": "defer", "reason": "x"}).status_code == 403
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert clinician_client.get(reverse("screenings:detail", args=[987654])).status_code == 404
    assert clinician_client.get("/screenings/99999999999999999999999/").status_code == 404
    missing = reverse("screenings:override", args=[987654])
    assert clinician_client.post(missing, {"verdict": "defer", "reason": "x"}).status_code == 404
    assert Screening.objects.count() == 1 and not ScreeningOverride.objects.exists()


def test_dashboard_rescreen_panel(
    clinician_client: Client,
    front_desk_client: Client,
    make_patient: Callable[..., Patient],
    screen: Callable[..., Screening],
) -> None:
    past = timezone.localdate() - timedelta(days=400)
    due = screen(make_patient(), deferring(past), today=past)
    screen(make_patient(), deferring())  # deferred, but not due yet
    assert due.rescreen_on is not None and due.rescreen_on <= timezone.localdate()
    with CaptureQueriesContext(connection) as ctx:
        html = clinician_client.get(reverse("dashboard")).content.decode()
    assert "Deferred patients due for re-screening" in html
    assert detail(due) in html
    assert "1 patient due" in html
    baseline = len(ctx.captured_queries)
    for _ in range(3):
        screen(make_patient(), deferring(past), today=past)
    with CaptureQueriesContext(connection) as ctx:
        clinician_client.get(reverse("dashboard"))
    assert len(ctx.captured_queries) == baseline
    assert "re-screening" not in front_desk_client.get(reverse("dashboard")).content.decode()
