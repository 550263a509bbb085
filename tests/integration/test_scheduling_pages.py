"""Diary pages through URLs: roles, booking (single and series), moving, cancelling,
statuses, opening hours, the .ics file, garbage input and query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.scheduling.models import Appointment, AppointmentStatus, ClosedDay, OpeningHours
from needlechart.scheduling.services import appointment_book
from tests.factories.scheduling import approved_plan

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/London")
MONDAY = date(2030, 3, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@pytest.fixture
def plan(patient: Patient, clinician: User) -> TreatmentPlan:
    return approved_plan(
        patient=patient, clinician=clinician, start_date=MONDAY, sessions=3, interval_weeks=4
    )


@pytest.fixture
def appointment(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User
) -> Appointment:
    return appointment_book(
        patient=patient,
        practitioner=clinician,
        starts_at=at(MONDAY, 10),
        by=front_desk,
        plan=plan,
        session_number=1,
    )


def calendar_url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('scheduling:calendar')}?{query}"


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("who", ["clinician", "aesthetician", "front_desk", "admin_client_"])
def test_every_staff_role_sees_the_diary(
    who: str, request: pytest.FixtureRequest, appointment: Appointment
) -> None:
    client: Client = request.getfixturevalue(who if who.endswith("_") else f"{who}_client")
    html = client.get(calendar_url(date=MONDAY.isoformat())).content.decode()
    assert "Olivia Bennett" in html
    assert "Session 1" in html
    assert client.get(reverse("scheduling:appointment", args=[appointment.pk])).status_code == 200


def test_anonymous_redirected(client: Client, appointment: Appointment) -> None:
    for url in [
        reverse("scheduling:calendar"),
        reverse("scheduling:appointment", args=[appointment.pk]),
        reverse("scheduling:ics", args=[appointment.pk]),
        reverse("scheduling:hours"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_front_desk_sees_no_clinical_details(
    front_desk_client: Client, appointment: Appointment, plan: TreatmentPlan, clinician: User
) -> None:
    appointment.deviation_reason = "Post-inflammatory erythema still settling"
    appointment.save()
    html = front_desk_client.get(
        reverse("scheduling:appointment", args=[appointment.pk])
    ).content.decode()
    assert "Session 1" in html
    assert "Deviation" in html
    assert "erythema" not in html
    assert reverse("plans:detail", args=[plan.pk]) not in html
    series = front_desk_client.get(reverse("scheduling:series", args=[plan.pk])).content.decode()
    assert reverse("plans:detail", args=[plan.pk]) not in series
    assert plan.recommendation["indication_title"] not in series
    day = front_desk_client.get(calendar_url(date=MONDAY.isoformat())).content.decode()
    assert plan.recommendation["indication_title"] not in day


def test_hours_page_is_for_clinic_admin_only(
    clinician_client: Client, front_desk_client: Client, admin_client_: Client
) -> None:
    url = reverse("scheduling:hours")
    assert clinician_client.get(url).status_code == 403
    assert front_desk_client.get(url).status_code == 403
    assert admin_client_.get(url).status_code == 200


# ---------------------------------------------------------------- calendar


def test_day_and_week_views(
    clinician_client: Client, appointment: Appointment, clinician: User, aesthetician: User
) -> None:
    day = clinician_client.get(calendar_url(date=MONDAY.isoformat(), view="day"))
    html = day.content.decode()
    assert "Dr Test Clinician" in html and "Test Aesthetician" in html  # one column each
    assert reverse("patients:detail", args=[appointment.patient_id]) in html
    assert (
        f"{reverse('scheduling:book')}?date=2030-03-04&amp;starts=09%3A00&amp;practitioner=" in html
    )
    week = clinician_client.get(
        calendar_url(
            date=(MONDAY + timedelta(days=2)).isoformat(), view="week", practitioner=clinician.pk
        )
    ).content.decode()
    assert "Mon 4 Mar" in week and "Sat 9 Mar" in week
    assert "Sun 10 Mar" not in week  # closed every week and empty
    assert "Session 1" in week
    other = clinician_client.get(
        calendar_url(date=MONDAY.isoformat(), view="week", practitioner=aesthetician.pk)
    ).content.decode()
    assert "Session 1" not in other


def test_today_is_highlighted(clinician_client: Client) -> None:
    html = clinician_client.get(calendar_url(view="week")).content.decode()
    assert 'aria-current="date"' in html or "Closed" in html  # today may be a closed Sunday
    html = clinician_client.get(calendar_url(view="day")).content.decode()
    assert "(today)" in html


def test_closed_day_shown(clinician_client: Client) -> None:
    ClosedDay.objects.create(date=MONDAY, reason="Staff training")
    html = clinician_client.get(calendar_url(date=MONDAY.isoformat())).content.decode()
    assert "Closed: Staff training" in html
    assert "+ book" not in html


@pytest.mark.parametrize(
    "query",
    [
        "date=2026-02-30",
        "date=garbage&view=month",
        "practitioner=999999999",
        "practitioner=abc",
        "practitioner=99999999999999999999999",
        "view=<script>",
    ],
)
def test_calendar_garbage_is_a_form_error(clinician_client: Client, query: str) -> None:
    response = clinician_client.get(f"{reverse('scheduling:calendar')}?{query}")
    assert response.status_code == 200
    assert "field__error" in response.content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_calendar_query_count_does_not_grow(
    clinician_client: Client,
    make_patient: Callable[..., Patient],
    front_desk: User,
    clinician: User,
    aesthetician: User,
) -> None:
    appointment_book(
        patient=make_patient(), practitioner=clinician, starts_at=at(MONDAY, 9), by=front_desk
    )
    urls = [calendar_url(date=MONDAY.isoformat(), view=v) for v in ("day", "week")]
    before = [_queries(clinician_client, url) for url in urls]
    for offset in (0, 1):
        for hour in (11, 13, 15):
            for who in (clinician, aesthetician):
                appointment_book(
                    patient=make_patient(),
                    practitioner=who,
                    starts_at=at(MONDAY + timedelta(days=offset), hour),
                    by=front_desk,
                )
    assert [_queries(clinician_client, url) for url in urls] == before


def test_dashboard_panel_for_every_role(
    front_desk_client: Client, admin_client_: Client, clinician_client: Client
) -> None:
    for client in (front_desk_client, admin_client_, clinician_client):
        html = client.get(reverse("dashboard")).content.decode()
        assert "Today&#x27;s appointments" in html or "Today's appointments" in html


# ---------------------------------------------------------------- booking one


def book_data(who: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date": MONDAY.isoformat(),
        "starts": "10:00",
        "ends": "",
        "practitioner": who.pk,
        "session_number": "",
        "deviation_reason": "",
    }
    data.update(changes)
    return data


def test_front_desk_books_after_finding_the_patient(
    front_desk_client: Client, patient: Patient, aesthetician: User
) -> None:
    url = reverse("scheduling:book")
    html = front_desk_client.get(f"{url}?date=2030-03-04&starts=10:00&q=Bennett").content.decode()
    assert "Olivia Bennett" in html
    assert f"?patient={patient.pk}&amp;date=2030-03-04&amp;starts=10%3A00" in html
    form = front_desk_client.get(f"{url}?patient={patient.pk}&date=2030-03-04&starts=10:00")
    assert 'value="2030-03-04"' in form.content.decode()
    response = front_desk_client.post(
        f"{url}?patient={patient.pk}", book_data(aesthetician), follow=True
    )
    appt = Appointment.objects.get()
    assert response.redirect_chain[-1][0] == reverse("scheduling:appointment", args=[appt.pk])
    assert appt.practitioner == aesthetician
    assert appt.ends_at - appt.starts_at == timedelta(minutes=60)


def test_book_a_plan_session(
    clinician_client: Client, plan: TreatmentPlan, patient: Patient, clinician: User
) -> None:
    url = f"{reverse('scheduling:book')}?patient={patient.pk}"
    html = clinician_client.get(url).content.decode()
    assert "Book the series" in html
    clinician_client.post(url, book_data(clinician, session_number="1"))
    appt = Appointment.objects.get()
    assert (appt.plan_id, appt.session_number) == (plan.pk, 1)


@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"date": "2026-02-30"}, "Enter a valid date"),
        ({"date": "not a date"}, "Enter a valid date"),
        ({"starts": "25:99"}, "Enter a valid time"),
        ({"starts": "11:00", "ends": "10:00"}, "The end must be after the start"),
        ({"practitioner": "999999"}, "Choose a practitioner from the list"),
        ({"practitioner": "abc"}, "Choose a practitioner from the list"),
        ({"date": "2030-03-10"}, "not open on Sundays"),
        ({"starts": "07:00"}, "Outside opening hours"),
        ({"session_number": "7"}, "Select a valid choice"),
    ],
)
def test_book_bad_input_is_a_form_error(
    clinician_client: Client,
    plan: TreatmentPlan,
    patient: Patient,
    clinician: User,
    changes: dict[str, object],
    field_text: str,
) -> None:
    url = f"{reverse('scheduling:book')}?patient={patient.pk}"
    response = clinician_client.post(url, book_data(clinician, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert field_text in html
    assert 'class="field__error"' in html
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("patient_param", ["abc", "0", "-1", "99999999999999999999999"])
def test_book_bad_patient_ids(clinician_client: Client, patient_param: str) -> None:
    response = clinician_client.get(f"{reverse('scheduling:book')}?patient={patient_param}")
    assert response.status_code == 200  # back to finding the patient
    assert "First find the patient" in response.content.decode()


def test_book_unknown_patient_is_404(clinician_client: Client) -> None:
    assert clinician_client.get(f"{reverse('scheduling:book')}?patient=987654").status_code == 404


def test_conflict_message_beside_practitioner(
    front_desk_client: Client,
    appointment: Appointment,
    make_patient: Callable[..., Patient],
    clinician: User,
) -> None:
    other = make_patient()
    url = f"{reverse('scheduling:book')}?patient={other.pk}"
    response = front_desk_client.post(url, book_data(clinician, starts="10:30"))
    html = response.content.decode()
    assert "already has an appointment from 10:00 to 11:00" in html
    assert Appointment.objects.count() == 1


# ---------------------------------------------------------------- the series


def series_post(
    client: Client, plan: TreatmentPlan, changes: dict[str, object] | None = None
) -> tuple[int, str]:
    url = reverse("scheduling:series", args=[plan.pk])
    response = client.get(url)
    form = response.context["form"]
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "isoformat") and not isinstance(value, time):
            value = value.isoformat()
        elif isinstance(value, time):
            value = value.strftime("%H:%M")
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(changes or {})
    response = client.post(url, data)
    return response.status_code, response.content.decode()


def test_plan_page_has_book_the_series_button_then_lists_sessions(
    clinician_client: Client, plan: TreatmentPlan
) -> None:
    detail = reverse("plans:detail", args=[plan.pk])
    assert "Book the series" in clinician_client.get(detail).content.decode()
    status, _ = series_post(clinician_client, plan)
    assert status == 302
    assert Appointment.objects.filter(plan=plan).count() == 3
    html = clinician_client.get(detail).content.decode()
    assert "Book the series" not in html
    assert html.count("Session ") >= 3


def test_series_proposals_shown(clinician_client: Client, plan: TreatmentPlan) -> None:
    html = clinician_client.get(reverse("scheduling:series", args=[plan.pk])).content.decode()
    assert 'value="2030-03-04"' in html
    assert 'value="2030-04-01"' in html  # + 4 weeks
    assert 'value="2030-04-29"' in html
    assert "Window:" in html


def test_series_date_outside_window_needs_reason_beside_field(
    front_desk_client: Client, plan: TreatmentPlan
) -> None:
    status, html = series_post(front_desk_client, plan, {"s2_date": "2030-05-20"})
    assert status == 200
    assert "outside the window for session 2" in html
    assert not Appointment.objects.exists()
    status, _ = series_post(
        front_desk_client,
        plan,
        {"s2_date": "2030-05-20", "s2_deviation_reason": "Patient on holiday", "s3_book": ""},
    )
    assert status == 302
    second = Appointment.objects.get(session_number=2)
    assert second.deviation_reason == "Patient on holiday"
    assert not Appointment.objects.filter(session_number=3).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"s1_date": "2026-02-30"},
        {"s1_starts": "noon"},
        {"s1_practitioner": "424242"},
        {"s1_date": ""},
    ],
)
def test_series_garbage_is_a_form_error(
    clinician_client: Client, plan: TreatmentPlan, changes: dict[str, object]
) -> None:
    status, html = series_post(clinician_client, plan, changes)
    assert status == 200
    assert "field__error" in html
    assert not Appointment.objects.exists()


def test_series_for_draft_plan_redirects(clinician_client: Client, plan: TreatmentPlan) -> None:
    TreatmentPlan.objects.filter(pk=plan.pk).update(status="superseded")
    response = clinician_client.get(reverse("scheduling:series", args=[plan.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("bad_id", [0, 987654, 2**63])
def test_bad_ids_are_404(clinician_client: Client, bad_id: int) -> None:
    for name in ("appointment", "reschedule", "ics"):
        assert clinician_client.get(reverse(f"scheduling:{name}", args=[bad_id])).status_code == 404
    assert clinician_client.get(reverse("scheduling:series", args=[bad_id])).status_code == 404


# ---------------------------------------------------------------- move, cancel, statuses


def test_move_warns_about_later_sessions(
    front_desk_client: Client,
    plan: TreatmentPlan,
    patient: Patient,
    front_desk: User,
    clinician: User,
) -> None:
    booked = [
        appointment_book(
            patient=patient,
            practitioner=clinician,
            starts_at=at(MONDAY + timedelta(weeks=4 * i), 10),
            by=front_desk,
            plan=plan,
            session_number=i + 1,
        )
        for i in range(3)
    ]
    url = reverse("scheduling:reschedule", args=[booked[1].pk])
    assert front_desk_client.get(url).status_code == 200
    response = front_desk_client.post(
        url,
        {
            "date": (MONDAY + timedelta(weeks=6)).isoformat(),
            "starts": "10:00",
            "ends": "11:00",
            "practitioner": clinician.pk,
            "deviation_reason": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Appointment moved." in html
    assert "message--warning" in html
    assert "Session 3 on" in html and "is now outside its window" in html


def test_move_garbage(front_desk_client: Client, appointment: Appointment, clinician: User) -> None:
    url = reverse("scheduling:reschedule", args=[appointment.pk])
    response = front_desk_client.post(
        url, {"date": "2030-02-31", "starts": "10:00", "practitioner": clinician.pk}
    )
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    response = front_desk_client.post(
        url,
        {"date": "2030-03-05", "starts": "12:00", "ends": "11:30", "practitioner": clinician.pk},
    )
    assert "The end must be after the start" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(MONDAY, 10)


def test_move_keeping_the_prefilled_end_keeps_the_length(
    front_desk_client: Client, appointment: Appointment, clinician: User
) -> None:
    length = appointment.ends_at - appointment.starts_at
    url = reverse("scheduling:reschedule", args=[appointment.pk])
    form = front_desk_client.get(url).context["form"]
    prefilled_end = form.initial["ends"].strftime("%H:%M")
    new_day = MONDAY + timedelta(days=1)
    response = front_desk_client.post(
        url,
        # A later start than the old end: the old end, kept, used to be refused.
        {
            "date": new_day.isoformat(),
            "starts": "15:00",
            "ends": prefilled_end,
            "practitioner": clinician.pk,
        },
        follow=True,
    )
    assert "Appointment moved." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(new_day, 15)
    assert appointment.ends_at - appointment.starts_at == length
    # An end the user changes is still taken as given.
    response = front_desk_client.post(
        url,
        {
            "date": new_day.isoformat(),
            "starts": "15:00",
            "ends": "15:45",
            "practitioner": clinician.pk,
        },
        follow=True,
    )
    assert "Appointment moved." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=45)


def test_cancel_and_statuses(front_desk_client: Client, appointment: Appointment) -> None:
    cancel = reverse("scheduling:cancel", args=[appointment.pk])
    page = front_desk_client.get(cancel)
    assert (
        page.status_code == 200 and "The practitioner&#x27;s time is free" in page.content.decode()
    )
    response = front_desk_client.post(cancel, {"reason": ""})
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    response = front_desk_client.post(cancel, {"reason": "Patient asked"}, follow=True)
    assert "Appointment cancelled." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    response = front_desk_client.post(
        reverse("scheduling:attend", args=[appointment.pk]), follow=True
    )
    assert "Only a booked appointment" in response.content.decode()


def test_future_appointment_cannot_be_marked(
    front_desk_client: Client, appointment: Appointment
) -> None:
    for name in ("attend", "no_show"):
        response = front_desk_client.post(
            reverse(f"scheduling:{name}", args=[appointment.pk]), follow=True
        )
        assert "message--error" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


# ---------------------------------------------------------------- iCalendar


def test_ics_parses_back(
    front_desk_client: Client, appointment: Appointment, settings: object
) -> None:
    response = front_desk_client.get(reverse("scheduling:ics", args=[appointment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="appointment-{appointment.pk}.ics"' in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"appointment-{appointment.pk}@needlechart"
    from django.conf import settings as django_settings

    assert str(event["SUMMARY"]) == f"Appointment at {django_settings.CLINIC_NAME}"
    assert str(event["LOCATION"]) == django_settings.CLINIC_ADDRESS
    assert event["DTSTAMP"] is not None
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert start == appointment.starts_at and end == appointment.ends_at
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    text = response.content.decode()
    assert "Session" not in text
    assert "microneedl" not in text.lower()


# ---------------------------------------------------------------- opening hours page


def hours_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"action": "hours"}
    for w in range(5):
        data |= {f"day{w}_open": "on", f"day{w}_opens": "09:00", f"day{w}_closes": "18:00"}
    data |= {"day5_open": "on", "day5_opens": "09:00", "day5_closes": "13:00"}
    data.update(changes)
    return data


def test_admin_changes_hours(admin_client_: Client) -> None:
    url = reverse("scheduling:hours")
    response = admin_client_.post(
        url, hours_data(day6_open="on", day6_opens="10:00", day6_closes="14:00")
    )
    assert response.status_code == 302
    assert OpeningHours.objects.get(weekday=6).opens == time(10)
    response = admin_client_.post(url, hours_data(day5_open=""))
    assert not OpeningHours.objects.filter(weekday=5).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"day0_opens": "18:00", "day0_closes": "09:00"},
        {"day0_opens": "9am"},
        {"day1_closes": ""},
        {"day2_opens": "24:30"},
    ],
)
def test_hours_garbage(admin_client_: Client, changes: dict[str, object]) -> None:
    response = admin_client_.post(reverse("scheduling:hours"), hours_data(**changes))
    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    assert OpeningHours.objects.get(weekday=0).closes == time(18)


def test_admin_closed_days(admin_client_: Client, appointment: Appointment) -> None:
    url = reverse("scheduling:hours")
    response = admin_client_.post(
        url, {"action": "closed_day", "date": MONDAY.isoformat(), "reason": "Flood"}, follow=True
    )
    html = response.content.decode()
    assert "marked as closed" in html
    assert "1 booked appointment on that day must be moved or cancelled" in html
    closed = ClosedDay.objects.get()
    response = admin_client_.post(url, {"action": "closed_day", "date": "2026-02-30"})
    assert response.status_code == 400
    response = admin_client_.post(url, {"action": "closed_day", "date": MONDAY.isoformat()})
    assert "already marked as closed" in response.content.decode()
    admin_client_.post(reverse("scheduling:closed_day_delete", args=[closed.pk]))
    assert not ClosedDay.objects.exists()
    response = admin_client_.post(
        reverse("scheduling:closed_day_delete", args=[closed.pk]), follow=True
    )
    assert "no longer exists" in response.content.decode()
