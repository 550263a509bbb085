"""A deactivated account is refused everywhere, whatever its role.

Two doors: the normal one, where Django's backend drops the session of an inactive user (a
redirect to sign in), and a backend that lets inactive users through
(`AllowAllUsersModelBackend`), where the shared role helpers must refuse on their own (403).
A sample of pages per app, each checked first with the active account so the refusal is not
just a page that never worked.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse

from needlechart.accounts.models import CLINICAL_ROLES, Role, User
from needlechart.accounts.permissions import STAFF_ROLES
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db

ALLOW_INACTIVE = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
CLINICAL = frozenset(CLINICAL_ROLES)
ADMIN = frozenset({Role.ADMIN})

# (url name, takes the patient id, roles that may open it)
PAGES: list[tuple[str, bool, frozenset[Role]]] = [
    ("dashboard", False, STAFF_ROLES),
    ("protocol", False, CLINICAL),
    ("audit:list", False, ADMIN),
    ("patients:list", False, STAFF_ROLES),
    ("patients:detail", True, STAFF_ROLES),
    ("consultations:start", True, CLINICAL),
    ("assessments:list", True, CLINICAL),
    ("plans:awaiting", False, CLINICAL),
    ("consents:list", True, CLINICAL),
    ("scheduling:calendar", False, STAFF_ROLES),
    ("scheduling:hours", False, ADMIN),
    ("treatments:lot_lookup", False, CLINICAL),
    ("treatments:symptom_list", True, CLINICAL),
    ("outcomes:progress", True, CLINICAL),
    ("imaging:gallery", True, CLINICAL),
    ("documents:progress_report", True, CLINICAL),
    ("prescreen:leads", False, STAFF_ROLES),
    ("notifications:patient_messages", True, STAFF_ROLES),
    ("api:v1:patient_list", False, STAFF_ROLES),
]


def _url(name: str, with_patient: bool, patient: Patient) -> str:
    return reverse(name, args=[patient.pk] if with_patient else [])


def _signed_in(make_user: Callable[..., User], role: Role) -> tuple[User, Client]:
    user = make_user(f"leaver-{role}", role)
    client = Client()
    client.force_login(user)
    return user, client


def _deactivate(user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.mark.parametrize("role", list(Role))
def test_deactivated_session_is_signed_out(
    make_user: Callable[..., User], patient: Patient, role: Role
) -> None:
    user, client = _signed_in(make_user, role)
    urls = [(_url(name, takes_id, patient), role in roles) for name, takes_id, roles in PAGES]
    for url, allowed in urls:
        assert client.get(url).status_code == (200 if allowed else 403), url
    _deactivate(user)
    for url, _ in urls:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url


@override_settings(AUTHENTICATION_BACKENDS=ALLOW_INACTIVE)
@pytest.mark.parametrize("role", list(Role))
def test_role_helpers_refuse_inactive_even_when_the_backend_lets_them_in(
    make_user: Callable[..., User], patient: Patient, role: Role
) -> None:
    user, client = _signed_in(make_user, role)
    _deactivate(user)
    for name, takes_id, _roles in PAGES:
        url = _url(name, takes_id, patient)
        expected = 401 if url.startswith("/api/") else 403
        assert client.get(url).status_code == expected, url


def test_services_refuse_an_inactive_user(make_user: Callable[..., User], patient: Patient) -> None:
    """The same helpers guard the services, for callers that are not views (API, tasks)."""
    from datetime import date

    from needlechart.consultations.services import consultation_start
    from needlechart.patients.services import patient_archive, patient_update
    from needlechart.portal.services import portal_invite
    from needlechart.scheduling.services import closed_day_add

    calls: dict[Role, Callable[[User], object]] = {
        Role.FRONT_DESK: lambda by: patient_update(by=by, patient=patient, phone="07700 900999"),
        Role.AESTHETICIAN: lambda by: consultation_start(patient=patient, by=by),
        Role.CLINICIAN: lambda by: patient_archive(by=by, patient=patient, reason="Moved away"),
        Role.ADMIN: lambda by: closed_day_add(by=by, day=date(2030, 12, 25)),
    }
    for role, call in calls.items():
        user = make_user(f"gone-{role}", role, is_active=False)
        with pytest.raises(PermissionDenied):
            call(user)
        with pytest.raises(PermissionDenied):
            portal_invite(patient=patient, by=user)
    patient.refresh_from_db()
    assert patient.phone != "07700 900999" and not patient.is_archived
