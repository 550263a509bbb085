"""Portal services: tokens, invitations, check-in triage, due check-ins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.notifications.models import Message
from needlechart.portal.models import CheckIn, PortalToken
from needlechart.portal.selectors import due_check_ins
from needlechart.portal.services import (
    LINK_REMOVED,
    _token_create,
    check_in_review,
    check_in_submit,
    portal_invite,
    portal_request_link,
    token_consume,
    token_state,
)
from needlechart.protocol import check_in_days
from tests.factories.documents import course
from tests.factories.outcomes import signed_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = "https://clinic.example"


def test_token_single_use(patient: Any) -> None:
    _token, secret = _token_create(patient=patient, by=None)
    assert token_state(secret) == "valid"
    assert token_consume(secret=secret) == patient
    assert token_consume(secret=secret) is None
    assert token_state(secret) == "used"


def test_token_expired(patient: Any) -> None:
    token, secret = _token_create(patient=patient, by=None)
    PortalToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert token_consume(secret=secret) is None
    assert token_state(secret) == "expired"


def test_token_unknown_and_odd_inputs() -> None:
    assert token_consume(secret="") is None
    assert token_consume(secret="x" * 5000) is None
    assert token_state("nope") == "unknown"


def test_archived_patient_cannot_sign_in(patient: Any) -> None:
    _token, secret = _token_create(patient=patient, by=None)
    patient.archived_at = timezone.now()
    patient.save()
    assert token_consume(secret=secret) is None


def test_invite_roles_and_logged_message_without_secret(
    make_patient: Any, clinician: User, admin_user: User
) -> None:
    p = make_patient(email="p@example.com")
    with pytest.raises(PermissionDenied):
        portal_invite(patient=p, by=admin_user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        portal_invite(patient=p, by=clinician)
    assert len(mail.outbox) == 1
    secret = str(mail.outbox[0].body).split("/portal/enter/")[1].split("/")[0]
    message = Message.objects.get(patient=p)
    assert message.kind == "portal_sign_in" and message.essential
    assert secret not in message.body and LINK_REMOVED in message.body
    assert not PortalToken.objects.filter(token_hash__contains=secret).exists()


def test_invite_needs_email(make_patient: Any, clinician: User) -> None:
    with pytest.raises(ValidationError):
        portal_invite(patient=make_patient(email=""), by=clinician)


@pytest.fixture
def recent(patient: Any, clinician: User) -> Any:
    c = course(patient=patient, by=clinician, sessions=1, photos=False)
    return signed_session(
        plan=c.plan, by=clinician, number=2, performed_on=timezone.localdate() - timedelta(days=1)
    )


def test_due_check_ins_follow_protocol_days(patient: Any, recent: Any) -> None:
    today = timezone.localdate()
    first = check_in_days()[0]
    due = due_check_ins(patient, today=recent.performed_on + timedelta(days=first))
    assert [(d.session.pk, d.day) for d in due] == [(recent.pk, first)]
    before = due_check_ins(patient, today=recent.performed_on + timedelta(days=first - 1))
    assert all(d.day != first for d in before)
    check_in_submit(patient=patient, session=recent, day=first, reports=[], today=today)
    assert all(
        d.day != first
        for d in due_check_ins(patient, today=recent.performed_on + timedelta(days=first))
    )


def test_check_in_triage_levels(patient: Any, recent: Any, make_patient: Any) -> None:
    expected = check_in_submit(patient=patient, session=recent, day=1, reports=[])
    assert expected.worst_level == "expected" and not expected.needs_review
    urgent = check_in_submit(
        patient=patient,
        session=recent,
        day=3,
        reports=[
            {"symptom": "redness", "severity": "mild", "worsening": False},
            {"symptom": "fever", "severity": "severe", "worsening": True},
        ],
    )
    assert urgent.worst_level == "urgent" and urgent.needs_review
    assert urgent.triage[0]["level"] == "urgent"  # most serious first
    assert {s["symptom"] for s in urgent.answers["symptoms"]} == {"redness", "fever"}
    with pytest.raises(ValidationError):
        check_in_submit(patient=patient, session=recent, day=3, reports=[])
    with pytest.raises(PermissionDenied):
        check_in_submit(patient=make_patient(), session=recent, day=7, reports=[])


def test_review(patient: Any, recent: Any, clinician: User, front_desk: User) -> None:
    item = CheckIn.objects.create(patient=patient, session=recent, day=1, worst_level="urgent")
    with pytest.raises(PermissionDenied):
        check_in_review(check_in=item, by=front_desk, note="x")
    check_in_review(check_in=item, by=clinician, note="Seen")
    assert not item.needs_review
    with pytest.raises(ValidationError):
        check_in_review(check_in=item, by=clinician, note="again")


# ---------------------------------------------------------------- side effects after commit


class RolledBack(Exception):
    pass


def test_a_rolled_back_invite_sends_nothing(make_patient: Any, clinician: User) -> None:
    """The link is e-mailed after commit: an invite undone by its caller sends no dead link."""
    p = make_patient(email="p@example.com")
    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        pytest.raises(RolledBack),
        transaction.atomic(),
    ):
        portal_invite(patient=p, by=clinician)
        raise RolledBack
    assert mail.outbox == []
    assert not PortalToken.objects.filter(patient=p).exists()
    assert not Message.objects.filter(patient=p).exists()


def test_a_rolled_back_link_request_sends_nothing(make_patient: Any) -> None:
    make_patient(email="asks@example.com")
    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        pytest.raises(RolledBack),
        transaction.atomic(),
    ):
        assert portal_request_link(email="asks@example.com") == 1
        raise RolledBack
    assert mail.outbox == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert portal_request_link(email="asks@example.com") == 1
    assert len(mail.outbox) == 1  # committed: sent
