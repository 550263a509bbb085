import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from needlechart.accounts.models import Role, User
from needlechart.accounts.permissions import (
    require_clinic_admin,
    require_clinical,
    require_clinician,
    require_staff,
    role_required,
)


@pytest.mark.parametrize(
    ("role", "clinical", "audit", "manage"),
    [
        (Role.CLINICIAN, True, False, True),
        (Role.AESTHETICIAN, True, False, True),
        (Role.FRONT_DESK, False, False, True),
        (Role.ADMIN, False, True, True),
    ],
)
def test_role_helpers(role: Role, clinical: bool, audit: bool, manage: bool) -> None:
    user = User(username="u", role=role)
    assert user.can_view_clinical is clinical
    assert user.can_view_audit is audit
    assert user.can_manage_patients is manage
    assert user.is_clinician is (role == Role.CLINICIAN)


def test_inactive_user_sees_nothing() -> None:
    user = User(username="u", role=Role.CLINICIAN, is_active=False)
    assert not user.can_view_clinical
    assert not user.can_manage_patients


def test_role_labels() -> None:
    assert Role.CLINICIAN.label == "Clinician (physician)"
    assert Role.ADMIN.label == "Clinic admin"


def test_display_name_fallbacks() -> None:
    assert User(username="u", display_name="Dr X").get_display_name() == "Dr X"
    assert User(username="u", first_name="A", last_name="B").get_display_name() == "A B"
    assert str(User(username="u")) == "u"


# ---------------------------------------------------------------- shared permission helpers

HELPERS = {
    "staff": (require_staff, set(Role)),
    "clinical": (require_clinical, {Role.CLINICIAN, Role.AESTHETICIAN}),
    "clinician": (require_clinician, {Role.CLINICIAN}),
    "clinic_admin": (require_clinic_admin, {Role.ADMIN}),
}


@pytest.mark.parametrize("helper", list(HELPERS))
@pytest.mark.parametrize("role", list(Role))
def test_permission_helpers(helper: str, role: Role) -> None:
    require, allowed = HELPERS[helper]
    active = User(username="u", role=role)
    if role in allowed:
        require(active)
    else:
        with pytest.raises(PermissionDenied):
            require(active)
    with pytest.raises(PermissionDenied):
        require(User(username="u", role=role, is_active=False))
    with pytest.raises(PermissionDenied):
        require(AnonymousUser())


def test_helper_keeps_the_apps_wording() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require_clinical(User(username="u", role=Role.FRONT_DESK), "Only for testing.")
    assert str(refused.value) == "Only for testing."


@pytest.mark.parametrize("role", list(Role))
def test_role_required_refuses_an_inactive_user(rf: RequestFactory, role: Role) -> None:
    """Even if a backend hands the view an inactive user, the decorator refuses."""

    @role_required(*Role)
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = rf.get("/")
    request.user = User(username="u", role=role)
    assert view(request).status_code == 200
    request.user = User(username="u", role=role, is_active=False)
    with pytest.raises(PermissionDenied):
        view(request)
