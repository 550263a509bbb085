"""Sessions, symptom reports and adverse events on the patient's course timeline (clinical).

Three queries whatever the number of rows."""

from django.urls import reverse

from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.treatments.models import AdverseEvent, SessionRecord, SymptomReport


@register_timeline_provider
def sessions(patient: Patient) -> list[TimelineEntry]:
    entries = []
    rows = SessionRecord.objects.filter(patient=patient).only(
        "id", "session_number", "performed_on", "created_at", "signed_at", "status"
    )
    for record in rows:
        url = reverse("treatments:detail", args=[record.pk])
        entries.append(
            TimelineEntry(
                date=record.performed_on,
                kind="session",
                title=f"Session {record.session_number} charted",
                url=url,
                status=record.status,
            )
        )
        if record.signed_at is not None:
            entries.append(
                TimelineEntry(
                    date=record.signed_at,
                    kind="session_signed",
                    title=f"Session {record.session_number} record signed",
                    url=url,
                    status=record.status,
                )
            )
    return entries


@register_timeline_provider
def symptom_reports(patient: Patient) -> list[TimelineEntry]:
    rows = SymptomReport.objects.filter(patient=patient).only(
        "id", "symptom", "severity", "triage_level", "created_at", "resolved_at"
    )
    return [
        TimelineEntry(
            date=report.created_at,
            kind="symptom",
            title=f"Symptom reported: {report.get_symptom_display().lower()}"
            f" ({report.severity}){' — resolved' if report.resolved_at else ''}",
            url=reverse("treatments:symptom_detail", args=[report.pk]),
            status=report.triage_level,
        )
        for report in rows
    ]


@register_timeline_provider
def adverse_events(patient: Patient) -> list[TimelineEntry]:
    from needlechart.treatments.services import adverse_event_types

    labels = adverse_event_types()
    entries = []
    rows = AdverseEvent.objects.filter(patient=patient).only(
        "id", "event_type", "event_type_other", "severity", "onset_on", "resolved_on", "status"
    )
    for event in rows:
        label = event.event_type_other or labels.get(event.event_type, event.event_type)
        url = reverse("treatments:adverse_detail", args=[event.pk])
        entries.append(
            TimelineEntry(
                date=event.onset_on,
                kind="adverse_event",
                title=f"Adverse event: {label} ({event.severity})",
                url=url,
                status=event.status,
            )
        )
        if event.resolved_on is not None:
            entries.append(
                TimelineEntry(
                    date=event.resolved_on,
                    kind="adverse_event_resolved",
                    title=f"Adverse event resolved: {label}",
                    url=url,
                    status=event.status,
                )
            )
    return entries
