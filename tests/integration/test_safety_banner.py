"""The safety banner on the patient chart and the session pages: which alerts, for whom."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.assessments.services import assessment_record
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from needlechart.treatments.safety import (
    ALERT_RULES,
    HARD_STOP,
    HARD_STOP_OVERRIDDEN,
    HARD_STOP_PENDING,
    RESCREEN_DUE,
    RESCREEN_PENDING,
    safety_alerts_for,
)
from needlechart.treatments.services import adverse_event_record, adverse_event_update
from tests.factories import treatments as t
from tests.factories.plans import example_intake, screen_patient

pytestmark = pytest.mark.django_db


def chart(client: Client, patient: Patient) -> str:
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def alert_codes(html: str) -> list[str]:
    return re.findall(r'data-alert="([a-z_]+)"', html)


def history(**answers: str) -> dict[str, Any]:
    data: dict[str, Any] = example_intake()["history"]
    return {**data, **answers}


def test_empty_state_for_clinical_staff(
    clinician_client: Client, aesthetician_client: Client, patient: Patient
) -> None:
    for client in (clinician_client, aesthetician_client):
        html = chart(client, patient)
        assert 'aria-labelledby="safety-banner-heading"' in html
        assert 'id="safety-banner-empty"' in html
        assert alert_codes(html) == []


def test_front_desk_sees_no_banner_and_the_selector_refuses(
    front_desk_client: Client, front_desk: User, clinician: User, patient: Patient
) -> None:
    screen_patient(patient=patient, by=clinician, history=history(hsv_history="yes"))
    html = chart(front_desk_client, patient)
    assert "safety-banner" not in html
    assert "herpes" not in html.lower()
    with pytest.raises(PermissionDenied):
        safety_alerts_for(user=front_desk, patient=patient)


def test_each_history_alert_from_the_protocol_rules(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    screen_patient(
        patient=patient,
        by=clinician,
        fitzpatrick="V",
        history=history(
            hsv_history="yes",
            pih_history="yes",
            metal_allergy="yes",
            topical_anaesthetic_allergy="yes",
        ),
    )
    html = chart(clinician_client, patient)
    assert sorted(alert_codes(html)) == sorted(ALERT_RULES)
    rules = {r.code: r for r in default_protocol().document.screening_rules}
    for code in ALERT_RULES:
        assert rules[code].title in html
    assert "safety-banner--active" in html
    assert "history.hsv_history = yes" in html  # the fact as recorded


@pytest.mark.parametrize(("phototype", "alert"), [("III", False), ("IV", True), ("VI", True)])
def test_phototype_boundary_is_the_protocols(
    clinician_client: Client, clinician: User, patient: Patient, phototype: str, alert: bool
) -> None:
    screen_patient(patient=patient, by=clinician, fitzpatrick=phototype)
    assert ("pigment_prone_phototype" in alert_codes(chart(clinician_client, patient))) is alert


def test_the_latest_answer_wins_and_the_assessment_type_over_the_intake(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    screen_patient(patient=patient, by=clinician, history=history(hsv_history="yes"))
    assert alert_codes(chart(clinician_client, patient)) == ["hsv_history"]
    # A later consultation that leaves it unknown does not erase the known answer...
    later = history()
    later.pop("hsv_history")
    screen_patient(patient=patient, by=clinician, history=later, fitzpatrick="IV")
    assert sorted(alert_codes(chart(clinician_client, patient))) == [
        "hsv_history",
        "pigment_prone_phototype",
    ]
    # ...and the assessment's examination (type II) overrides the intake's type IV.
    assessment_record(
        patient=patient,
        by=clinician,
        kind="baseline",
        fitzpatrick="II",
        scar_counts={"cheeks": {"rolling": 4}},
    )
    assert alert_codes(chart(clinician_client, patient)) == ["hsv_history"]


def test_open_adverse_event_until_resolved(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    plan = t.consented_plan(patient=patient, by=clinician)
    session = t.charted_session(plan=plan, by=clinician, sign=True)
    event = adverse_event_record(
        patient=patient,
        by=clinician,
        event_type="pih",
        severity="mild",
        onset_on=session.performed_on,
        session=session,
    )
    html = chart(clinician_client, patient)
    assert "adverse_event" in alert_codes(html)
    assert reverse("treatments:adverse_detail", args=[event.pk]) in html
    # The session pages show the same banner.
    page = clinician_client.get(reverse("treatments:detail", args=[session.pk])).content.decode()
    assert "adverse_event" in alert_codes(page)
    adverse_event_update(event=event, by=clinician, note="Settled", resolve=True)
    assert "adverse_event" not in alert_codes(chart(clinician_client, patient))


def test_pending_then_due_rescreen(clinician: User, patient: Patient) -> None:
    today = timezone.localdate()
    screening = screen_patient(
        patient=patient,
        by=clinician,
        medications={
            **example_intake()["medications"],
            "isotretinoin": {
                "status": "past",
                "last_date": (today - timedelta(days=30)).isoformat(),
            },
        },
    )
    assert screening.verdict == "defer" and screening.rescreen_on is not None
    day = f"{screening.rescreen_on:%d %b %Y}"
    before = safety_alerts_for(
        user=clinician, patient=patient, today=screening.rescreen_on - timedelta(days=1)
    )
    assert [a.text for a in before if a.code == "rescreen"] == [RESCREEN_PENDING.format(day=day)]
    on = safety_alerts_for(user=clinician, patient=patient, today=screening.rescreen_on)
    assert [a.text for a in on if a.code == "rescreen"] == [RESCREEN_DUE.format(day=day)]


def test_session_charting_page_shows_the_banner(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    plan = t.consented_plan(
        patient=patient, by=clinician, example="02-precautions-skin-of-colour.yaml"
    )
    record = t.charted_session(plan=plan, by=clinician)
    html = clinician_client.get(reverse("treatments:edit", args=[record.pk])).content.decode()
    assert 'id="safety-banner"' in html
    assert "pigment_prone_phototype" in alert_codes(html)


def test_banner_query_count_does_not_grow(
    clinician: User, make_patient: Callable[..., Patient], patient: Patient
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            safety_alerts_for(user=clinician, patient=patient)
        return len(ctx.captured_queries)

    screen_patient(patient=patient, by=clinician, history=history(hsv_history="yes"))
    few = count()
    for _ in range(3):
        screen_patient(patient=patient, by=clinician, history=history(pih_history="yes"))
    assert count() == few <= 5  # adverse, screening, approved plan, intakes, assessment


def test_a_hard_stop_in_the_latest_screening_and_its_override_state(
    clinician_client: Client, clinician: User, make_user: Any, patient: Patient
) -> None:
    from needlechart.accounts.models import Role
    from needlechart.screenings.services import screening_override, screening_override_confirm
    from tests.factories.plans import DEFER

    screening = screen_patient(patient=patient, by=clinician, example=DEFER)
    html = chart(clinician_client, patient)
    assert "hard_stop_pregnancy" in alert_codes(html)
    assert HARD_STOP.format(title="Pregnancy", state="") in html
    override = screening_override(
        screening=screening, verdict="proceed", reason="Negative test", by=clinician
    )
    assert escape(HARD_STOP_PENDING) in chart(clinician_client, patient)
    second = make_user("clin2", Role.CLINICIAN)
    screening_override_confirm(override=override, by=second)
    assert escape(HARD_STOP_OVERRIDDEN) in chart(clinician_client, patient)
