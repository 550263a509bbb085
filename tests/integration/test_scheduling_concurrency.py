"""Two desks book the same practitioner's slot at the same moment: exactly one wins.

Runs against the real database in two threads (each with its own connection). On
PostgreSQL the booking locks the practitioner's row (SELECT ... FOR UPDATE) before looking
for overlaps; the second transaction waits, then sees the first one's appointment. SQLite's
in-memory test database cannot run concurrent transactions from threads reliably, so the
test is PostgreSQL-only (on SQLite files the IMMEDIATE transaction mode serialises writers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from needlechart.accounts.models import Role, User
from needlechart.patients.models import Patient
from needlechart.scheduling.models import Appointment, OpeningHours
from needlechart.scheduling.services import appointment_book

TZ = ZoneInfo("Europe/London")
MONDAY = date(2030, 3, 4)
ROUNDS = 5


def race(
    *, practitioner: User, patients: list[Patient], desks: list[User], starts_at: datetime
) -> list[str]:
    """Both desks book `starts_at` at once; returns each outcome."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            appointment_book(
                patient=patients[index],
                practitioner=practitioner,
                starts_at=starts_at,
                by=desks[index],
            )
            result = "booked"
        except ValidationError as exc:
            result = "conflict" if "practitioner" in exc.message_dict else f"error: {exc}"
        except Exception as exc:  # reported by the caller's assertion
            result = f"crash: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_once_give_one_appointment(
    make_user: Callable[..., User], make_patient: Callable[..., Patient]
) -> None:
    # Transactional tests flush tables between tests, taking the seeded opening hours with
    # them when another transactional test ran first: this test sets its own.
    for weekday in range(5):
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": time(9), "closes": time(18)}
        )
    practitioner = make_user("pract", Role.AESTHETICIAN)
    desks = [make_user("clin1", Role.CLINICIAN), make_user("clin2", Role.CLINICIAN)]
    for round_no in range(ROUNDS):
        starts_at = datetime.combine(MONDAY + timedelta(days=round_no), time(10), tzinfo=TZ)
        outcomes = race(
            practitioner=practitioner,
            patients=[make_patient(), make_patient()],
            desks=desks,
            starts_at=starts_at,
        )
        assert sorted(outcomes) == ["booked", "conflict"], outcomes
        assert (
            Appointment.objects.filter(practitioner=practitioner, starts_at=starts_at).count() == 1
        )
