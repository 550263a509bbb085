import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from needlechart.accounts.models import User

pytestmark = pytest.mark.django_db


def test_csrf_enforced(front_desk: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    response = client.post(reverse("patients:register"), {"given_name": "X"})
    assert response.status_code == 403


def test_frame_options_and_nosniff(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sign_in_and_out(client: Client, clinician: User) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "clin", "password": "test-password-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert b"Dr Test Clinician" in client.get("/").content
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_message(client: Client, clinician: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "clin", "password": "nope"})
    assert response.status_code == 200
    assert b"alert--error" in response.content
    assert b'value="clin"' in response.content


def test_password_reset_sends_email(client: Client, clinician: User) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": clinician.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [clinician.email]
    assert "reset your password" in message.subject
    assert "/accounts/reset/" in message.body
    # follow the link: the confirm page offers the new-password form
    link = next(w for w in message.body.split() if "/accounts/reset/" in w)
    response = client.get(link, follow=True)
    assert b"Choose a new password" in response.content


def test_password_reset_unknown_email_sends_nothing(client: Client) -> None:
    client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert mail.outbox == []


@pytest.mark.postgres
def test_runs_on_postgres() -> None:
    assert connection.vendor == "postgresql"
