"""A portal sign-in link copied from the console (`make run`) or from an .eml file
(EMAIL_FILE_PATH) works.

Once, the e-mail body was folded into quoted-printable because the link's line was longer
than 78 characters: the console showed `.../portal/enter/AAAA=` and, on the next line, the
rest of the link, so a copied link ended in "=" and led nowhere. These tests take the output
exactly as written, pick the link out as a person would (the whole http... word on its
line), follow it with the test client and sign in.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from needlechart.patients.models import Patient
from needlechart.portal.views import SESSION_KEY

pytestmark = pytest.mark.django_db

# Longer than the default so the link's line is well past 78 characters.
SITE_URL = "https://clinic.example.org"
URL_WORD = re.compile(r"https?://\S+")
ROOT = Path(__file__).resolve().parents[2]
CONFIG = "needlechart.config.settings"
PRINT_BACKEND = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.MAILERS['default']['BACKEND'])"
)


def copied_link(text: str) -> str:
    """The first link in the text, as a terminal or a person selects it: up to a blank."""
    match = URL_WORD.search(text)
    assert match, text
    return match.group(0)


def invite(client: Client, patient: Patient) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the link goes after commit
        response = client.post(reverse("portal:invite", args=[patient.pk]))
    assert response.status_code == 302, response.content


def sign_in_with(link: str, patient: Patient) -> None:
    assert link.startswith(f"{SITE_URL}/portal/enter/"), link
    path = link.removeprefix(SITE_URL)
    browser = Client()
    assert browser.get(path).status_code == 200, f"the copied link {link!r} does not open"
    response = browser.post(path)
    assert response.status_code == 302, f"the copied link {link!r} does not sign in"
    assert browser.session[SESSION_KEY] == patient.pk
    assert patient.given_name in browser.get(reverse("portal:home")).content.decode()


@pytest.fixture
def zoe(make_patient: Any) -> Patient:
    # A non-ASCII name makes the body UTF-8, the other way a body gets encoded.
    patient: Patient = make_patient(given_name="Zoë", family_name="Ørsted", email="zoe@example.org")
    return patient


@pytest.mark.parametrize("given_name", ["Ada", "Zoë"])
def test_link_copied_from_the_console_signs_in(
    settings: Any,
    capsys: pytest.CaptureFixture[str],
    clinician_client: Client,
    make_patient: Any,
    given_name: str,
) -> None:
    settings.SITE_URL = SITE_URL
    settings.MAILERS = {"default": {"BACKEND": "needlechart.core.mail.ConsoleEmailBackend"}}
    patient = make_patient(given_name=given_name, email="patient@example.org")
    capsys.readouterr()
    invite(clinician_client, patient)
    console = capsys.readouterr().out
    assert "Subject: Your sign-in link" in console
    link = copied_link(console)
    assert len(link) > 78  # the length that used to be folded
    sign_in_with(link, patient)


def test_link_copied_from_the_eml_file_signs_in(
    settings: Any, tmp_path: Path, clinician_client: Client, zoe: Patient
) -> None:
    settings.SITE_URL = SITE_URL
    mail_dir = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "needlechart.core.mail.FileEmailBackend",
            "OPTIONS": {"file_path": str(mail_dir)},
        }
    }
    invite(clinician_client, zoe)
    (eml,) = mail_dir.iterdir()
    text = eml.read_text(encoding="utf-8")
    assert "Zoë" in text  # readable as written, not =C3=AB
    sign_in_with(copied_link(text), zoe)


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "needlechart.core.mail.ConsoleEmailBackend"),
        ({"EMAIL_FILE_PATH": "var/mail"}, "needlechart.core.mail.FileEmailBackend"),
    ],
)
def test_settings_choose_the_readable_backends(env: dict[str, str], backend: str) -> None:
    """What `make run` gets (tests themselves run with locmem, so ask a fresh process)."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "PYTEST_VERSION"
    }
    environ |= {"NEEDLECHART_DEBUG": "1", "DJANGO_SETTINGS_MODULE": CONFIG, **env}
    shown = subprocess.run(
        [sys.executable, "-c", PRINT_BACKEND],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == backend, shown.stderr
