"""Engine endpoints: the clinical engine, stateless, for any signed-in staff member.

Nothing here touches patient records, so nothing is audited; the engine's own pydantic
models are the input (Intake, SymptomReport) and the nested parts of the output.
"""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from needlechart.api.schemas import require_storable
from needlechart.protocol import (
    Grading,
    Intake,
    Plan,
    ProtocolRef,
    SymptomReport,
    Triage,
    Verdict,
    default_protocol,
    grade,
    plan,
    screen,
    triage,
)
from needlechart.protocol.aftercare import aftercare_timeline
from needlechart.protocol.results import AftercareDay, Finding, PrecautionAdvice, Question

router = Router(tags=["engine"])


class ScreenIn(Intake):
    """The engine's Intake, plus the day to screen on (default: today in the clinic)."""

    model_config = ConfigDict(title="ScreenIn")

    today: date | None = Field(default=None, description="Screen as of this day.")


class ScreenOut(Schema):
    verdict: Verdict
    treatable: bool
    findings: list[Finding]
    precautions: list[PrecautionAdvice]
    questions: list[Question]
    rescreen_on: date | None
    screened_on: date
    protocol: ProtocolRef
    grading: Grading
    plan: Plan | None = Field(description="Only when the verdict is treatable.")


class ProtocolCounts(Schema):
    screening_rules: int
    indications: int
    preparation_steps: int
    adjuncts: int
    precautions: int
    symptoms: int
    sources: int


class ProtocolOut(Schema):
    id: str
    version: str
    hash: str
    title: str
    counts: ProtocolCounts


class AftercareQuery(Schema):
    session_date: date | None = Field(
        default=None, description="Day of the session; without it, days are relative only."
    )


class AftercareOut(Schema):
    session_date: date | None
    check_in_days: list[int]
    protocol: ProtocolRef
    timeline: list[AftercareDay]


@router.post("/screen", response=ScreenOut, summary="Screen, grade and (when treatable) plan")
def engine_screen(request: HttpRequest, payload: ScreenIn) -> ScreenOut:
    today = payload.today or timezone.localdate()
    intake = Intake.model_validate(payload.model_dump(exclude={"today"}))
    require_storable(today=today, _=intake)
    screening = screen(intake, today=today)
    grading = grade(intake.scars, intake.active_acne)
    treatable = Verdict(screening.verdict).treatable
    return ScreenOut(
        verdict=screening.verdict,
        treatable=treatable,
        findings=screening.findings,
        precautions=screening.precautions,
        questions=screening.questions,
        rescreen_on=screening.rescreen_on,
        screened_on=screening.screened_on,
        protocol=screening.protocol,
        grading=grading,
        plan=plan(intake, today=today, screening=screening) if treatable else None,
    )


@router.post("/triage", response=Triage, summary="Triage a symptom reported after a session")
def engine_triage(request: HttpRequest, payload: SymptomReport) -> Triage:
    return triage(payload)


@router.get("/protocol", response=ProtocolOut, summary="The protocol in use")
def engine_protocol(request: HttpRequest) -> ProtocolOut:
    protocol = default_protocol()
    doc = protocol.document
    return ProtocolOut(
        id=protocol.ref.id,
        version=protocol.ref.version,
        hash=protocol.ref.hash,
        title=doc.protocol.title,
        counts=ProtocolCounts(
            screening_rules=len(doc.screening_rules),
            indications=len(doc.planning.indications),
            preparation_steps=len(doc.planning.preparation),
            adjuncts=len(doc.planning.adjuncts),
            precautions=len(doc.precautions),
            symptoms=len(doc.aftercare.symptoms),
            sources=len(doc.sources),
        ),
    )


@router.get("/aftercare", response=AftercareOut, summary="Day-by-day aftercare instructions")
def engine_aftercare(request: HttpRequest, filters: Query[AftercareQuery]) -> AftercareOut:
    require_storable(session_date=filters.session_date)
    protocol = default_protocol()
    return AftercareOut(
        session_date=filters.session_date,
        check_in_days=list(protocol.document.aftercare.check_ins.days),
        protocol=protocol.ref,
        timeline=aftercare_timeline(session_date=filters.session_date, protocol=protocol),
    )
