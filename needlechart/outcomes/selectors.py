"""Reads for outcomes: course status, progress over time, follow-ups due. Fixed query counts
(none grows with the number of assessments, sessions or patients shown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.assessments.models import Assessment, AssessmentKind
from needlechart.outcomes.course import CourseStatus, course_status_compute
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.selectors import current_plan
from needlechart.protocol import default_protocol
from needlechart.scheduling.models import Appointment
from needlechart.scheduling.selectors import next_appointment
from needlechart.treatments.models import SessionRecord


def course_status_for(
    *,
    user: User,
    patient: Patient,
    today: date | None = None,
    progress: Progress | None = None,
) -> tuple[CourseStatus, TreatmentPlan | None, Appointment | None]:
    """The current course. Reuses `progress` (its sessions and follow-ups) when given, so
    the chart costs one query for the plan, plus one for the next booked appointment
    while the course runs."""
    require_clinical(user)
    today = today or timezone.localdate()
    rule = default_protocol().document.follow_up
    if progress is None:
        progress = progress_for(user=user, patient=patient)
    follow_up_days = [p.followed_on for p in progress.points if p.followed_on is not None]
    last_follow_up_on = max(follow_up_days, default=None)
    plan = current_plan(patient=patient)
    if plan is None:
        status = course_status_compute(
            today=today,
            has_plan=False,
            sessions_done=len(progress.sessions),
            last_session_on=max((s.on for s in progress.sessions), default=None),
            last_follow_up_on=last_follow_up_on,
            rule=rule,
        )
        return status, None, None
    done = [s for s in progress.sessions if s.plan_id == plan.pk]
    complete = plan.sessions_planned is not None and len(done) >= plan.sessions_planned
    appointment = None if complete else next_appointment(patient=patient)
    recommendation: dict[str, Any] = plan.recommendation or {}
    status = course_status_compute(
        today=today,
        has_plan=True,
        sessions_done=len(done),
        sessions_planned=plan.sessions_planned,
        interval_weeks=plan.interval_weeks,
        start_date=plan.start_date,
        last_session_on=max((s.on for s in done), default=None),
        next_booked_on=timezone.localtime(appointment.starts_at).date() if appointment else None,
        maintenance_interval_months=recommendation.get("maintenance_interval_months"),
        last_follow_up_on=last_follow_up_on,
        rule=rule,
    )
    return status, plan, appointment


# ---------------------------------------------------------------- progress over time


@dataclass(frozen=True)
class ProgressPoint:
    assessment_id: int
    on: date
    kind: str  # baseline / follow_up
    kind_label: str
    score: int | None  # Goodman & Baron quantitative (UNVERIFIED table)
    grade: int | None  # confirmed if confirmed, else the engine's suggestion
    grade_confirmed: bool
    rating: int | None = None  # the patient's own rating at a follow-up visit
    follow_up_id: int | None = None
    followed_on: date | None = None


@dataclass(frozen=True)
class SessionMark:
    number: int
    on: date
    plan_id: int | None = None


@dataclass(frozen=True)
class Progress:
    points: list[ProgressPoint]
    sessions: list[SessionMark]
    quantitative_label: str
    quantitative_verified: bool
    grade_levels: dict[int, str] = field(default_factory=dict)  # protocol grade -> level

    @property
    def ratings(self) -> list[ProgressPoint]:
        return [p for p in self.points if p.rating is not None]

    @property
    def is_empty(self) -> bool:
        return not self.points and not self.sessions

    def grade_in_words(self, point: ProgressPoint) -> str:
        """A grade as a patient reads it, confirmed or suggested, like the staff pages."""
        if point.grade is None:
            return "Not graded"
        level = self.grade_levels.get(point.grade, "")
        grade = f"{point.grade} ({level.lower()})" if level else str(point.grade)
        if point.grade_confirmed:
            return f"{grade}, confirmed by your clinician"
        return f"{grade}, suggested by the software and not yet confirmed by your clinician"

    @property
    def patient_rows(self) -> list[dict[str, Any]]:
        """The assessments for the patient's own pages: date, visit, grade in words, rating
        (the UNVERIFIED quantitative score stays on staff pages)."""
        return [
            {
                "on": p.on,
                "kind": p.kind_label,
                "grade": self.grade_in_words(p),
                "confirmed": p.grade_confirmed,
                "rating": p.rating,
            }
            for p in self.points
        ]

    @property
    def table_rows(self) -> list[dict[str, Any]]:
        """Assessments and sessions in course order: on one day the baseline (consultation)
        comes before the session and a follow-up re-grade after it."""
        rows: list[dict[str, Any]] = [
            {"type": "session", "on": s.on, "number": s.number, "order": (s.on, 1, s.number)}
            for s in self.sessions
        ]
        rows += [
            {
                "type": "assessment",
                "on": p.on,
                "point": p,
                "order": (p.on, 0 if p.kind == AssessmentKind.BASELINE else 2, p.assessment_id),
            }
            for p in self.points
        ]
        return sorted(rows, key=lambda r: r["order"])


def progress_for(*, user: User, patient: Patient) -> Progress:
    """Every assessment (baseline and follow-ups) with its follow-up rating, and every signed
    session of the patient (any plan) — two queries whatever their number."""
    require_clinical(user)
    return _progress(patient)


def progress_own(*, patient: Patient) -> Progress:
    """The same read for the patient portal, where the signed-in patient is the reader (no
    staff user): the caller passes only the portal session's own patient."""
    return _progress(patient)


