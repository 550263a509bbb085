"""Amendments run every check the draft form runs (one validation, `treatments.values`), and an
adverse event or a recall uses the cartridge lot in force after amendments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from needlechart.accounts.models import User
from needlechart.core.dates import DATE_TOO_EARLY
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import default_protocol
from needlechart.treatments.models import GLIDE_OTHER, SessionRecord
from needlechart.treatments.services import adverse_event_record, session_amend
from needlechart.treatments.values import (
    CARTRIDGE_EXPIRED,
    DEPTH_POSITIVE,
    DEPTH_REASON_REQUIRED,
    GLIDE_OTHER_PREFIX,
    GLIDE_OTHER_REQUIRED,
    LOT_MAX,
    PASSES_MIN,
    check_values,
    lot_in_force,
    values_in_force,
    zone_ranges,
)
from tests.factories.treatments import LOT, charted_session, consented_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


@pytest.fixture
def signed(plan: TreatmentPlan, clinician: User) -> SessionRecord:
    return charted_session(plan=plan, by=clinician, sign=True)


def amend(record: SessionRecord, by: User, field: str, value: str, reason: str = "Fix") -> str:
    return session_amend(
        session=record, by=by, field=field, new_value=value, reason=reason
    ).new_value


def refusal(record: SessionRecord, by: User, field: str, value: str) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        session_amend(session=record, by=by, field=field, new_value=value, reason="Fix")
    return exc.value.message_dict["new_value"]


def test_expiry_before_the_session_is_refused_as_on_the_draft_form(
    signed: SessionRecord, clinician: User
) -> None:
    day_before = signed.performed_on - timedelta(days=1)
    expected = CARTRIDGE_EXPIRED.format(expiry=day_before, session=signed.performed_on)
    assert refusal(signed, clinician, "cartridge_expiry", day_before.isoformat()) == [expected]
    # The day of the session itself is in date (the boundary), as on the draft form.
    assert amend(signed, clinician, "cartridge_expiry", signed.performed_on.isoformat()) == (
        signed.performed_on.isoformat()
    )


def test_date_formats_and_plausibility_are_the_draft_forms(
    signed: SessionRecord, clinician: User
) -> None:
    later = signed.performed_on + timedelta(days=400)
    # DD/MM/YYYY is accepted (as on the draft form) and stored as ISO.
    assert amend(signed, clinician, "cartridge_expiry", f"{later:%d/%m/%Y}") == later.isoformat()
    assert refusal(signed, clinician, "cartridge_expiry", "2031-02-30") == ["Enter a valid date."]
    assert refusal(signed, clinician, "cartridge_expiry", "1850-01-01") == [DATE_TOO_EARLY]


def test_passes_lot_and_depth_rules(signed: SessionRecord, clinician: User) -> None:
    assert refusal(signed, clinician, "passes", "0") == [PASSES_MIN]
    # The draft form's own field refuses it, with its own message.
    too_long = refusal(signed, clinician, "cartridge_lot", "X" * 65)
    assert too_long == [f"Ensure this value has at most {LOT_MAX} characters (it has 65)."]
    assert refusal(signed, clinician, "cartridge_lot", "   ") == ["This field is required."]
    zone = next(iter(signed.depths))
    assert refusal(signed, clinician, f"depth_{zone}", "-1") == [DEPTH_POSITIVE]
    assert refusal(signed, clinician, f"depth_{zone}", "deep") == ["Enter a number."]


def test_glide_product_list(signed: SessionRecord, clinician: User) -> None:
    listed = default_protocol().document.charting.glide_products[0]
    # Anything not on the protocol's list is "Other" with its name (the glide warning)...
    assert amend(signed, clinician, "glide_product", "Home-made serum") == (
        f"{GLIDE_OTHER_PREFIX}Home-made serum"
    )
    values = values_in_force(signed)
    assert (values["glide_product"], values["glide_product_other"]) == (
        GLIDE_OTHER,
        "Home-made serum",
    )
    # ...a listed product, by its name in any case, is stored as its code...
    assert amend(signed, clinician, "glide_product", listed.label.upper()) == listed.code
    assert values_in_force(signed)["glide_product"] == listed.code
    # ...and "Other" without a name is refused, as on the draft form.
    assert refusal(signed, clinician, "glide_product", "other") == [GLIDE_OTHER_REQUIRED]


def test_depth_outside_the_range_takes_the_amendment_reason(
    signed: SessionRecord, clinician: User
) -> None:
    ranged = [(z, r) for z, r in zone_ranges(signed.plan).items() if r.known and r.high]
    if not ranged:
        pytest.skip("no zone with a sourced range")
    zone, rng = ranged[0]
    assert rng.high is not None
    outside = f"{rng.high + 0.25:g}"
    assert amend(signed, clinician, f"depth_{zone}", outside, reason="Deeper scars") == outside
    values = values_in_force(signed)
    assert values["depths"][zone] == float(outside)
    assert values["depth_reasons"][zone] == "Deeper scars"
    # The record as corrected passes the draft form's whole check.
    _, errors = check_values(record=signed, values=values, today=signed.performed_on)
    assert errors == {}
    assert DEPTH_REASON_REQUIRED  # the message the draft form gives without a reason


def test_adverse_event_records_the_lot_in_force(
    signed: SessionRecord, clinician: User, patient: Patient
) -> None:
    amend(signed, clinician, "cartridge_lot", "LOT-CORRECTED", reason="Misread the box")
    assert lot_in_force(signed) == "LOT-CORRECTED"
    event = adverse_event_record(
        patient=patient,
        by=clinician,
        event_type="pih",
        severity="mild",
        onset_on=signed.performed_on,
        session=signed,
    )
    assert event.cartridge_lot == "LOT-CORRECTED"


def test_recall_uses_the_lot_in_force_and_lists_corrections_apart(
    signed: SessionRecord, clinician: User, clinician_client: Client
) -> None:
    amend(signed, clinician, "cartridge_lot", "LOT-CORRECTED", reason="Misread the box")
    url = reverse("treatments:lot_lookup")
    corrected = clinician_client.get(url, {"lot": "lot-corrected"}).content.decode()
    assert "1 patient, 1 session" in corrected
    original = clinician_client.get(url, {"lot": LOT}).content.decode()
    assert "0 patients, 0 sessions" in original
    assert 'id="lot-corrected-away"' in original
    assert "LOT-CORRECTED" in original


def test_the_amend_page_shows_the_draft_forms_refusal(
    signed: SessionRecord, clinician_client: Client
) -> None:
    day_before = signed.performed_on - timedelta(days=1)
    response = clinician_client.post(
        reverse("treatments:amend", args=[signed.pk]),
        {"field": "cartridge_expiry", "new_value": day_before.isoformat(), "reason": "Fix"},
    )
    assert response.status_code == 200
    expected = CARTRIDGE_EXPIRED.format(expiry=day_before, session=signed.performed_on)
    assert expected in response.content.decode()
    assert not signed.amendments.exists()
