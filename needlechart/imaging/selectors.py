"""Reads of clinical photos, scoped by the acting user. Fixed query counts.

A photo is shown only to the clinical roles, and only while the patient's current consent
(`consents.selectors.current_consent`) covers photos kept in the clinical record
(`photo_consent`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.consents.selectors import current_consent
from needlechart.imaging.models import Photo, PhotoView
from needlechart.imaging.storage import photo_storage
from needlechart.imaging.visits import KIND_RANK_SQL
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID

NOT_CLINICAL_PHOTOS = "Your role does not give access to clinical photos."
NO_PHOTO_CONSENT = (
    "The patient's current signed consent does not cover clinical photos, "
    "so photos cannot be taken or viewed."
)


# Newest visit first (on one day: follow-up, session, consultation — the course backwards);
# within a visit the views in their usual order (front, left, right, close-ups), so the
# photos of one visit stay together.
VIEW_RANK = Case(
    *(When(view=value, then=Value(rank)) for rank, value in enumerate(PhotoView.values)),
    default=Value(len(PhotoView.values)),
)
GALLERY_ORDER = (
    "-taken_on",
    KIND_RANK_SQL.desc(),
    "session_id",
    "follow_up_id",
    VIEW_RANK,
    "id",
)


def photo_consent(patient: Patient | int) -> tuple[bool, bool]:
    """(clinical, marketing) photo permissions from the patient's current consent;
    (False, False) when there is none. One query."""
    consent = current_consent(patient)
    if consent is None:
        return False, False
    return bool(consent.photo_clinical), bool(consent.photo_marketing)


def photo_get_for(*, user: User, photo_id: int) -> Photo:
    """The photo (archived ones too) with its patient, session and follow-up: two queries
    (the photo, the consent). Raises Http404 for no such photo, PermissionDenied for a
    non-clinical role or when the consent does not cover clinical photos."""
    require_clinical(user, NOT_CLINICAL_PHOTOS)
    if not 0 < photo_id <= MAX_DB_ID:
        raise Http404("No such photo.")
    try:
        photo = Photo.objects.select_related("patient", "session", "follow_up", "created_by").get(
            pk=photo_id
        )
    except Photo.DoesNotExist:
        raise Http404("No such photo.") from None
    clinical, _marketing = photo_consent(photo.patient_id)
    if not clinical:
        raise PermissionDenied(NO_PHOTO_CONSENT)
    return photo


def photos_for(*, user: User, patient: Patient, include_archived: bool = False) -> QuerySet[Photo]:
    """The patient's photos, newest visit first, with session and follow-up joined.

    Empty when the consent does not cover clinical photos (callers that must explain why
    check `photo_consent`). PermissionDenied for a non-clinical role. One query to check
    the consent now, one when the queryset is evaluated.
    """
    require_clinical(user, NOT_CLINICAL_PHOTOS)
    clinical, _marketing = photo_consent(patient)
    if not clinical:
        return Photo.objects.none()
    qs = Photo.objects.filter(patient=patient)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.select_related("session", "follow_up").order_by(*GALLERY_ORDER)


def open_photo(photo: Photo, *, thumbnail: bool = False) -> bytes:
    """The stored bytes of the photo (re-encoded, metadata stripped) or of its JPEG
    thumbnail. No permission check: call after `photo_get_for`/`photos_for`."""
    name = photo.thumbnail.name if thumbnail else photo.original.name
    with photo_storage.open(name, "rb") as fh:
        data: bytes = fh.read()
    return data