def _progress(patient: Patient) -> Progress:
    rows = (
        Assessment.objects.filter(patient=patient)
        .select_related("follow_up")
        .only(
            "id",
            "kind",
            "assessed_on",
            "quantitative_score",
            "qualitative_grade",
            "suggested_grade",
            "follow_up__id",
            "follow_up__patient_rating",
            "follow_up__followed_on",
        )
        .order_by("assessed_on", "id")
    )
    points = []
    for a in rows:
        follow_up: FollowUp | None = getattr(a, "follow_up", None)
        points.append(
            ProgressPoint(
                assessment_id=a.pk,
                on=a.assessed_on,
                kind=a.kind,
                kind_label=a.get_kind_display(),
                score=a.quantitative_score,
                grade=a.qualitative_grade if a.qualitative_grade is not None else a.suggested_grade,
                grade_confirmed=a.qualitative_grade is not None,
                rating=follow_up.patient_rating if follow_up else None,
                follow_up_id=follow_up.pk if follow_up else None,
                followed_on=follow_up.followed_on if follow_up else None,
            )
        )
    sessions = [
        SessionMark(number=n, on=on, plan_id=plan_id)
        for n, on, plan_id in SessionRecord.objects.signed()
        .filter(patient=patient)
        .order_by("performed_on", "id")
        .values_list("session_number", "performed_on", "plan_id")
    ]
    grading = default_protocol().document.grading
    table = grading.goodman_baron_quantitative
    return Progress(
        points=points,
        sessions=sessions,
        quantitative_label=table.label,
        quantitative_verified=bool(getattr(table, "verified", False)),
        grade_levels={
            k: g.level for k, g in sorted(grading.goodman_baron_qualitative.grades.items())
        },
    )


# ---------------------------------------------------------------- follow-ups


def follow_up_get_for(*, user: User, follow_up_id: int) -> FollowUp:
    require_clinical(user)
    if not 0 < follow_up_id <= MAX_DB_ID:
        raise Http404("No such follow-up.")
    try:
        return FollowUp.objects.select_related("patient", "plan", "assessment", "created_by").get(
            pk=follow_up_id
        )
    except FollowUp.DoesNotExist:
        raise Http404("No such follow-up.") from None


def follow_ups_due(*, user: User, today: date | None = None) -> QuerySet[TreatmentPlan]:
    """Approved plans of active patients whose course is complete (signed sessions reach
    the planned number), whose follow-up window has opened, and with no follow-up on or
    after the last session. Annotated `done`, `last_on`; the longest waiting first."""
    require_clinical(user)
    today = today or timezone.localdate()
    rule = default_protocol().document.follow_up
    signed = SessionRecord.objects.signed().filter(plan=OuterRef("pk"))
    done = Subquery(signed.order_by().values("plan").annotate(n=Count("id")).values("n")[:1])
    last_on = Subquery(signed.order_by("-performed_on").values("performed_on")[:1])
    followed = FollowUp.objects.filter(
        patient=OuterRef("patient"), followed_on__gte=OuterRef("last_on")
    )
    return (
        TreatmentPlan.objects.filter(
            status=PlanStatus.APPROVED,
            patient__archived_at__isnull=True,
            sessions_planned__isnull=False,
        )
        .annotate(done=done, last_on=last_on)
        .filter(
            done__gte=F("sessions_planned"),
            last_on__lte=today - timedelta(weeks=rule.from_weeks),
        )
        .annotate(followed=Exists(followed))
        .filter(followed=False)
        .select_related("patient")
        .order_by("last_on", "id")
    )
