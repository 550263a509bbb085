"""Treatments: charted sessions, their amendments, aftercare, symptom reports, adverse events.

A session record is a draft until signed; a signed record is never edited again — a
correction is a `SessionAmendment` that keeps the original value beside the new one.
"""

from django.conf import settings
from django.db import models

from needlechart.core.dates import in_span
from needlechart.core.models import ClinicalRecord
from needlechart.protocol.aftercare import aftercare_timeline
from needlechart.protocol.results import AftercareDay, Triage
from needlechart.protocol.vocabulary import Symptom, SymptomSeverity, TriageLevel

GLIDE_OTHER = "other"
ENDPOINT_OTHER = "other"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    COUNTERSIGNED = "countersigned", "Countersigned"


# A session is done once its record is signed (or countersigned); a draft is not. The course
# status, the reminders, the documents, the portal and the redness chart all count this way.
SIGNED_STATUSES = (SessionStatus.SIGNED, SessionStatus.COUNTERSIGNED)


class SessionRecordQuerySet(models.QuerySet["SessionRecord"]):
    def signed(self) -> "SessionRecordQuerySet":
        """Sessions done: signed or countersigned records."""
        return self.filter(status__in=SIGNED_STATUSES)


class SessionRecord(ClinicalRecord):
    Status = SessionStatus

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="session_records"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlan", on_delete=models.PROTECT, related_name="session_records"
    )
    # The visit this session fulfilled (marked attended when charting starts). The link
    # lives here, not on the appointment: a session always fulfils one visit, the diary
    # knows nothing clinical, and the treatments app already imports scheduling (not the
    # reverse). Nullable: records charted before the link was kept have none.
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_records",
    )
    consent = models.ForeignKey(
        "consents.Consent", on_delete=models.PROTECT, related_name="session_records"
    )
    session_number = models.PositiveSmallIntegerField("session number")
    performed_on = models.DateField("session date")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_records"
    )
    # {answers: {code: bool}, needs_review: [code], verdict, findings: [...], screening: dump,
    #  protocol: {...}, proceed_reason: str}
    rescreen = models.JSONField(default=dict, blank=True)
    rescreen_verdict = models.CharField("day-of verdict", max_length=32, blank=True)
    device = models.CharField(max_length=32)
    cartridge_lot = models.CharField("cartridge lot", max_length=64, blank=True)
    cartridge_expiry = models.DateField("cartridge expiry", null=True, blank=True)
    depths = models.JSONField(default=dict, blank=True)  # {zone: mm}
    depth_reasons = models.JSONField(default=dict, blank=True)  # {zone: reason}
    passes = models.PositiveSmallIntegerField(null=True, blank=True)
    glide_product = models.CharField("glide product", max_length=64, blank=True)
    glide_product_other = models.CharField("other glide product", max_length=200, blank=True)
    glide_warning = models.BooleanField(default=False)
    anaesthetic = models.CharField(max_length=200, blank=True)
    endpoint_reached = models.CharField("endpoint reached", max_length=200, blank=True)
    immediate_reactions = models.TextField("immediate reactions", blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    countersigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set at signing: REQUIRE_COUNTERSIGN was on and the signer was not a clinician.
    countersign_required = models.BooleanField(default=False, editable=False)
    aftercare = models.JSONField(default=list, blank=True)  # [AftercareDay dump]

    objects = SessionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-id"]
        indexes = [
            models.Index(fields=["status", "signed_at"], name="session_status_idx"),
            models.Index(fields=["cartridge_lot"], name="session_lot_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=SessionStatus.DRAFT)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="session_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SessionStatus.COUNTERSIGNED)
                | models.Q(countersigned_at__isnull=False, countersigned_by__isnull=False),
                name="session_countersigned_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.session_number} on {self.performed_on}"

    @property
    def is_draft(self) -> bool:
        return self.status == SessionStatus.DRAFT

    @property
    def is_locked(self) -> bool:
        return self.status != SessionStatus.DRAFT

    @property
    def awaiting_countersign(self) -> bool:
        """Signed, and countersigning was required when it was signed."""
        return self.status == SessionStatus.SIGNED and self.countersign_required

    def aftercare_days(self) -> list[AftercareDay]:
        return [AftercareDay.model_validate(d) for d in self.aftercare or []]

    def aftercare_sheet_days(self) -> list[AftercareDay]:
        """The timeline stored when the record was signed; a draft previews the protocol's,
        dated from the session date (none for an implausible stored date: never a 500)."""
        stored = self.aftercare_days()
        if stored or not in_span(self.performed_on):
            return stored
        return aftercare_timeline(session_date=self.performed_on)


class SessionAmendment(ClinicalRecord):
    session = models.ForeignKey(SessionRecord, on_delete=models.PROTECT, related_name="amendments")
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of {self.field} on session {self.session_id}"


class SymptomChoices(models.TextChoices):
    REDNESS = Symptom.REDNESS.value, "Redness"
    SWELLING = Symptom.SWELLING.value, "Swelling"
    PAIN = Symptom.PAIN.value, "Pain or tenderness"
    BRUISING = Symptom.BRUISING.value, "Bruising"
    DRYNESS_FLAKING = Symptom.DRYNESS_FLAKING.value, "Dryness or flaking"
    BLEEDING = Symptom.BLEEDING.value, "Bleeding"
    PUS_DRAINAGE = Symptom.PUS_DRAINAGE.value, "Pus or drainage"
    FEVER = Symptom.FEVER.value, "Fever"
    BLISTERS_VESICLES = Symptom.BLISTERS_VESICLES.value, "Blisters or small fluid-filled spots"
    DARK_PATCHES = Symptom.DARK_PATCHES.value, "Dark patches"
    FIRM_BUMPS = Symptom.FIRM_BUMPS.value, "Firm red bumps"
    TRACK_MARKS = Symptom.TRACK_MARKS.value, "Lines or track marks"
    BURNS = Symptom.BURNS.value, "Burns, grid marks or loss of contour"
    LIP_TONGUE_SWELLING = (
        Symptom.LIP_TONGUE_SWELLING.value,
        "Swelling of the lips or tongue, or difficulty breathing",
    )
    HIVES_RASH = Symptom.HIVES_RASH.value, "Hives or an itchy rash"
    EYE_PAIN_VISION = Symptom.EYE_PAIN_VISION.value, "Eye pain or a change in vision"


class SeverityChoices(models.TextChoices):
    MILD = SymptomSeverity.MILD.value, "Mild"
    MODERATE = SymptomSeverity.MODERATE.value, "Moderate"
    SEVERE = SymptomSeverity.SEVERE.value, "Severe"


class TriageLevelChoices(models.TextChoices):
    EXPECTED = TriageLevel.EXPECTED.value, "Expected"
    CONTACT_CLINIC = TriageLevel.CONTACT_CLINIC.value, "Contact the clinic"
    URGENT = TriageLevel.URGENT.value, "Urgent"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Portal"


class SymptomReport(ClinicalRecord):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="symptom_reports"
    )
    session = models.ForeignKey(
        SessionRecord, on_delete=models.PROTECT, related_name="symptom_reports"
    )
    symptom = models.CharField(max_length=32, choices=SymptomChoices.choices)
    severity = models.CharField(max_length=16, choices=SeverityChoices.choices)
    days_since_session = models.PositiveSmallIntegerField("days since the session")
    worsening = models.BooleanField("getting worse", default=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PHONE)
    reported_on = models.DateField("reported on")
    triage_level = models.CharField(max_length=20, choices=TriageLevelChoices.choices)
    triage = models.JSONField()  # engine Triage dump
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_note = models.TextField("resolution note", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["triage_level", "resolved_at"], name="symptom_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_symptom_display()} ({self.triage_level})"

    def engine_triage(self) -> Triage:
        return Triage.model_validate(self.triage)

    @property
    def needs_review(self) -> bool:
        return self.triage_level != TriageLevel.EXPECTED.value

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class AdverseSeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class AdverseEvent(ClinicalRecord):
    Status = AdverseStatus

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="adverse_events"
    )
    session = models.ForeignKey(
        SessionRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_events",
    )
    event_type = models.CharField("type", max_length=32)  # protocol charting.adverse_event_types
    event_type_other = models.CharField("description (other)", max_length=200, blank=True)
    severity = models.CharField(max_length=16, choices=AdverseSeverity.choices)
    onset_on = models.DateField("onset")
    device = models.CharField(max_length=32, blank=True)
    cartridge_lot = models.CharField("cartridge lot", max_length=64, blank=True)
    actions_taken = models.TextField("actions taken", blank=True)
    outcome = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=AdverseStatus.choices, default=AdverseStatus.OPEN
    )
    resolved_on = models.DateField("resolved on", null=True, blank=True)

    class Meta:
        ordering = ["-onset_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=AdverseStatus.RESOLVED)
                | models.Q(resolved_on__isnull=False),
                name="adverse_resolved_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"Adverse event {self.pk} ({self.event_type})"

    @property
    def is_open(self) -> bool:
        return self.status == AdverseStatus.OPEN


class AdverseEventUpdate(ClinicalRecord):
    event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="updates")
    note = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Update on adverse event {self.event_id}"
