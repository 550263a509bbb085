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
from .vocabulary import Verdict


def screen(intake: Intake, *, today: date, protocol: Protocol | None = None) -> Screening:
    protocol = protocol or default_protocol()
    ranked: list[tuple[tuple[int, bool, str], Finding]] = []
    questions: dict[str, Question] = {}
    cache = _cache(protocol)
    false, unknown = Truth.FALSE, Truth.UNKNOWN
    for compiled in protocol.rules:
        applies = compiled.applies
        if applies is not None and applies(intake, today).truth is false:
            continue
        outcome = compiled.when(intake, today)
        if outcome.truth is false:
            continue
        unanswered = outcome.truth is unknown
        key = (compiled.rule.code, unanswered, outcome.until, compiled.read_facts(intake))
        entry = cache.get(key)
        if entry is None:
            entry = _ranked(intake, compiled, unanswered=unanswered, until=outcome.until)
            if len(cache) < _CACHE_LIMIT:
                cache[key] = entry
        ranked.append(entry)
        if unanswered and compiled.rule.question not in questions:
            questions[compiled.rule.question] = _question(protocol, compiled)

    # Most restrictive first; answered before unanswered; then by code.
    ranked.sort(key=_first)
    findings = [finding for _, finding in ranked]
    return Screening.build(
        verdict=findings[0].severity if findings else Verdict.PROCEED,
        findings=findings,
        precautions=_precautions(protocol, findings),
        questions=list(questions.values()),
        rescreen_on=_rescreen_on(findings),
        screened_on=today,
        protocol=protocol.ref,
    )


def _first(entry: tuple[tuple[int, bool, str], Finding]) -> tuple[int, bool, str]:
    return entry[0]


def _ranked(
    intake: Intake, compiled: CompiledRule, *, unanswered: bool, until: date | None
) -> tuple[tuple[int, bool, str], Finding]:
    rule = compiled.rule
    fact = "; ".join(describe_fact(intake, path) for path in rule.when.facts())
    finding = _finding(compiled, fact=fact, unanswered=unanswered, until=until)
    return (-finding.severity.rank, unanswered, rule.code), finding


# Findings are immutable and depend only on (rule, answered?, window end, fact), so equal
# findings are shared. The cap keeps a long-running process from growing without bound.
_CACHE_LIMIT = 20_000
_FindingKey = tuple[str, bool, date | None, object]
_Cache = dict[_FindingKey, tuple[tuple[int, bool, str], Finding]]


def _cache(protocol: Protocol) -> _Cache:
    cache: _Cache = protocol.memo.setdefault("findings", {})
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
    antiviral cover, an unknown phototype still means pigment precautions. The advice depends
    only on which rules fired, so it is built once per set of rule codes.
    """
    codes = tuple(f.code for f in findings)
    made: dict[tuple[str, ...], list[PrecautionAdvice]] = protocol.memo.setdefault(
        "precautions", {}
    )
    advice = made.get(codes)
    if advice is None:
        advice = _advice(protocol, codes)
        if len(made) < _CACHE_LIMIT:
            made[codes] = advice
    return list(advice)


def _advice(protocol: Protocol, codes: tuple[str, ...]) -> list[PrecautionAdvice]:
    rules = {c.rule.code: c.rule for c in protocol.rules}
    because: dict[str, list[str]] = {}
    for code in codes:
        for precaution in rules[code].precautions:
            because.setdefault(precaution, []).append(code)
    catalogue = protocol.document.precautions
    order = list(catalogue)
    return [
        PrecautionAdvice(
            code=code, text=catalogue[code].text, sources=catalogue[code].sources, because=why
        )
        for code, why in sorted(because.items(), key=lambda kv: order.index(kv[0]))
    ]


def _rescreen_on(findings: list[Finding]) -> date | None:
    """The day the last time-limited finding's window closes: no re-screen before it.

    Kept whatever the verdict, so a referral does not lose the wash-out date a deferral in the
    same screening set. Findings without a date (an infection, a pregnancy) must also have
    resolved by then; each finding keeps its own `until`.
    """
    dates = [f.until for f in findings if f.until is not None]
    return max(dates) if dates else None
