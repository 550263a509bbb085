"""Time to generate the progress report PDF for a patient part-way through a course: an
approved plan, 3 signed sessions, a baseline and a follow-up assessment, an adverse event and
two visits photographed from two views (so two before/after pairs are embedded).

Target (issue #5): median <= 2000 ms on the 2-core CI machine, through the whole view
(permission checks, reads, chart PNG, photos, xhtml2pdf, audit).
Runs on a throw-away SQLite file and photo folder under a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="needlechart-bench-docs-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ["NEEDLECHART_MEDIA_ROOT"] = str(WORKDIR / "media")
os.environ.setdefault("NEEDLECHART_DEBUG", "0")
os.environ.setdefault("NEEDLECHART_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
os.environ.setdefault("NEEDLECHART_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_SETTINGS_MODULE"] = "needlechart.config.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = 9
TARGET_MS = 2000.0
PHOTO_PIXELS = (3000, 2000)  # a 6 MP camera picture, stored and thumbnailed by the real upload


def seed() -> tuple[Client, str, int]:
    from needlechart.accounts.models import Role, User
    from needlechart.patients.models import Patient
    from tests.factories.documents import course

    assert str(settings.STORAGES["photos"]["OPTIONS"]["location"]).startswith(str(WORKDIR))
    user = User.objects.create_user(
        "bench", password="bench-password-1", role=Role.CLINICIAN, display_name="Dr Bench"
    )
    patient = Patient.objects.create(
        given_name="Olivia",
        family_name="Bennett",
        date_of_birth=date(1996, 3, 14),
        phone="07700 900123",
        created_by=user,
    )
    seeded = course(patient=patient, by=user, photo_pixels=PHOTO_PIXELS)
    client = Client()
    client.force_login(user)
    url = reverse("documents:progress_report", args=[patient.pk])
    return client, url, len(seeded.photos)


def main() -> int:
    call_command("migrate", verbosity=0)
    client, url, photos = seed()
    response = client.get(url)  # warm-up: imports reportlab, loads fonts and templates
    assert response.status_code == 200 and response.content.startswith(b"%PDF"), response
    size = len(response.content)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    median = statistics.median(times)
    print(f"progress report PDF: {photos} photos, 3 sessions, 2 assessments; {size:,} bytes")
    print(f"runs: {RUNS}; median {median:.0f} ms (min {min(times):.0f}, max {max(times):.0f})")
    print(f"target: median <= {TARGET_MS:.0f} ms;", "met" if median <= TARGET_MS else "NOT met")
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    sys.exit(code)
