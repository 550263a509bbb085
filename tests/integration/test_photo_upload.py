"""Uploading photos: batch with per-file refusals, metadata stripped, random names in the
temporary photo storage, consent gating, tags validated, no 500 on bad input."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consents.models import ConsentStatus
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.imaging.selectors import open_photo, photo_consent
from needlechart.imaging.services import display_name, photo_upload
from needlechart.patients.models import Patient
from tests.factories.imaging import (
    GPS_IFD,
    give_photo_consent,
    image_bytes,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_storage")]

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


@pytest.fixture
def consent(clinician: User, patient: Patient) -> Any:
    return give_photo_consent(patient=patient, by=clinician)


def _post(client: Client, patient: Patient, files: list[Any], **fields: Any) -> Any:
    data: dict[str, Any] = {
        "visit_kind": VisitKind.CONSULTATION,
        "taken_on": timezone.localdate().isoformat(),
        "view": PhotoView.FRONT,
        "zone": "",
        "lighting_notes": "ring light",
        "photos": files,
    }
    data.update(fields)
    return client.post(reverse("imaging:upload", args=[patient.pk]), data, follow=True)


def _heic() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(image_bytes(64, 48))).save(out, format="HEIF")
    return out.getvalue()


# ---------------------------------------------------------------- the form


def test_upload_form_opens_the_camera_and_takes_several_files(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    response = clinician_client.get(reverse("imaging:upload", args=[patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    tag = re.search(r'<input[^>]*name="photos"[^>]*>', html)
    assert tag is not None
    assert "multiple" in tag.group(0)
    assert 'capture="environment"' in tag.group(0)
    assert 'accept="image/jpeg,image/png,image/heic,image/heif,image/webp"' in tag.group(0)
    assert 'enctype="multipart/form-data"' in html


def test_patient_chart_links_to_photos(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    html = clinician_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert reverse("imaging:gallery", args=[patient.pk]) in html
    assert reverse("imaging:upload", args=[patient.pk]) in html


# ---------------------------------------------------------------- a batch


def test_batch_saves_valid_files_and_names_each_refusal(
    clinician_client: Client, patient: Patient, consent: Any, photo_storage: Path
) -> None:
    files = [
        upload("IMG_0001.jpg", image_bytes(64, 48, gps=True)),
        upload("left.png", image_bytes(40, 40, fmt="PNG"), "image/png"),
        upload("report.jpg", b"%PDF-1.4\n% not a photo\n", "image/jpeg"),
        upload("notes.png", b"hello, I am text\n", "image/png"),
    ]
    response = _post(clinician_client, patient, files)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("imaging:gallery", args=[patient.pk])
    html = response.content.decode()
    assert "2 photos saved" in html
    assert "“report.jpg” was not saved" in html
    assert "“notes.png” was not saved" in html
    assert "IMG_0001.jpg" in html and "left.png" in html

    photos = list(Photo.objects.filter(patient=patient).order_by("id"))
    assert [p.original_name for p in photos] == ["IMG_0001.jpg", "left.png"]
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    for photo in photos:
        assert RANDOM_NAME.match(str(photo.original.name)), photo.original.name
        assert RANDOM_NAME.match(str(photo.thumbnail.name)), photo.thumbnail.name
        assert photo.original.name != photo.thumbnail.name
        assert (photo_storage / str(photo.original.name)).is_file()  # in the temporary storage
        assert (photo_storage / str(photo.thumbnail.name)).is_file()
        assert photo.lighting_notes == "ring light"
        assert len(photo.sha256) == 64
        assert photo.size_bytes == (photo_storage / str(photo.original.name)).stat().st_size
    assert "IMG_0001" not in " ".join(p.name for p in photo_storage.iterdir())

    events = AuditEvent.objects.filter(patient_id=patient.pk)
    assert events.filter(action="photo.upload").count() == 2
    refused = events.get(action="photo.upload_refused")
    assert {f["name"] for f in refused.detail["files"]} == {"report.jpg", "notes.png"}


def test_gps_exif_is_gone_after_upload(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    source = image_bytes(64, 48, gps=True)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)
    _post(clinician_client, patient, [upload("gps.jpg", source)])
    photo = Photo.objects.get(patient=patient)
    for data in (open_photo(photo), open_photo(photo, thumbnail=True)):
        stored = Image.open(io.BytesIO(data))
        assert not stored.getexif()
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert b"TestCam" not in data


def test_exif_rotated_upload_is_stored_upright(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    _post(clinician_client, patient, [upload("side.jpg", image_bytes(64, 48, orientation=6))])
    photo = Photo.objects.get(patient=patient)
    assert (photo.width, photo.height) == (48, 64)
    stored = Image.open(io.BytesIO(open_photo(photo))).convert("RGB")
    assert stored.size == (48, 64)
    top = stored.getpixel((24, 5))
    assert isinstance(top, tuple) and top[0] > 200 and top[2] < 60  # red half on top


def test_thumbnail_is_a_small_jpeg(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    _post(clinician_client, patient, [upload("big.jpg", image_bytes(1600, 1200))])
    photo = Photo.objects.get(patient=patient)
    thumb = Image.open(io.BytesIO(open_photo(photo, thumbnail=True)))
    assert thumb.format == "JPEG" and thumb.size == (480, 360)
    assert (photo.width, photo.height) == (1600, 1200)


def test_heic_is_stored_as_jpeg_and_the_user_is_told(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    response = _post(clinician_client, patient, [upload("IMG_2.HEIC", _heic(), "image/heic")])
    assert "“IMG_2.HEIC” was HEIC/HEIF and is stored as JPEG" in response.content.decode()
    photo = Photo.objects.get(patient=patient)
    assert photo.content_type == "image/jpeg" and str(photo.original.name).endswith(".jpg")
    assert Image.open(io.BytesIO(open_photo(photo))).format == "JPEG"


def test_webp_is_accepted(clinician_client: Client, patient: Patient, consent: Any) -> None:
    _post(clinician_client, patient, [upload("a.webp", image_bytes(fmt="WEBP"), "image/webp")])
    assert Photo.objects.get(patient=patient).content_type == "image/webp"


def test_too_big_file_is_refused_by_name(
    clinician_client: Client, patient: Patient, consent: Any, settings: Any
) -> None:
    settings.PHOTO_MAX_BYTES = 2000
    response = _post(
        clinician_client,
        patient,
        [upload("huge.jpg", image_bytes(400, 300, noise=True)), upload("ok.jpg", image_bytes())],
    )
    html = response.content.decode()
    assert "“huge.jpg” was not saved" in html and "limit" in html
    assert list(Photo.objects.values_list("original_name", flat=True)) == ["ok.jpg"]


def test_all_refused_stays_on_the_form(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    response = _post(clinician_client, patient, [upload("x.jpg", b"GIF89a nope")])
    assert response.status_code == 200
    assert not response.redirect_chain
    html = response.content.decode()
    assert "“x.jpg” was not saved" in html
    assert "None of the files was saved" in html
    assert not Photo.objects.exists()


def test_file_name_is_kept_as_data_only(
    clinician_client: Client, patient: Patient, consent: Any, photo_storage: Path
) -> None:
    response = _post(clinician_client, patient, [upload("../../etc/<i>x.jpg", image_bytes())])
    assert "<i>x.jpg" not in response.content.decode()  # escaped in the message
    photo = Photo.objects.get(patient=patient)
    assert photo.original_name == "<i>x.jpg"
    assert display_name("C:\\Users\\me\\IMG\x00_1.jpg") == "IMG_1.jpg"
    assert display_name("") == "unnamed file"
    assert RANDOM_NAME.match(str(photo.original.name))
    assert list(photo_storage.parent.glob("**/*x*.jpg")) == []


# ---------------------------------------------------------------- bad input, never a 500


@pytest.mark.parametrize(
    ("fields", "field", "files"),
    [
        ({}, "photos", []),
        ({"view": "upside_down"}, "view", None),
        ({"visit_kind": "party"}, "visit_kind", None),
        ({"taken_on": "2030-02-30"}, "taken_on", None),
        ({"taken_on": "yesterday"}, "taken_on", None),
        ({"taken_on": ""}, "taken_on", None),
        ({"taken_on": (date.today() + timedelta(days=3)).isoformat()}, "taken_on", None),
        ({"taken_on": "1900-01-01"}, "taken_on", None),
        ({"view": PhotoView.CLOSE_UP}, "zone", None),
        ({"view": PhotoView.CLOSE_UP, "zone": "elbow"}, "zone", None),
        ({"zone": "cheeks"}, "zone", None),
        ({"session": "999999"}, "session", None),
        ({"session": "abc"}, "session", None),
        ({"lighting_notes": "x" * 300}, "lighting_notes", None),
    ],
)
def test_bad_input_is_a_form_error(
    clinician_client: Client,
    patient: Patient,
    consent: Any,
    fields: dict[str, Any],
    field: str,
    files: list[Any] | None,
) -> None:
    response = _post(
        clinician_client,
        patient,
        files if files is not None else [upload("a.jpg", image_bytes())],
        **fields,
    )
    assert response.status_code == 200
    assert not response.redirect_chain
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert not Photo.objects.exists()


def test_close_up_with_zone_is_saved(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    _post(
        clinician_client,
        patient,
        [upload("c.jpg", image_bytes())],
        view=PhotoView.CLOSE_UP,
        zone="cheeks",
    )
    photo = Photo.objects.get(patient=patient)
    assert (photo.view, photo.zone) == ("close_up", "cheeks")


def test_session_of_another_patient_is_refused_by_the_service(
    clinician: User, patient: Patient, consent: Any, make_patient: Any
) -> None:
    from tests.factories.outcomes import signed_session

    other = make_patient()
    other_consent = give_photo_consent(patient=other, by=clinician)
    session = signed_session(
        plan=other_consent.plan, by=clinician, number=1, performed_on=timezone.localdate()
    )
    with pytest.raises(ValidationError) as info:
        photo_upload(
            patient=patient,
            by=clinician,
            files=[upload("a.jpg", image_bytes())],
            visit_kind=VisitKind.SESSION,
            taken_on=timezone.localdate(),
            view=PhotoView.FRONT,
            session=session,
        )
    assert "session" in info.value.error_dict


def test_upload_from_a_session_presets_the_visit(
    clinician_client: Client, clinician: User, patient: Patient, consent: Any
) -> None:
    from tests.factories.outcomes import signed_session

    session = signed_session(
        plan=consent.plan, by=clinician, number=1, performed_on=timezone.localdate()
    )
    url = reverse("imaging:upload", args=[patient.pk]) + f"?session={session.pk}"
    form = clinician_client.get(url).context["form"]
    assert form.initial["visit_kind"] == VisitKind.SESSION
    assert form.initial["session"] == session.pk
    response = _post(
        clinician_client,
        patient,
        [upload("s.jpg", image_bytes())],
        visit_kind=VisitKind.SESSION,
        session=str(session.pk),
        taken_on=session.performed_on.isoformat(),
    )
    assert response.redirect_chain
    assert Photo.objects.get(patient=patient).session == session
    for bad in ("?session=abc", "?session=99999999999999999999999", "?follow_up=-1"):
        assert (
            clinician_client.get(reverse("imaging:upload", args=[patient.pk]) + bad).status_code
            == 200
        )


def test_too_many_files_in_one_batch(
    clinician_client: Client, patient: Patient, consent: Any
) -> None:
    files = [upload(f"{n}.jpg", image_bytes(8, 8)) for n in range(21)]
    response = _post(clinician_client, patient, files)
    assert "photos" in response.context["form"].errors
    assert not Photo.objects.exists()


# ---------------------------------------------------------------- consent gating


def _withdraw(consent: Any) -> None:
    consent.status = ConsentStatus.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.save()


@pytest.mark.parametrize("case", ["none", "withdrawn", "no_photo_consent", "not_countersigned"])
def test_no_photo_consent_no_upload(
    clinician_client: Client, clinician: User, patient: Patient, case: str
) -> None:
    if case != "none":
        consent = give_photo_consent(
            patient=patient, by=clinician, clinical=case != "no_photo_consent"
        )
        if case == "withdrawn":
            _withdraw(consent)
        if case == "not_countersigned":
            consent.status = ConsentStatus.DRAFT
            consent.clinician_signed_at = None
            consent.save()
    assert photo_consent(patient) == (False, False)
    url = reverse("imaging:upload", args=[patient.pk])
    response = clinician_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No consent to clinical photos" in html
    assert reverse("consents:list", args=[patient.pk]) in html
    assert 'name="photos"' not in html
    response = _post(clinician_client, patient, [upload("a.jpg", image_bytes())])
    assert response.status_code == 200
    assert not Photo.objects.exists()
    with pytest.raises(PermissionDenied):
        photo_upload(
            patient=patient,
            by=clinician,
            files=[upload("a.jpg", image_bytes())],
            visit_kind=VisitKind.OTHER,
            taken_on=timezone.localdate(),
            view=PhotoView.FRONT,
        )


def test_latest_consent_decides(clinician: User, patient: Patient) -> None:
    give_photo_consent(patient=patient, by=clinician, clinical=True, marketing=True)
    assert photo_consent(patient) == (True, True)
    later = give_photo_consent(patient=patient, by=clinician, clinical=True, marketing=False)
    assert photo_consent(patient) == (True, False)
    _withdraw(later)
    assert photo_consent(patient) == (False, False)  # withdrawal is not undone by an older one


def test_front_desk_cannot_upload(
    front_desk_client: Client, patient: Patient, consent: Any
) -> None:
    assert front_desk_client.get(reverse("imaging:upload", args=[patient.pk])).status_code == 403
    response = front_desk_client.post(
        reverse("imaging:upload", args=[patient.pk]), {"photos": [upload("a.jpg", image_bytes())]}
    )
    assert response.status_code == 403
    assert not Photo.objects.exists()


def test_front_desk_is_refused_by_the_service(
    front_desk: User, patient: Patient, consent: Any
) -> None:
    with pytest.raises(PermissionDenied):
        photo_upload(
            patient=patient,
            by=front_desk,
            files=[upload("a.jpg", image_bytes())],
            visit_kind=VisitKind.OTHER,
            taken_on=timezone.localdate(),
            view=PhotoView.FRONT,
        )


def test_archived_patient_gets_no_new_photos(
    clinician_client: Client, clinician: User, patient: Patient, consent: Any
) -> None:
    from needlechart.patients.services import patient_archive

    patient_archive(patient=patient, by=clinician, reason="moved away")
    response = clinician_client.get(reverse("imaging:upload", args=[patient.pk]))
    assert response.status_code == 302
    assert not Photo.objects.exists()


def test_a_failed_save_leaves_no_files(
    clinician: User, patient: Patient, consent: Any, photo_storage: Path, monkeypatch: Any
) -> None:
    from needlechart.imaging import services

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        photo_upload(
            patient=patient,
            by=clinician,
            files=[upload("a.jpg", image_bytes()), upload("b.jpg", image_bytes())],
            visit_kind=VisitKind.OTHER,
            taken_on=timezone.localdate(),
            view=PhotoView.FRONT,
        )
    assert not Photo.objects.exists()
    assert not any(photo_storage.iterdir()) if photo_storage.exists() else True
