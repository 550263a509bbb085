import io

import pytest
from django.core.management import call_command

from needlechart.accounts.models import User
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    assert User.objects.count() == 4
    assert Patient.objects.count() == 30
    assert "frontdesk" in out.getvalue()
    assert "demo-password-1" in out.getvalue()
    assert User.objects.get(username="clinician").check_password("demo-password-1")
