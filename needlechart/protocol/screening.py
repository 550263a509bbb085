"""Screening: contraindications and precautions -> one verdict with its reasons.

The most restrictive finding decides the verdict. An unanswered safety question becomes a
question to ask and a finding at least as cautious as `proceed_with_precautions`, so an
intake with gaps can never come out as `proceed`.
"""

from __future__ import annotations

from datetime import date

from .conditions import Truth, describe_fact
from .intake import Intake
from .loader import CompiledRule, Protocol, default_protocol
from .results import Finding, OverrideLevel, PrecautionAdvice, Question, Screening
from .vocabulary import Verdict, most_restrictive


def screen(intake: Intake, *, today: date, protocol: Protocol | None = None) -> Screening:
    protocol = protocol or default_protocol()
    findings: list[Finding] = []
    questions: dict[str, Question] = {}
    cache = _cache(protocol)
    for compiled in protocol.rules:
        applies = compiled.applies
        if applies is not None and applies(intake, today).truth is Truth.FALSE:
            continue
        outcome = compiled.when(intake, today)
        if outcome.truth is Truth.FALSE:
            continue
        unanswered = outcome.truth is Truth.UNKNOWN
        rule = compiled.rule
        key = (rule.code, unanswered, outcome.until, compiled.read_facts(intake))
        finding = cache.get(key)
        if finding is None:
            fact = "; ".join(describe_fact(intake, path) for path in rule.when.facts())
            finding = _finding(compiled, fact=fact, unanswered=unanswered, until=outcome.until)
            if len(cache) < _CACHE_LIMIT:
                cache[key] = finding
        findings.append(finding)
        if unanswered and rule.question not in questions:
            questions[rule.question] = _question(protocol, compiled)

    verdict = most_restrictive([f.severity for f in findings])
    findings.sort(key=lambda f: (-f.severity.rank, f.unanswered, f.code))
    return Screening.build(
        verdict=verdict,
        findings=findings,
        precautions=_precautions(protocol, findings),
        questions=list(questions.values()),
        rescreen_on=_rescreen_on(findings),
        screened_on=today,
        protocol=protocol.ref,
    )


# Findings are immutable and depend only on (rule, answered?, window end, fact), so equal
# findings are shared. The cap keeps a long-running process from growing without bound.
_CACHE_LIMIT = 20_000
_FindingKey = tuple[str, bool, date | None, object]


def _cache(protocol: Protocol) -> dict[_FindingKey, Finding]:
    cache: dict[_FindingKey, Finding] = protocol.memo.setdefault("findings", {})
    return cache


def _question(protocol: Protocol, compiled: CompiledRule) -> Question:
    questions: dict[str, Question] = protocol.memo.setdefault("questions", {})
    rule = compiled.rule
    if rule.code not in questions:
        questions[rule.code] = Question(
            code=rule.code, text=rule.question, fact=", ".join(rule.when.facts())
        )
    return questions[rule.code]


def _finding(compiled: CompiledRule, *, fact: str, unanswered: bool, until: date | None) -> Finding:
    rule = compiled.rule
    return Finding.build(
        code=rule.code,
        title=rule.title,
        severity=rule.severity_if_unknown() if unanswered else rule.severity,
        message=f"Not yet answered: {rule.question}" if unanswered else rule.message,
        fact=fact,
        sources=rule.sources,
        evidence=rule.evidence,
        note=rule.note,
        unanswered=unanswered,
        until=until,
        hard_stop=rule.hard_stop and not unanswered,
        physician_level=rule.physician_level,
    )


def override_level(screening: Screening) -> OverrideLevel:
    """Who may override this verdict.

    An answered hard stop needs a clinician and a second clinician's confirmation; a verdict
    that refers to a physician, or any physician-level question (answered or still unknown),
    needs a clinician; anything else may be overridden by an aesthetician.
    """
    findings = screening.findings
    if any(f.hard_stop for f in findings):
        return OverrideLevel.SECOND_CLINICIAN
    if screening.verdict.rank >= Verdict.REFER_TO_PHYSICIAN.rank or any(
        f.physician_level for f in findings
    ):
        return OverrideLevel.CLINICIAN
    return OverrideLevel.AESTHETICIAN


def _precautions(protocol: Protocol, findings: list[Finding]) -> list[PrecautionAdvice]:
    """Precautions called for by the findings, in protocol order, each once.

    An unanswered question carries its precautions too: HSV history unknown still means
    antiviral cover, an unknown phototype still means pigment precautions.
    """
    because: dict[str, list[str]] = {}
    rules = protocol.memo.setdefault("rules_by_code", {c.rule.code: c.rule for c in protocol.rules})
    for finding in findings:
        for code in rules[finding.code].precautions:
            because.setdefault(code, []).append(finding.code)
    catalogue = protocol.document.precautions
    order = list(catalogue)
    made: dict[tuple[str, tuple[str, ...]], PrecautionAdvice] = protocol.memo.setdefault(
        "precautions", {}
    )
    advice = []
    for code, why in sorted(because.items(), key=lambda kv: order.index(kv[0])):
        key = (code, tuple(why))
        if key not in made:
            made[key] = PrecautionAdvice(
                code=code, text=catalogue[code].text, sources=catalogue[code].sources, because=why
            )
        advice.append(made[key])
    return advice


def _rescreen_on(findings: list[Finding]) -> date | None:
    """The day the last time-limited finding's window closes: no re-screen before it.

    Kept whatever the verdict, so a referral does not lose the wash-out date a deferral in the
    same screening set. Findings without a date (an infection, a pregnancy) must also have
    resolved by then; each finding keeps its own `until`.
    """
    dates = [f.until for f in findings if f.until is not None]
    return max(dates) if dates else None
