"""Session pages through URLs: consent gate, day-of re-screen, the record form (lot expiry,
depth reasons, glide warning), sign/amend/countersign, aftercare sheet, lot lookup, roles,
garbage input, query counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import default_protocol
from needlechart.protocol.vocabulary import Symptom
from needlechart.treatments.models import SessionAmendment, SessionRecord, SessionStatus
from needlechart.treatments.services import (
    APPOINTMENT_NOT_BOOKED,
    NO_CONSENT,
    session_amend,
    zone_ranges,
)
from tests.factories.treatments import (
    LOT,
    all_no,
    approved_plan,
    charted_session,
    consented_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


@pytest.fixture
def draft(clinician: User, plan: TreatmentPlan) -> SessionRecord:
    from needlechart.treatments.services import session_start

    return session_start(plan=plan, by=clinician, answers=all_no())


@pytest.fixture
def signed(clinician: User, plan: TreatmentPlan) -> SessionRecord:
    return charted_session(plan=plan, by=clinician, sign=True)


def checklist(**yes: bool) -> dict[str, str]:
    return {code: "yes" if yes.get(code) else "no" for code in all_no()}


def record_form(session: SessionRecord, **changes: Any) -> dict[str, Any]:
    charting = default_protocol().document.charting
    data: dict[str, Any] = {
        "performed_on": session.performed_on.isoformat(),
        "practitioner": session.practitioner_id,
        "device": session.device,
        "cartridge_lot": "LOT-77",
        "cartridge_expiry": (session.performed_on + timedelta(days=200)).isoformat(),
        "passes": "3",
        "glide_product": charting.glide_products[0].code,
        "glide_product_other": "",
        "anaesthetic": "",
        "endpoint": charting.endpoints[0].text,
        "endpoint_other": "",
        "immediate_reactions": "",
        "notes": "",
    }
    for zone, depth in (session.plan.depths or {}).items():
        data[f"depth_{zone}"] = depth
        data[f"depth_{zone}_reason"] = ""
    data.update(changes)
    return data


# ---------------------------------------------------------------- roles


def test_front_desk_and_admin_get_403(
    front_desk_client: Client, admin_client_: Client, signed: SessionRecord
) -> None:
    urls = [
        reverse("treatments:start", args=[signed.plan_id]),
        reverse("treatments:detail", args=[signed.pk]),
        reverse("treatments:edit", args=[signed.pk]),
        reverse("treatments:amend", args=[signed.pk]),
        reverse("treatments:aftercare", args=[signed.pk]),
        reverse("treatments:list", args=[signed.patient_id]),
        reverse("treatments:lot_lookup") + "?lot=" + LOT,
    ]
    for client in (front_desk_client, admin_client_):
        for url in urls:
            assert client.get(url).status_code == 403, url
        response = client.post(reverse("treatments:sign", args=[signed.pk]))
        assert response.status_code == 403
        response = client.post(
            reverse("treatments:start", args=[signed.plan_id]), checklist() | {"step": "chart"}
        )
        assert response.status_code == 403
    assert SessionRecord.objects.count() == 1


def test_anonymous_redirected(client: Client, signed: SessionRecord) -> None:
    response = client.get(reverse("treatments:detail", args=[signed.pk]))
    assert response.status_code == 302


def test_unknown_ids_404(clinician_client: Client) -> None:
    assert clinician_client.get("/treatments/session/999999/").status_code == 404
    assert clinician_client.get("/treatments/session/99999999999999999999/").status_code == 404
    assert clinician_client.get("/treatments/plan/999999/start/").status_code == 404


# ---------------------------------------------------------------- consent gate and re-screen


def test_no_consent_page_says_why_and_links(
    clinician_client: Client, clinician: User, make_patient: Any
) -> None:
    plan = approved_plan(patient=make_patient(), by=clinician)
    response = clinician_client.get(reverse("treatments:start", args=[plan.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(NO_CONSENT) in body
    assert reverse("consents:new", args=[plan.pk]) in body
    response = clinician_client.post(
        reverse("treatments:start", args=[plan.pk]), checklist() | {"step": "chart"}
    )
    assert escape(NO_CONSENT) in response.content.decode()
    assert not SessionRecord.objects.exists()


def test_rescreen_then_chart(clinician_client: Client, plan: TreatmentPlan) -> None:
    url = reverse("treatments:start", args=[plan.pk])
    page = clinician_client.get(url).content.decode()
    for item in default_protocol().document.charting.day_of_checklist:
        assert escape(item.question) in page
    response = clinician_client.post(url, checklist(new_medication=True) | {"step": "check"})
    body = response.content.decode()
    assert 'id="rescreen-verdict"' in body
    assert 'id="needs-review"' in body
    assert 'id="continue-charting"' in body
    assert not SessionRecord.objects.exists()
    response = clinician_client.post(url, checklist(new_medication=True) | {"step": "chart"})
    record = SessionRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatments:edit", args=[record.pk])
    assert record.rescreen["needs_review"] == ["new_medication"]
    assert AuditEvent.objects.filter(action="session.rescreen").exists()


def test_cold_sore_blocks_aesthetician(aesthetician_client: Client, plan: TreatmentPlan) -> None:
    url = reverse("treatments:start", args=[plan.pk])
    body = aesthetician_client.post(url, checklist(cold_sore=True) | {"step": "check"})
    text = body.content.decode()
    assert 'id="rescreen-blocks"' in text
    assert "defer" in text
    assert 'id="continue-charting"' not in text and 'id="proceed-anyway"' not in text
    aesthetician_client.post(url, checklist(cold_sore=True) | {"step": "chart"})
    assert not SessionRecord.objects.exists()


def test_clinician_proceeds_with_reason(clinician_client: Client, plan: TreatmentPlan) -> None:
    url = reverse("treatments:start", args=[plan.pk])
    text = clinician_client.post(url, checklist(cold_sore=True) | {"step": "check"})
    assert 'id="proceed-anyway"' in text.content.decode()
    response = clinician_client.post(url, checklist(cold_sore=True) | {"step": "chart"})
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode()
    assert not SessionRecord.objects.exists()
    response = clinician_client.post(
        url, checklist(cold_sore=True) | {"step": "chart", "proceed_reason": "Far from zone"}
    )
    assert response.status_code == 302
    record = SessionRecord.objects.get()
    assert record.rescreen_verdict == "defer"
    detail = clinician_client.get(reverse("treatments:detail", args=[record.pk]))
    assert "Far from zone" in detail.content.decode()


def test_unanswered_checklist_shows_errors(clinician_client: Client, plan: TreatmentPlan) -> None:
    url = reverse("treatments:start", args=[plan.pk])
    response = clinician_client.post(url, {"cold_sore": "maybe", "step": "chart"})
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    assert not SessionRecord.objects.exists()


# ---------------------------------------------------------------- the record form


def test_record_form_prefilled_and_guidance(clinician_client: Client, draft: SessionRecord) -> None:
    body = clinician_client.get(reverse("treatments:edit", args=[draft.pk])).content.decode()
    charting = default_protocol().document.charting
    assert escape(charting.passes.text) in body
    assert escape(charting.glide_warning.text) in body
    for zone, depth in draft.plan.depths.items():
        assert f'name="depth_{zone}"' in body
        assert f'value="{depth}"' in body


def test_save_then_sign(clinician_client: Client, draft: SessionRecord) -> None:
    url = reverse("treatments:edit", args=[draft.pk])
    response = clinician_client.post(url, record_form(draft, cartridge_lot="  LOT-77 "))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.cartridge_lot == "LOT-77"
    sign = reverse("treatments:sign", args=[draft.pk])
    # A confirm step first: what cannot be undone, the values; without the box, no signature.
    page = clinician_client.get(sign).content.decode()
    assert 'id="sign-irreversible"' in page and "LOT-77" in page
    unticked = clinician_client.post(sign)
    assert unticked.status_code == 200 and 'id="confirm-error"' in unticked.content.decode()
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT
    response = clinician_client.post(sign, {"confirm": "yes"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SessionStatus.SIGNED
    # locked: the edit page redirects, a POST changes nothing
    response = clinician_client.post(url, record_form(draft, cartridge_lot="CHANGED"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.cartridge_lot == "LOT-77"


def test_expired_cartridge_message(clinician_client: Client, draft: SessionRecord) -> None:
    expired = (draft.performed_on - timedelta(days=3)).isoformat()
    response = clinician_client.post(
        reverse("treatments:edit", args=[draft.pk]),
        record_form(draft, cartridge_expiry=expired),
    )
    assert response.status_code == 200
    assert "This cartridge expired on" in response.content.decode()
    draft.refresh_from_db()
    assert draft.cartridge_lot == ""


def test_depth_outside_range_needs_reason(clinician_client: Client, draft: SessionRecord) -> None:
    ranges = zone_ranges(draft.plan)
    zone = next((z for z, r in ranges.items() if r.known and r.high is not None), None)
    if zone is None:
        pytest.skip("no sourced depth range in the example plan")
    high = ranges[zone].high
    assert high is not None
    deep = round(high + 0.5, 2)
    url = reverse("treatments:edit", args=[draft.pk])
    response = clinician_client.post(url, record_form(draft, **{f"depth_{zone}": deep}))
    assert response.status_code == 200
    assert "outside the protocol" in response.content.decode()
    response = clinician_client.post(
        url,
        record_form(draft, **{f"depth_{zone}": deep, f"depth_{zone}_reason": "Deep boxcar"}),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.depth_reasons == {zone: "Deep boxcar"}
    assert (
        "Deep boxcar"
        in clinician_client.get(reverse("treatments:detail", args=[draft.pk])).content.decode()
    )


def test_glide_other_warning(clinician_client: Client, draft: SessionRecord) -> None:
    url = reverse("treatments:edit", args=[draft.pk])
    response = clinician_client.post(url, record_form(draft, glide_product="other"))
    assert response.status_code == 200
    assert "Name the product used." in response.content.decode()
    response = clinician_client.post(
        url, record_form(draft, glide_product="other", glide_product_other="Vitamin C serum")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.glide_warning
    body = clinician_client.get(reverse("treatments:detail", args=[draft.pk])).content.decode()
    assert 'id="glide-warning"' in body
    assert escape(default_protocol().document.charting.glide_warning.text) in body


@pytest.mark.parametrize(
    "changes",
    [
        {"passes": "0"},
        {"passes": "many"},
        {"cartridge_lot": ""},
        {"cartridge_lot": "L" * 65},
        {"cartridge_expiry": "31/02/2030"},
        {"cartridge_expiry": "not a date"},
        {"performed_on": "2999-01-01"},
        {"device": "laser"},
        {"glide_product": "serum"},
        {"practitioner": "999999"},
        {"endpoint": "other"},
        {"endpoint": "nonsense"},
        {"__zone__": "-1"},
        {"__zone__": "abc"},
        {"__zone__": "1e400"},
    ],
)
def test_bad_input_gives_form_errors(
    clinician_client: Client, draft: SessionRecord, changes: dict[str, str]
) -> None:
    if "__zone__" in changes:
        zone = next(iter(draft.plan.depths))
        changes = {f"depth_{zone}": changes["__zone__"]}
    response = clinician_client.post(
        reverse("treatments:edit", args=[draft.pk]), record_form(draft, **changes)
    )
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    draft.refresh_from_db()
    assert draft.cartridge_lot == ""


def test_sign_refused_while_incomplete(clinician_client: Client, draft: SessionRecord) -> None:
    body = clinician_client.get(reverse("treatments:detail", args=[draft.pk])).content.decode()
    assert 'id="missing"' in body and 'id="sign-button"' not in body
    page = clinician_client.get(reverse("treatments:sign", args=[draft.pk])).content.decode()
    assert 'id="sign-missing"' in page and 'id="sign-confirm-button"' not in page
    response = clinician_client.post(
        reverse("treatments:sign", args=[draft.pk]), {"confirm": "yes"}, follow=True
    )
    assert "before signing" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT


# ---------------------------------------------------------------- amendments


def test_amendment_keeps_original_visible(clinician_client: Client, signed: SessionRecord) -> None:
    url = reverse("treatments:amend", args=[signed.pk])
    assert clinician_client.get(url).status_code == 200
    response = clinician_client.post(
        url, {"field": "cartridge_lot", "new_value": "LOT-FIXED", "reason": ""}
    )
    assert response.status_code == 200 and "field--error" in response.content.decode()
    response = clinician_client.post(
        url, {"field": "cartridge_lot", "new_value": "LOT-FIXED", "reason": "Misread label"}
    )
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.cartridge_lot == LOT
    body = clinician_client.get(reverse("treatments:detail", args=[signed.pk])).content.decode()
    assert LOT in body and "LOT-FIXED" in body and "Misread label" in body
    assert SessionAmendment.objects.count() == 1


def test_amend_garbage(clinician_client: Client, signed: SessionRecord) -> None:
    url = reverse("treatments:amend", args=[signed.pk])
    for data in [
        {"field": "status", "new_value": "draft", "reason": "x"},
        {"field": "cartridge_expiry", "new_value": "tomorrow", "reason": "x"},
        {"field": "", "new_value": "", "reason": ""},
    ]:
        response = clinician_client.post(url, data)
        assert response.status_code == 200
        assert "field--error" in response.content.decode()
    assert not SessionAmendment.objects.exists()


# ---------------------------------------------------------------- countersign


@override_settings(REQUIRE_COUNTERSIGN=True)
def test_countersign_flow(
    aesthetician: User,
    aesthetician_client: Client,
    clinician_client: Client,
    plan: TreatmentPlan,
) -> None:
    record = charted_session(plan=plan, by=aesthetician, sign=True)
    dashboard = clinician_client.get(reverse("dashboard")).content.decode()
    assert "awaiting countersignature" in dashboard
    assert reverse("treatments:detail", args=[record.pk]) in dashboard
    body = aesthetician_client.get(reverse("treatments:detail", args=[record.pk])).content.decode()
    assert "awaiting countersignature" in body and 'id="countersign-button"' not in body
    aesthetician_client.post(reverse("treatments:countersign", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == SessionStatus.SIGNED
    body = clinician_client.get(reverse("treatments:detail", args=[record.pk])).content.decode()
    assert 'id="countersign-button"' in body
    clinician_client.post(reverse("treatments:countersign", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == SessionStatus.COUNTERSIGNED
    dashboard = clinician_client.get(reverse("dashboard")).content.decode()
    assert reverse("treatments:detail", args=[record.pk]) not in dashboard


@override_settings(REQUIRE_COUNTERSIGN=False)
def test_no_countersign_when_setting_off(
    aesthetician: User, clinician_client: Client, plan: TreatmentPlan
) -> None:
    record = charted_session(plan=plan, by=aesthetician, sign=True)
    assert not record.awaiting_countersign
    dashboard = clinician_client.get(reverse("dashboard")).content.decode()
    assert "awaiting countersignature" not in dashboard


# ---------------------------------------------------------------- aftercare sheet


def test_aftercare_sheet(clinician_client: Client, signed: SessionRecord) -> None:
    response = clinician_client.get(reverse("treatments:aftercare", args=[signed.pk]))
    body = response.content.decode()
    assert settings.CLINIC_PHONE in body and escape(settings.CLINIC_NAME) in body
    assert "treatments/treatments.css" in body
    css = finders.find("treatments/treatments.css")
    assert isinstance(css, str) and "@media print" in Path(css).read_text()
    symptoms = default_protocol().document.aftercare.symptoms
    assert escape(symptoms[Symptom.FEVER].label) in body  # never expected: a warning sign
    first = default_protocol().document.aftercare.timeline[0].instructions[0].text
    assert escape(first) in body
    tomorrow = signed.performed_on + timedelta(days=1)
    assert tomorrow.strftime("%B") in body
    assert AuditEvent.objects.filter(action="session.aftercare_view").exists()


def test_session_page_shows_check_ins(clinician_client: Client, signed: SessionRecord) -> None:
    from needlechart.protocol.aftercare import check_in_days

    body = clinician_client.get(reverse("treatments:detail", args=[signed.pk])).content.decode()
    for day in check_in_days():
        assert f"day {day} (" in body


# ---------------------------------------------------------------- lot lookup


def test_lot_lookup(
    clinician: User, clinician_client: Client, make_patient: Any, signed: SessionRecord
) -> None:
    other_plan = consented_plan(patient=make_patient(given_name="Zed"), by=clinician)
    charted_session(plan=other_plan, by=clinician, sign=True, cartridge_lot="lot-a1")
    charted_session(plan=other_plan, by=clinician, sign=True, cartridge_lot="LOT-A10")
    url = reverse("treatments:lot_lookup")
    response = clinician_client.get(url, {"lot": " Lot-A1 "})
    body = response.content.decode()
    assert "2 patients, 2 sessions" in body
    assert signed.patient.full_name in body and "Zed" in body
    assert "LOT-A10" not in body
    assert AuditEvent.objects.filter(action="session.lot_lookup").exists()
    # an amendment to the lot is found too
    session_amend(
        session=signed, by=clinician, field="cartridge_lot", new_value="LOT-Q", reason="typo"
    )
    assert "1 patient, 1 session" in clinician_client.get(url, {"lot": "lot-q"}).content.decode()
    assert clinician_client.get(url, {"lot": "X" * 500}).status_code == 200
    assert "No sessions" in clinician_client.get(url, {"lot": "nothing"}).content.decode()


# ---------------------------------------------------------------- plan + chart links


def test_plan_page_lists_sessions(clinician_client: Client, signed: SessionRecord) -> None:
    body = clinician_client.get(reverse("plans:detail", args=[signed.plan_id])).content.decode()
    assert reverse("treatments:start", args=[signed.plan_id]) in body
    assert reverse("treatments:detail", args=[signed.pk]) in body


def test_patient_chart_links(clinician_client: Client, signed: SessionRecord) -> None:
    body = clinician_client.get(
        reverse("patients:detail", args=[signed.patient_id])
    ).content.decode()
    assert reverse("treatments:list", args=[signed.patient_id]) in body
    assert reverse("treatments:symptom_new", args=[signed.patient_id]) in body
    assert reverse("treatments:adverse_list", args=[signed.patient_id]) in body


def test_views_are_audited(clinician_client: Client, signed: SessionRecord) -> None:
    clinician_client.get(reverse("treatments:detail", args=[signed.pk]))
    assert AuditEvent.objects.filter(action="session.view", object_id=str(signed.pk)).exists()


# ---------------------------------------------------------------- query counts


def _count(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(
    clinician: User, clinician_client: Client, make_patient: Any, signed: SessionRecord
) -> None:
    detail = reverse("treatments:detail", args=[signed.pk])
    listing = reverse("treatments:list", args=[signed.patient_id])
    lookup = reverse("treatments:lot_lookup")
    before = [
        _count(clinician_client, detail),
        _count(clinician_client, listing),
        _count(clinician_client, lookup, {"lot": LOT}),
    ]
    for n in range(3):
        session_amend(session=signed, by=clinician, field="notes", new_value=f"n{n}", reason="more")
        plan = consented_plan(patient=make_patient(), by=clinician)
        charted_session(plan=plan, by=clinician, sign=True)
        charted_session(plan=signed.plan, by=clinician, sign=True)
    after = [
        _count(clinician_client, detail),
        _count(clinician_client, listing),
        _count(clinician_client, lookup, {"lot": LOT}),
    ]
    assert after == before
    body = clinician_client.get(lookup, {"lot": LOT}).content.decode()
    assert "4 patients, 7 sessions" in body


# ---------------------------------------------------------------- from a booked appointment


def _appointment(plan: TreatmentPlan, by: User, **changes: Any) -> Any:
    from datetime import datetime, time

    from needlechart.scheduling.models import Appointment

    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 5)))
    values: dict[str, Any] = {
        "patient": plan.patient,
        "plan": plan,
        "session_number": 2,
        "practitioner": by,
        "starts_at": start,
        "ends_at": start + timedelta(minutes=45),
        "created_by": by,
    }
    values.update(changes)
    return Appointment.objects.create(**values)


def test_start_from_booked_appointment(
    clinician: User, clinician_client: Client, plan: TreatmentPlan
) -> None:
    appointment = _appointment(plan, clinician)
    url = reverse("treatments:start", args=[plan.pk]) + f"?appointment={appointment.pk}"
    page = clinician_client.get(url).content.decode()
    assert f'name="appointment" value="{appointment.pk}"' in page
    response = clinician_client.post(
        url, checklist() | {"step": "chart", "appointment": appointment.pk}
    )
    assert response.status_code == 302
    record = SessionRecord.objects.get()
    assert record.appointment == appointment and record.session_number == 2
    appointment.refresh_from_db()
    assert appointment.status == "attended"


def test_cancelled_appointment_refused(
    clinician: User, clinician_client: Client, plan: TreatmentPlan
) -> None:
    appointment = _appointment(plan, clinician, status="cancelled", cancel_reason="ill")
    response = clinician_client.post(
        reverse("treatments:start", args=[plan.pk]),
        checklist() | {"step": "chart", "appointment": appointment.pk},
    )
    assert response.status_code == 200
    assert escape(APPOINTMENT_NOT_BOOKED) in response.content.decode()
    assert not SessionRecord.objects.exists()
