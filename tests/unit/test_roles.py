import pytest

from needlechart.accounts.models import Role, User


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
