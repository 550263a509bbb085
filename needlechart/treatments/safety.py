"""The safety banner: a patient's active alerts, computed by one selector.

Shown on the patient chart and the session pages, to clinical staff only (front desk sees no
health data: the selector refuses them and the template tag does not call it for them).

Alerts come from three places, read in a fixed number of queries:
- standing facts of the patient's history, tested with the protocol's own screening rules
  (`ALERT_RULES`; e.g. `pigment_prone_phototype` carries the phototypes the protocol counts,
  so no clinical figure is written here). The most recent answer to each question wins:
  consultations newest first, and the latest assessment's Fitzpatrick type over the intake's;
- an open adverse event;
- a hard stop answered in the latest screening (with its override's state, if any);
- a pending re-screen (the latest screening, as in effect, defers with a re-screen date);
- the approved plan waiting for a clinician's review of a newer, different screening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.patients.models import Patient
from needlechart.protocol import Verdict, default_protocol
from needlechart.protocol.conditions import Condition

# Protocol screening rules whose "yes" is a standing alert (codes of the default protocol; a
# clinic's copy without one of them simply shows no such alert).
ALERT_RULES = (
    "hsv_history",
    "pigment_prone_phototype",
    "pih_history",
    "metal_allergy",
    "topical_anaesthetic_allergy",
)
# How many consultations back the most recent answer is looked for (bounded read).
CONSULTATIONS_READ = 20

NO_ALERTS = "No active safety alerts."
OPEN_ADVERSE = "Open adverse event: {label} (onset {onset})."
OPEN_ADVERSE_MORE = "{count} open adverse events; latest: {label} (onset {onset})."
RESCREEN_PENDING = "Re-screen pending: deferred, re-screen on {day}."
RESCREEN_DUE = "Re-screen due: deferred, re-screen date {day} has come."
HARD_STOP = "Hard stop: {title}{state}."
HARD_STOP_PENDING = " (override awaiting a second clinician)"
HARD_STOP_OVERRIDDEN = " (overridden, confirmed by a second clinician)"
NOT_CLINICAL = "Safety alerts are health data: clinical staff only."

_UNANSWERED = (None, "", "unknown")


@dataclass(frozen=True)
class SafetyAlert:
    code: str  # the rule code, "adverse_event" or "rescreen"
    text: str
    detail: str = ""  # the fact, as recorded
    url: str = ""
    level: str = "warning"  # "warning" | "danger"


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _holds(condition: Condition, facts: dict[str, Any]) -> bool:
    """Whether an answered fact meets the rule's condition (an unknown never does here: the
    banner shows what is known; the screening asks the rest)."""
    if condition.all is not None:
        return all(_holds(c, facts) for c in condition.all)
    if condition.any is not None:
        return any(_holds(c, facts) for c in condition.any)
    if condition.fact is None or condition.within is not None:
        return False  # time-limited facts are the screening's business, not a standing alert
    value = facts.get(condition.fact)
    if isinstance(value, dict):  # an exposure: its status
        value = value.get("status")
    if value in _UNANSWERED:
        return False
    if condition.is_ is not None:
        return str(value) == condition.is_
    if condition.in_ is not None:
        if isinstance(value, list):
            return any(str(v) in condition.in_ for v in value)
        return str(value) in condition.in_
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = condition.gte, condition.lte
        return (low is None or value >= low) and (high is None or value <= high)
    return False


def _latest_facts(intakes: list[dict[str, Any]], paths: set[str]) -> dict[str, Any]:
    """For each fact path, the newest answered value (intakes are newest first)."""
    facts: dict[str, Any] = {}
    for path in paths:
        for intake in intakes:
            value = _get(intake, path)
            status = value.get("status") if isinstance(value, dict) else value
            if status not in _UNANSWERED:
                facts[path] = value
                break
    return facts


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("status", ""))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def safety_alerts_for(
    *, user: User, patient: Patient, today: date | None = None
) -> list[SafetyAlert]:
    """The patient's active safety alerts, gravest kinds first. Five queries."""
    from needlechart.assessments.models import Assessment
    from needlechart.consultations.models import Consultation
    from needlechart.plans.selectors import current_plan, plan_screening_change
    from needlechart.plans.services import SCREENING_CHANGED
    from needlechart.screenings.models import Screening
    from needlechart.treatments.models import AdverseEvent, AdverseStatus
    from needlechart.treatments.services import adverse_event_types

    require_clinical(user, NOT_CLINICAL)
    today = today or timezone.localdate()
    alerts: list[SafetyAlert] = []

    # --- an open adverse event
    events = list(
        AdverseEvent.objects.filter(patient=patient, status=AdverseStatus.OPEN).order_by(
            "-onset_on", "-id"
        )
    )
    if events:
        latest = events[0]
        types = adverse_event_types()
        label = latest.event_type_other or types.get(latest.event_type, latest.event_type)
        onset = f"{latest.onset_on:%d %b %Y}"
        text = (
            OPEN_ADVERSE.format(label=label, onset=onset)
            if len(events) == 1
            else OPEN_ADVERSE_MORE.format(count=len(events), label=label, onset=onset)
        )
        alerts.append(
            SafetyAlert(
                code="adverse_event",
                text=text,
                url=reverse("treatments:adverse_detail", args=[latest.pk]),
                level="danger",
            )
        )

    # --- a pending re-screen
    screening = (
        Screening.objects.filter(patient=patient)
        .select_related("override")
        .order_by("-created_at", "-id")
        .first()
    )
    if screening is not None:
        override = screening.override_or_none
        state = ""
        if override is not None:
            state = HARD_STOP_PENDING if override.is_pending else HARD_STOP_OVERRIDDEN
        for finding in screening.engine_result().findings:
            if finding.hard_stop:
                alerts.append(
                    SafetyAlert(
                        code=f"hard_stop_{finding.code}",
                        text=HARD_STOP.format(title=finding.title, state=state),
                        detail=finding.fact,
                        url=reverse("screenings:detail", args=[screening.pk]),
                        level="danger",
                    )
                )
    if (
        screening is not None
        and screening.effective_verdict == Verdict.DEFER.value
        and screening.rescreen_on is not None
    ):
        due = screening.rescreen_on <= today
        day = f"{screening.rescreen_on:%d %b %Y}"
        alerts.append(
            SafetyAlert(
                code="rescreen",
                text=(RESCREEN_DUE if due else RESCREEN_PENDING).format(day=day),
                url=reverse("screenings:detail", args=[screening.pk]),
            )
        )

    # --- an approved plan waiting for a clinician's review of a changed screening
    plan = current_plan(patient=patient)
    if plan is not None and plan_screening_change(plan=plan, latest=screening) is not None:
        alerts.append(
            SafetyAlert(
                code="screening_changed",
                text=SCREENING_CHANGED,
                url=reverse("plans:detail", args=[plan.pk]),
                level="danger",
            )
        )

    # --- standing facts of the history, tested with the protocol's rules
    rules = {r.code: r for r in default_protocol().document.screening_rules}
    wanted = [rules[code] for code in ALERT_RULES if code in rules]
    if wanted:
        intakes = [
            intake
            for intake in Consultation.objects.filter(patient=patient)
            .order_by("-consulted_on", "-id")
            .values_list("intake", flat=True)[:CONSULTATIONS_READ]
            if isinstance(intake, dict)
        ]
        fitzpatrick = (
            Assessment.objects.filter(patient=patient)
            .exclude(fitzpatrick="")
            .order_by("-assessed_on", "-id")
            .values_list("fitzpatrick", flat=True)
            .first()
        )
        if fitzpatrick:  # the later, more careful examination
            intakes.insert(0, {"fitzpatrick": fitzpatrick})
        paths = {fact for rule in wanted for fact in rule.when.facts()}
        facts = _latest_facts(intakes, paths)
        for rule in wanted:
            if _holds(rule.when, facts):
                detail = "; ".join(
                    f"{path} = {_describe(facts[path])}"
                    for path in rule.when.facts()
                    if path in facts
                )
                alerts.append(SafetyAlert(code=rule.code, text=rule.title, detail=detail))
    return alerts
