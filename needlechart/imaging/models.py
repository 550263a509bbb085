"""Clinical photos: one row per stored image (original re-encoded without metadata, plus a
JPEG thumbnail), both in the "photos" storage under random names and only ever served by
`imaging:file` after the role and consent checks. Never deleted: archived with a reason."""

from typing import TYPE_CHECKING

from django.db import models

from needlechart.core.models import ClinicalRecord
from needlechart.imaging.storage import get_photo_storage

if TYPE_CHECKING:
    from needlechart.imaging.visits import PhotoVisit

ORIGINAL_NAME_MAX_LENGTH = 255


class VisitKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    SESSION = "session", "Treatment session"
    FOLLOW_UP = "follow_up", "Follow-up"
    OTHER = "other", "Other"


class PhotoView(models.TextChoices):
    FRONT = "front", "Front"
    LEFT_45 = "left_45", "Left 45°"
    LEFT_90 = "left_90", "Left 90° (profile)"
    RIGHT_45 = "right_45", "Right 45°"
    RIGHT_90 = "right_90", "Right 90° (profile)"
    CLOSE_UP = "close_up", "Close-up"


class PhotoQuerySet(models.QuerySet["Photo"]):
    def active(self) -> "PhotoQuerySet":
        return self.filter(archived_at__isnull=True)


class Photo(ClinicalRecord):
    VisitKind = VisitKind
    View = PhotoView

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="photos")
    visit_kind = models.CharField(
        "visit", max_length=20, choices=VisitKind.choices, default=VisitKind.OTHER
    )
    session = models.ForeignKey(
        "treatments.SessionRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    follow_up = models.ForeignKey(
        "outcomes.FollowUp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    taken_on = models.DateField("date taken")
    view = models.CharField(max_length=20, choices=PhotoView.choices, default=PhotoView.FRONT)
    zone = models.CharField(max_length=32, blank=True)  # a protocol Zone value, for close-ups
    lighting_notes = models.CharField("lighting notes", max_length=255, blank=True)
    original = models.FileField(storage=get_photo_storage, max_length=255, editable=False)
    thumbnail = models.FileField(storage=get_photo_storage, max_length=255, editable=False)
    original_name = models.CharField(
        "original file name", max_length=ORIGINAL_NAME_MAX_LENGTH, blank=True, editable=False
    )
    content_type = models.CharField(max_length=50, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size_bytes = models.PositiveIntegerField("size (bytes)", editable=False)
    sha256 = models.CharField("sha256", max_length=64, editable=False)
    marketing_use = models.BooleanField(
        "may be used without name for teaching or marketing", default=False, editable=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_reason = models.TextField(blank=True, editable=False)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on", "-id"]
        indexes = [
            models.Index(fields=["patient", "taken_on"], name="photo_patient_taken_idx"),
        ]

    def __str__(self) -> str:
        return f"Photo {self.pk} ({self.taken_on}, {self.get_view_display()})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def visit(self) -> "PhotoVisit":
        """The visit it was taken at, for labels (load with session and follow-up joined)."""
        from needlechart.imaging.visits import photo_visit

        return photo_visit(self)


class RednessMeasurement(ClinicalRecord):
    """The erythema index of one rectangle of a photo (helper module `imaging.erythema`).

    Stored with the method's source key (the protocol's `E1`, UNVERIFIED) and the days since
    the nearest earlier signed session, so redness after treatment can be followed by number.
    Never edited: a new region is a new row.
    """

    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="redness_measurements")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="redness_measurements"
    )
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    label = models.CharField("region", max_length=100, blank=True)
    value = models.FloatField("erythema index")
    method = models.CharField("method source key", max_length=20, default="E1", editable=False)
    session = models.ForeignKey(
        "treatments.SessionRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redness_measurements",
    )
    days_since_session = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["patient", "id"], name="redness_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"Erythema index {self.value:.1f} on photo {self.photo_id}"

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.width, self.height)
