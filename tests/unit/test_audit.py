import pytest

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent, AuditEventImmutableError
from needlechart.audit.services import audit_record
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_record_copies_actor_and_object(clinician: User, patient: Patient) -> None:
    event = audit_record(
        actor=clinician, action="patient.view", obj=patient, patient_id=patient.pk, ip="10.0.0.1"
    )
    assert event.actor_id == clinician.pk
    assert event.actor_username == "clin"
    assert event.object_type == "patients.patient"
    assert event.object_id == str(patient.pk)
    assert event.ip == "10.0.0.1"


def test_anonymous_actor() -> None:
    event = audit_record(actor=None, action="auth.failed", detail={"username": "x"})
    assert event.actor_id is None
    assert event.actor_username == ""


def test_events_cannot_be_changed_or_deleted(clinician: User) -> None:
    event = audit_record(actor=clinician, action="test.thing")
    event.action = "test.other"
    with pytest.raises(AuditEventImmutableError):
        event.save()
    with pytest.raises(AuditEventImmutableError):
        event.delete()
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"


def test_no_foreign_keys() -> None:
    assert not [f for f in AuditEvent._meta.get_fields() if f.is_relation]
