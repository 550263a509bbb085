"""The patient portal: sign-in links, isolation between patients, documents, photos,
check-ins and the staff side (invite, dashboard panels, review)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.portal.models import CheckIn, CheckInPhoto, PortalToken, RescheduleRequest
from needlechart.portal.services import hash_secret
from needlechart.portal.views import NEUTRAL_ANSWER, SESSION_KEY
from needlechart.protocol.aftercare import aftercare_timeline
from needlechart.scheduling.models import Appointment, AppointmentStatus
from tests.factories.documents import Course, course
from tests.factories.imaging import GPS_IFD, image_bytes, upload, use_temp_photo_storage
from tests.factories.outcomes import signed_session

pytestmark = pytest.mark.django_db

PHONE = "020 7946 0000"
LINK = re.compile(r"/portal/enter/([A-Za-z0-9_\-]+)/")


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    use_temp_photo_storage(settings, tmp_path)
    settings.CLINIC_PHONE = PHONE
    settings.SITE_URL = "https://clinic.example"
    cache.clear()


def invite_secret(client: Client, patient: Patient) -> str:
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the link goes after commit
        response = client.post(reverse("portal:invite", args=[patient.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    match = LINK.search(str(mail.outbox[0].body))
    assert match, mail.outbox[0].body
    assert "https://clinic.example/portal/enter/" in mail.outbox[0].body
    return match.group(1)


def portal_client(patient: Patient) -> Client:
    from needlechart.portal.services import _token_create

    _token, secret = _token_create(patient=patient, by=None)
    client = Client()
    response = client.post(reverse("portal:enter", args=[secret]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    return client


def book(patient: Patient, by: User, *, days: int = 10) -> Appointment:
    start = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days), time(10))
    )
    return Appointment.objects.create(
        patient=patient,
        practitioner=by,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=AppointmentStatus.BOOKED,
        created_by=by,
    )


@pytest.fixture
def mine(make_patient: Any, clinician: User) -> tuple[Patient, Course]:
    p = make_patient(given_name="Mia", family_name="Own", email="mia@example.com")
    return p, course(patient=p, by=clinician)


@pytest.fixture
def theirs(make_patient: Any, clinician: User) -> tuple[Patient, Course]:
    p = make_patient(given_name="Tom", family_name="Other", email="tom@example.com")
    return p, course(patient=p, by=clinician)


# ---------------------------------------------------------------- sign-in


def test_invite_sends_link_and_stores_only_hash(clinician_client: Client, mine: Any) -> None:
    patient, _ = mine
    secret = invite_secret(clinician_client, patient)
    token = PortalToken.objects.get(patient=patient)
    assert token.token_hash == hash_secret(secret)
    assert secret not in token.token_hash
    assert abs(token.expires_at - token.created_at - timedelta(minutes=30)) < timedelta(seconds=5)


def test_front_desk_may_invite(front_desk_client: Client, mine: Any) -> None:
    invite_secret(front_desk_client, mine[0])


def test_invite_needs_email(clinician_client: Client, make_patient: Any) -> None:
    p = make_patient(given_name="No", family_name="Mail", email="")
    response = clinician_client.post(reverse("portal:invite", args=[p.pk]), follow=True)
    assert "no e-mail address" in response.content.decode()
    assert not PortalToken.objects.filter(patient=p).exists()
    assert mail.outbox == []


def test_invite_requires_staff(mine: Any) -> None:
    response = Client().post(reverse("portal:invite", args=[mine[0].pk]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not PortalToken.objects.exists()


def test_get_does_not_consume_and_post_signs_in(clinician_client: Client, mine: Any) -> None:
    patient, _ = mine
    secret = invite_secret(clinician_client, patient)
    client = Client()
    url = reverse("portal:enter", args=[secret])
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert PortalToken.objects.get(patient=patient).used_at is None
    before = client.session.session_key
    response = client.post(url)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == patient.pk
    assert client.session.session_key != before
    assert PortalToken.objects.get(patient=patient).used_at is not None
    assert "Mia" in client.get(reverse("portal:home")).content.decode()


def test_reused_link_refused(clinician_client: Client, mine: Any) -> None:
    secret = invite_secret(clinician_client, mine[0])
    url = reverse("portal:enter", args=[secret])
    assert Client().post(url).status_code == 302
    other = Client()
    response = other.post(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert SESSION_KEY not in other.session
    assert other.get(reverse("portal:home")).status_code == 302


def test_expired_link_refused(clinician_client: Client, mine: Any) -> None:
    secret = invite_secret(clinician_client, mine[0])
    PortalToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    url = reverse("portal:enter", args=[secret])
    assert "has expired" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 410
    assert reverse("portal:request_link") in response.content.decode()
    assert SESSION_KEY not in client.session


def test_unknown_link_refused() -> None:
    client = Client()
    url = reverse("portal:enter", args=["not-a-real-secret"])
    assert client.get(url).status_code == 404
    response = client.post(url)
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_request_link_neutral_answer(mine: Any) -> None:
    client = Client()
    url = reverse("portal:request_link")
    with TestCase.captureOnCommitCallbacks(execute=True):
        known = client.post(url, {"email": "MIA@example.com"})
    unknown = client.post(url, {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert NEUTRAL_ANSWER in known.content.decode()
    assert NEUTRAL_ANSWER in unknown.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@example.com"]
    secret = LINK.search(str(mail.outbox[0].body))
    assert secret is not None
    assert Client().post(reverse("portal:enter", args=[secret.group(1)])).status_code == 302


def test_request_link_rate_limited(mine: Any) -> None:
    client = Client()
    url = reverse("portal:request_link")
    for _ in range(5):
        assert client.post(url, {"email": "nobody@example.com"}).status_code == 200
    response = client.post(url, {"email": "mia@example.com"})
    assert response.status_code == 429
    assert mail.outbox == []


def test_sign_out(mine: Any) -> None:
    client = portal_client(mine[0])
    client.post(reverse("portal:sign_out"))
    assert client.get(reverse("portal:home")).status_code == 302


# ---------------------------------------------------------------- staff / portal separation


@pytest.mark.parametrize(
    "name,args",
    [
        ("dashboard", []),
        ("patients:list", []),
        ("patients:detail", ["pid"]),
        ("documents:progress_report", ["pid"]),
        ("imaging:gallery", ["pid"]),
        ("plans:list", ["pid"]),
    ],
)
def test_staff_pages_refuse_portal_session(mine: Any, name: str, args: list[str]) -> None:
    patient, _ = mine
    client = portal_client(patient)
    url = reverse(name, args=[patient.pk if a == "pid" else a for a in args])
    response = client.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/accounts/" in response["Location"] or "login" in response["Location"]


def test_portal_refuses_staff_login(clinician_client: Client) -> None:
    assert clinician_client.get(reverse("portal:home")).status_code == 403


def test_entering_portal_ends_staff_login(clinician_client: Client, mine: Any) -> None:
    secret = invite_secret(clinician_client, mine[0])
    clinician_client.post(reverse("portal:enter", args=[secret]))
    assert clinician_client.get(reverse("portal:home")).status_code == 200
    assert clinician_client.get(reverse("patients:list")).status_code == 302


# ---------------------------------------------------------------- isolation


def portal_urls(patient: Patient, c: Course, clinician: User) -> list[str]:
    appt = book(patient, clinician)
    check_in = CheckIn.objects.create(
        patient=patient, session=c.sessions[0], day=1, worst_level="expected"
    )
    return [
        reverse("portal:appointment_ics", args=[appt.pk]),
        reverse("portal:reschedule", args=[appt.pk]),
        reverse("portal:consent_pdf", args=[c.consent.pk]),
        reverse("portal:aftercare_pdf", args=[c.sessions[0].pk]),
        reverse("portal:plan_pdf", args=[c.plan.pk]),
        reverse("portal:photo", args=[c.photos[0].pk]),
        reverse("portal:check_in", args=[c.sessions[-1].pk, 1]),
        reverse("portal:check_in_result", args=[check_in.pk]),
        reverse("portal:check_in_photo", args=[check_in.pk, "thumbnail"]),
    ]


def test_every_portal_url_with_other_patients_ids_is_404(
    mine: Any, theirs: Any, clinician: User
) -> None:
    client = portal_client(mine[0])
    other_urls = portal_urls(theirs[0], theirs[1], clinician)
    for url in other_urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, (url, response.status_code)
    assert not RescheduleRequest.objects.exists()
    # every parametrised portal URL is covered
    from needlechart.portal.urls import urlpatterns

    with_ids = {getattr(p, "name", "") for p in urlpatterns if "<int:" in str(p.pattern)}
    covered = {
        "appointment_ics",
        "reschedule",
        "consent_pdf",
        "aftercare_pdf",
        "plan_pdf",
        "photo",
        "check_in",
        "check_in_result",
        "check_in_photo",
        # staff-side views (staff login required; tested separately)
        "invite",
        "check_in_review",
        "check_in_photo_staff",
        "reschedule_handled",
    }
    assert with_ids <= covered


def test_portal_session_cannot_use_staff_side_portal_urls(mine: Any, clinician: User) -> None:
    patient, c = mine
    client = portal_client(patient)
    check_in = CheckIn.objects.create(
        patient=patient, session=c.sessions[0], day=1, worst_level="urgent"
    )
    req = RescheduleRequest.objects.create(
        patient=patient, appointment=book(patient, clinician), preferred_times="any"
    )
    for url in (
        reverse("portal:invite", args=[patient.pk]),
        reverse("portal:check_in_review", args=[check_in.pk]),
        reverse("portal:reschedule_handled", args=[req.pk]),
    ):
        response = client.post(url, {"note": "x"})
        assert response.status_code in (302, 403, 405)
        if response.status_code == 302:
            assert "/accounts/" in response["Location"]
    check_in.refresh_from_db()
    req.refresh_from_db()
    assert check_in.reviewed_at is None and req.handled_at is None


def test_own_urls_work(mine: Any, clinician: User) -> None:
    patient, c = mine
    client = portal_client(patient)
    urls = portal_urls(patient, c, clinician)
    ok = {u: client.get(u).status_code for u in urls if "/check-ins/" not in u}
    assert set(ok.values()) == {200}, ok


# ---------------------------------------------------------------- pages


def test_home_shows_plan_appointments_preparation(mine: Any, clinician: User) -> None:
    patient, c = mine
    appt = book(patient, clinician, days=20)
    client = portal_client(patient)
    html = client.get(reverse("portal:home")).content.decode()
    assert f"{c.plan.sessions_planned} session" in html
    assert reverse("portal:appointment_ics", args=[appt.pk]) in html
    if c.plan.engine_plan().preparation:
        assert 'id="preparation"' in html
    ics = client.get(reverse("portal:appointment_ics", args=[appt.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content


def test_reschedule_request_reaches_dashboard(
    mine: Any, clinician: User, front_desk_client: Client
) -> None:
    patient, _ = mine
    appt = book(patient, clinician)
    client = portal_client(patient)
    url = reverse("portal:reschedule", args=[appt.pk])
    assert client.post(url, {"preferred_times": ""}).status_code == 200
    response = client.post(url, {"preferred_times": "Tuesday mornings", "message": "Away"})
    assert response.status_code == 302
    req = RescheduleRequest.objects.get()
    assert req.appointment == appt
    html = front_desk_client.get(reverse("dashboard")).content.decode()
    assert "Reschedule requests" in html and "Tuesday mornings" in html
    front_desk_client.post(reverse("portal:reschedule_handled", args=[req.pk]))
    assert "Tuesday mornings" not in front_desk_client.get(reverse("dashboard")).content.decode()


def test_today_aftercare(make_patient: Any, clinician: User) -> None:
    patient = make_patient(given_name="Ann", family_name="After", email="a@example.com")
    c = course(patient=patient, by=clinician, sessions=1, photos=False)
    session = c.sessions[0]
    session.performed_on = timezone.localdate() - timedelta(days=1)
    session.aftercare = [
        d.model_dump(mode="json") for d in aftercare_timeline(session_date=session.performed_on)
    ]
    session.save()
    html = portal_client(patient).get(reverse("portal:home")).content.decode()
    assert "Today&#x27;s aftercare (day 1" in html or "Today's aftercare (day 1" in html


def test_documents_list_and_download_own(mine: Any) -> None:
    patient, c = mine
    client = portal_client(patient)
    html = client.get(reverse("portal:documents")).content.decode()
    for url in (
        reverse("portal:consent_pdf", args=[c.consent.pk]),
        reverse("portal:plan_pdf", args=[c.plan.pk]),
        reverse("portal:aftercare_pdf", args=[c.sessions[0].pk]),
    ):
        assert url in html
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")


def test_progress_photos_only_with_consent(make_patient: Any, clinician: User, mine: Any) -> None:
    patient, c = mine
    client = portal_client(patient)
    html = client.get(reverse("portal:progress")).content.decode()
    assert reverse("portal:photo", args=[c.photos[0].pk]) in html
    assert client.get(reverse("portal:photo", args=[c.photos[0].pk])).status_code == 200
    # consent withdrawn: photos vanish and the URL is a 404
    c.consent.withdrawn_at = timezone.now()
    c.consent.status = "withdrawn"
    c.consent.save()
    html = client.get(reverse("portal:progress")).content.decode()
    assert reverse("portal:photo", args=[c.photos[0].pk]) not in html
    assert client.get(reverse("portal:photo", args=[c.photos[0].pk])).status_code == 404


# ---------------------------------------------------------------- check-ins


@pytest.fixture
def fresh(make_patient: Any, clinician: User) -> tuple[Patient, Any]:
    patient = make_patient(given_name="Fay", family_name="Fresh", email="f@example.com")
    c = course(patient=patient, by=clinician, sessions=1, photos=False)
    session = signed_session(
        plan=c.plan, by=clinician, number=2, performed_on=timezone.localdate() - timedelta(days=1)
    )
    return patient, session


def test_check_in_expected(fresh: Any, clinician_client: Client) -> None:
    patient, session = fresh
    client = portal_client(patient)
    url = reverse("portal:check_in", args=[session.pk, 1])
    assert url in client.get(reverse("portal:home")).content.decode()
    response = client.post(url, {"redness_present": "on", "redness_severity": "mild"})
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    assert check_in.worst_level == "expected"
    assert 'id="all-expected"' in client.get(response["Location"]).content.decode()
    # not shown to staff for review
    html = clinician_client.get(reverse("dashboard")).content.decode()
    assert reverse("portal:check_in_review", args=[check_in.pk]) not in html
    # a second submission is refused
    client.post(url, {})
    assert CheckIn.objects.count() == 1
    # day 3 is not due yet
    assert client.get(reverse("portal:check_in", args=[session.pk, 3])).status_code == 404


def test_check_in_urgent_until_reviewed(fresh: Any, clinician_client: Client) -> None:
    patient, session = fresh
    client = portal_client(patient)
    url = reverse("portal:check_in", args=[session.pk, 1])
    response = client.post(
        url, {"fever_present": "on", "fever_severity": "severe", "fever_worse": "on"}
    )
    check_in = CheckIn.objects.get()
    assert check_in.worst_level == "urgent"
    html = client.get(response["Location"]).content.decode()
    assert 'id="urgent-advice"' in html and PHONE in html
    review_url = reverse("portal:check_in_review", args=[check_in.pk])
    assert review_url in clinician_client.get(reverse("dashboard")).content.decode()
    assert (
        review_url
        in clinician_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    )
    clinician_client.post(review_url, {"note": "Called, seen same day."})
    check_in.refresh_from_db()
    assert check_in.reviewed_at is not None and check_in.review_note
    assert review_url not in clinician_client.get(reverse("dashboard")).content.decode()


def test_check_in_severity_required(fresh: Any) -> None:
    patient, session = fresh
    client = portal_client(patient)
    response = client.post(reverse("portal:check_in", args=[session.pk, 1]), {"pain_present": "on"})
    assert response.status_code == 200
    assert "how bad" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_front_desk_cannot_review(fresh: Any, front_desk_client: Client) -> None:
    patient, session = fresh
    check_in = CheckIn.objects.create(patient=patient, session=session, day=1, worst_level="urgent")
    response = front_desk_client.post(
        reverse("portal:check_in_review", args=[check_in.pk]), {"note": "x"}
    )
    assert response.status_code == 403


def test_check_in_form_uses_protocol_labels(fresh: Any) -> None:
    from needlechart.protocol import default_protocol

    patient, session = fresh
    client = portal_client(patient)
    response = client.get(reverse("portal:check_in", args=[session.pk, 1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert session.device == "automated_pen"
    for rule in default_protocol().document.aftercare.symptoms.values():
        # Device warnings match the device used: no RF burns after a pen session.
        for_this_device = rule.applies_to_devices is None or "automated_pen" in [
            d.value for d in rule.applies_to_devices
        ]
        assert (escape(rule.label) in html) is for_this_device, rule.label


def test_home_without_a_plan(make_patient: Any) -> None:
    patient = make_patient(given_name="New", family_name="Comer", email="n@example.com")
    client = portal_client(patient)
    for name in ("portal:home", "portal:documents", "portal:progress"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
    assert (
        "not yet approved a treatment plan" in client.get(reverse("portal:home")).content.decode()
    )


# ---------------------------------------------------------------- check-in photos


def _send_with_photo(client: Client, session: Any, data: bytes) -> Any:
    return client.post(
        reverse("portal:check_in", args=[session.pk, 1]),
        {
            "redness_present": "on",
            "redness_severity": "mild",
            "photo": upload("IMG_0001.jpg", data),
        },
    )


def test_check_in_photo_with_consent_is_stored_without_gps(fresh: Any, tmp_path: Path) -> None:
    from PIL import Image

    patient, session = fresh
    client = portal_client(patient)
    html = client.get(reverse("portal:check_in", args=[session.pk, 1])).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'accept="image/*"' in html
    assert 'capture="environment"' in html
    assert 'id="photo-needs-consent"' not in html
    response = _send_with_photo(client, session, image_bytes(gps=True, orientation=6))
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    photo = CheckInPhoto.objects.get(check_in=check_in)
    assert (photo.width, photo.height) == (48, 64)  # turned upright
    assert photo.content_type == "image/jpeg" and photo.size_bytes > 0
    name = str(photo.original.name)
    assert "IMG_0001" not in name
    stored = tmp_path / "photos" / name
    assert stored.exists()
    with Image.open(stored) as im:
        exif = im.getexif()
        assert GPS_IFD not in exif and 0x010F not in exif
    assert b"TestCam" not in stored.read_bytes()
    # shown on the result page and served to the patient, never cached
    html = client.get(response["Location"]).content.decode()
    thumb_url = reverse("portal:check_in_photo", args=[check_in.pk, "thumbnail"])
    assert thumb_url in html
    for size in ("thumbnail", "original"):
        got = client.get(reverse("portal:check_in_photo", args=[check_in.pk, size]))
        assert got.status_code == 200
        assert got["Content-Type"] == "image/jpeg"
        assert got["Cache-Control"] == "private, no-store"
    assert client.get(
        reverse("portal:check_in_photo", args=[check_in.pk, "other"])
    ).status_code == (404)


def test_check_in_invalid_photo_saves_nothing(fresh: Any, tmp_path: Path) -> None:
    patient, session = fresh
    client = portal_client(patient)
    response = _send_with_photo(client, session, b"this is not a picture at all")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="photo-error"' in html and "cannot be used" in html
    assert not CheckIn.objects.exists()
    assert not CheckInPhoto.objects.exists()
    photos_dir = tmp_path / "photos"
    assert not photos_dir.exists() or not any(photos_dir.iterdir())


def test_check_in_photo_needs_photo_consent(make_patient: Any, clinician: User) -> None:
    patient = make_patient(given_name="Nel", family_name="Noconsent", email="n@example.com")
    c = course(patient=patient, by=clinician, sessions=1, photos=False, photo_clinical=False)
    session = signed_session(
        plan=c.plan, by=clinician, number=2, performed_on=timezone.localdate() - timedelta(days=1)
    )
    client = portal_client(patient)
    html = client.get(reverse("portal:check_in", args=[session.pk, 1])).content.decode()
    assert 'type="file"' not in html
    assert 'id="photo-needs-consent"' in html and "photo consent" in html
    response = _send_with_photo(client, session, image_bytes())
    assert response.status_code == 302
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert not CheckInPhoto.objects.exists()


@pytest.fixture
def sent_photo(fresh: Any) -> CheckIn:
    patient, session = fresh
    client = portal_client(patient)
    assert _send_with_photo(client, session, image_bytes()).status_code == 302
    check_in = CheckIn.objects.get()
    assert CheckInPhoto.objects.filter(check_in=check_in).exists()
    return check_in


def test_other_patient_cannot_fetch_check_in_photo(sent_photo: CheckIn, theirs: Any) -> None:
    client = portal_client(theirs[0])
    for size in ("thumbnail", "original"):
        url = reverse("portal:check_in_photo", args=[sent_photo.pk, size])
        assert client.get(url).status_code == 404
        staff_url = reverse("portal:check_in_photo_staff", args=[sent_photo.pk, size])
        response = client.get(staff_url)
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or "/accounts/" in response["Location"]


def test_front_desk_cannot_fetch_check_in_photo(
    sent_photo: CheckIn, front_desk_client: Client
) -> None:
    from needlechart.audit.models import AuditEvent

    url = reverse("portal:check_in_photo_staff", args=[sent_photo.pk, "thumbnail"])
    assert front_desk_client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="check_in_photo.view").exists()


def test_clinician_sees_check_in_photo_and_it_is_audited(
    sent_photo: CheckIn, clinician: User, clinician_client: Client
) -> None:
    from needlechart.audit.models import AuditEvent

    html = clinician_client.get(
        reverse("portal:check_in_review", args=[sent_photo.pk])
    ).content.decode()
    thumb_url = reverse("portal:check_in_photo_staff", args=[sent_photo.pk, "thumbnail"])
    assert thumb_url in html
    response = clinician_client.get(thumb_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="check_in_photo.view")
    assert event.actor_id == clinician.pk
    assert event.patient_id == sent_photo.patient_id
    original = clinician_client.get(
        reverse("portal:check_in_photo_staff", args=[sent_photo.pk, "original"])
    )
    assert original.status_code == 200
    assert AuditEvent.objects.filter(action="check_in_photo.view").count() == 2


def test_withdrawn_photo_consent_closes_check_in_photos_to_staff(
    sent_photo: CheckIn, clinician_client: Client
) -> None:
    from django.utils import timezone

    from needlechart.consents.models import Consent, ConsentStatus

    Consent.objects.filter(patient_id=sent_photo.patient_id).update(
        status=ConsentStatus.WITHDRAWN, withdrawn_at=timezone.now()
    )
    url = reverse("portal:check_in_photo_staff", args=[sent_photo.pk, "thumbnail"])
    assert clinician_client.get(url).status_code == 403
