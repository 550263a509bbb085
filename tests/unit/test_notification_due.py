"""What is due: fixed dates in, messages out (pure module, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from needlechart.notifications import due
from needlechart.notifications.due import (
    AppointmentIn,
    CompletedCourseIn,
    CourseStartIn,
    DeferredScreeningIn,
    PreparationStep,
    SignedSessionIn,
    add_months,
    messages_due,
)

POLICY = due.Policy(
    reminder_hours_before=24,
    check_in_days=(1, 3, 7),
    follow_up_from_weeks=4,
    follow_up_to_weeks=13,
    send_at=time(9, 0),
    tz=UTC,
)
START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
APPT = AppointmentIn(
    id=42, patient_id=7, starts_at=START, created_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
)


def kinds_at(now: datetime, **inputs: object) -> list[str]:
    return [m.kind for m in messages_due(now=now, policy=POLICY, **inputs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 1, 9, 0, tzinfo=UTC), []),  # before the booking was made
        (datetime(2026, 3, 1, 10, 0, tzinfo=UTC), ["booking_confirmation"]),
        (datetime(2026, 3, 8, 9, 59, tzinfo=UTC), ["booking_confirmation"]),
        (datetime(2026, 3, 8, 10, 0, tzinfo=UTC), []),  # confirmation too late after a week
        (datetime(2026, 3, 9, 13, 59, tzinfo=UTC), []),
        (datetime(2026, 3, 9, 14, 0, tzinfo=UTC), ["session_reminder"]),  # 24 h before
        (datetime(2026, 3, 10, 13, 59, tzinfo=UTC), ["session_reminder"]),
        (START, []),  # never after the appointment began
    ],
)
def test_appointment_messages(now: datetime, expected: list[str]) -> None:
    assert kinds_at(now, appointments=[APPT]) == expected


def test_reminder_hours_come_from_the_policy() -> None:
    policy = due.Policy(**{**POLICY.__dict__, "reminder_hours_before": 48})
    out = messages_due(now=START - timedelta(hours=47), policy=policy, appointments=[APPT])
    reminder = [m for m in out if m.kind == "session_reminder"]
    assert reminder and reminder[0].due_at == START - timedelta(hours=48)


def test_moved_appointment_gets_a_new_key() -> None:
    moved = AppointmentIn(
        id=42, patient_id=7, starts_at=START + timedelta(days=1), created_at=APPT.created_at
    )
    now = datetime(2026, 3, 2, tzinfo=UTC)
    (a,) = messages_due(now=now, policy=POLICY, appointments=[APPT])
    (b,) = messages_due(now=now, policy=POLICY, appointments=[moved])
    assert a.dedupe_key != b.dedupe_key
    assert a.dedupe_key.startswith("booking_confirmation:appointment:42:")


def test_preparation_steps_count_back_from_the_first_session() -> None:
    course = CourseStartIn(
        plan_id=5,
        patient_id=7,
        first_appointment_id=42,
        first_starts_at=START,
        steps=(
            PreparationStep("retinoids", "Stop retinoids", "Text from the plan.", 5),
            PreparationStep("sun", "Avoid sun", "Other text.", 14),
        ),
    )
    out = messages_due(
        now=datetime(2026, 3, 5, 9, 0, tzinfo=UTC), policy=POLICY, course_starts=[course]
    )
    assert [(m.context["title"], m.due_at.date()) for m in out] == [
        ("Avoid sun", date(2026, 2, 24)),
        ("Stop retinoids", date(2026, 3, 5)),
    ]
    assert out[1].context["text"] == "Text from the plan."
    assert out[1].dedupe_key == "preparation_reminder:plan:5:retinoids:appointment:42"
    assert (
        messages_due(
            now=datetime(2026, 3, 5, 8, 59, tzinfo=UTC), policy=POLICY, course_starts=[course]
        )[0].context["title"]
        == "Avoid sun"
    )
    assert messages_due(now=START, policy=POLICY, course_starts=[course]) == []


@pytest.mark.parametrize(
    ("now", "days"),
    [
        (datetime(2026, 3, 10, 20, 0, tzinfo=UTC), []),
        (datetime(2026, 3, 11, 9, 0, tzinfo=UTC), [1]),
        (datetime(2026, 3, 13, 9, 0, tzinfo=UTC), [1, 3]),
        (datetime(2026, 3, 17, 9, 0, tzinfo=UTC), [1, 3, 7]),
        (datetime(2026, 3, 18, 9, 0, tzinfo=UTC), [3, 7]),  # day 1 is more than a week old
        (datetime(2026, 4, 1, 9, 0, tzinfo=UTC), []),
    ],
)
def test_check_in_invitations(now: datetime, days: list[int]) -> None:
    session = SignedSessionIn(id=9, patient_id=7, performed_on=date(2026, 3, 10))
    out = messages_due(now=now, policy=POLICY, signed_sessions=[session])
    assert [m.context["day"] for m in out] == days
    assert all(m.dedupe_key == f"check_in_invitation:session:9:day:{m.context['day']}" for m in out)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 4, 6, 9, 0, tzinfo=UTC), []),
        (datetime(2026, 4, 7, 9, 0, tzinfo=UTC), ["follow_up_reminder"]),  # 4 weeks
        (datetime(2026, 6, 8, 9, 0, tzinfo=UTC), ["follow_up_reminder"]),
        (datetime(2026, 6, 9, 9, 0, tzinfo=UTC), []),  # window (13 weeks) closed
        (datetime(2026, 9, 10, 9, 0, tzinfo=UTC), ["maintenance_reminder"]),  # 6 months
        (datetime(2026, 9, 17, 9, 0, tzinfo=UTC), []),
    ],
)
def test_follow_up_and_maintenance(now: datetime, expected: list[str]) -> None:
    course = CompletedCourseIn(
        plan_id=5, patient_id=7, last_session_on=date(2026, 3, 10), maintenance_interval_months=6
    )
    assert kinds_at(now, completed_courses=[course]) == expected


def test_no_maintenance_without_an_interval() -> None:
    course = CompletedCourseIn(
        plan_id=5, patient_id=7, last_session_on=date(2026, 3, 10), maintenance_interval_months=None
    )
    assert kinds_at(datetime(2026, 9, 10, 9, 0, tzinfo=UTC), completed_courses=[course]) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 5, 1, 8, 59, tzinfo=UTC), []),
        (datetime(2026, 5, 1, 9, 0, tzinfo=UTC), ["rescreen_reminder"]),
        (datetime(2026, 5, 8, 9, 0, tzinfo=UTC), []),
    ],
)
def test_rescreen(now: datetime, expected: list[str]) -> None:
    s = DeferredScreeningIn(id=3, patient_id=7, rescreen_on=date(2026, 5, 1))
    assert kinds_at(now, deferred_screenings=[s]) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_kinds_match_the_message_model() -> None:
    from needlechart.notifications.models import MessageKind

    for name in (
        "BOOKING_CONFIRMATION",
        "SESSION_REMINDER",
        "PREPARATION_REMINDER",
        "CHECK_IN_INVITATION",
        "FOLLOW_UP_REMINDER",
        "MAINTENANCE_REMINDER",
        "RESCREEN_REMINDER",
    ):
        assert getattr(due, name) == getattr(MessageKind, name).value


def test_due_module_is_pure() -> None:
    source = Path(due.__file__).read_text(encoding="utf-8")
    assert "django" not in source.replace("no Django", "")
