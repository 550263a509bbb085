"""The reminder schedule as `make run` starts it: real processes, a real database file.

Once, every unit passed while the schedule process exited right after start-up, so no
booking ever got its confirmation. This test starts the same two commands the Makefile
starts (the task worker and the schedule), books an appointment afterwards, and waits for
the confirmation e-mail to arrive in the mail folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]

BOOK = """
from datetime import datetime, time, timedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.scheduling.services import appointment_book

clinician = User.objects.get(username="clinician")
frontdesk = User.objects.get(username="frontdesk")
patient = Patient.objects.exclude(email="").filter(archived_at__isnull=True).order_by("pk").first()
day = timezone.localdate()
for offset in range(1, 15):
    starts = timezone.make_aware(datetime.combine(day + timedelta(days=offset), time(15, 40)))
    try:
        appointment_book(patient=patient, practitioner=clinician, starts_at=starts, by=frontdesk)
    except ValidationError:
        continue
    print(patient.email)
    break
"""


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    mail = tmp_path / "mail"
    mail.mkdir()
    env = {
        **os.environ,
        "NEEDLECHART_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
        "EMAIL_FILE_PATH": str(mail),
        "NEEDLECHART_MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run([*MANAGE, *command], env=env, check=True, capture_output=True, cwd=ROOT)
    yield env, mail


def test_a_booking_made_after_start_up_gets_its_confirmation(
    clinic: tuple[dict[str, str], Path],
) -> None:
    env, mail = clinic
    # Exactly what `make run` starts beside the web server (with a short interval).
    worker = subprocess.Popen(
        [*MANAGE, "db_worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    schedule = subprocess.Popen(
        [*MANAGE, "send_due_messages", "--enqueue", "--every", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        assert schedule.poll() is None, "the schedule process stopped after start-up"
        # The worker writes to the same SQLite file; a busy moment can refuse the booking's
        # write, so the booking is tried again rather than failing the run.
        for _attempt in range(3):
            booked = subprocess.run(
                [*MANAGE, "shell", "-c", BOOK], env=env, cwd=ROOT, capture_output=True, text=True
            )
            if booked.returncode == 0:
                break
            time.sleep(2)
        assert booked.returncode == 0, booked.stderr[-2000:]
        address = booked.stdout.strip().splitlines()[-1]
        assert "@" in address, booked.stdout + booked.stderr
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            texts = [p.read_text(errors="replace") for p in mail.iterdir()]
            if any(address in t and "15:40" in t for t in texts):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"no confirmation e-mail to {address} for the 15:40 booking")
        assert schedule.poll() is None and worker.poll() is None
    finally:
        for process in (schedule, worker):
            process.terminate()
            process.wait(timeout=20)
