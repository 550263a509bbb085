"""The `needlechart` command: the clinical engine from a terminal.

    needlechart screen examples/clear-candidate.yaml
    needlechart screen - --json < intake.json
    needlechart triage --symptom redness --severity mild --days 2
    needlechart aftercare --session-date 2026-12-01
    needlechart schema intake
    needlechart protocol check my-clinic.yaml

Bad input never shows a traceback: one message naming the problem, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import ValidationError

from needlechart.protocol import (
    GradingError,
    Intake,
    Protocol,
    ProtocolError,
    SymptomReport,
    aftercare_timeline,
    grade,
    load_protocol,
    plan,
    screen,
    triage,
)
from needlechart.protocol.loader import format_validation_error
from needlechart.protocol.results import Grading, Plan, Screening, SourcedRange
from needlechart.protocol.vocabulary import Symptom, SymptomSeverity

EXIT_BAD_INPUT = 2


class InputError(Exception):
    """Bad input from the user: printed as one line, exit 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        protocol = load_protocol(args.protocol)
        output = args.handler(args, protocol)
    except (InputError, ProtocolError, GradingError) as exc:
        print(f"needlechart: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if output:
        try:
            print(output)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `needlechart ... | head`: the reader left, not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit-time flush
    return 0


def _parser() -> argparse.ArgumentParser:
    top = _ErrorParser(add_help=False)
    top.add_argument(
        "--protocol", metavar="FILE", help="use a clinic's own protocol file instead of the default"
    )
    # Sub-commands accept --protocol too; SUPPRESS keeps them from resetting a value given earlier.
    common = _ErrorParser(add_help=False)
    common.add_argument(
        "--protocol", metavar="FILE", default=argparse.SUPPRESS, help="protocol file"
    )
    parser = _ErrorParser(
        prog="needlechart", description="NeedleChart clinical engine.", parents=[top]
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_ErrorParser)

    p = sub.add_parser("screen", parents=[common], help="screen an intake file (JSON or YAML)")
    p.add_argument("file", help="intake file, or - for standard input")
    p.add_argument("--today", type=_date, default=None, help="screening date (default: today)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a report")
    p.set_defaults(handler=_screen)

    p = sub.add_parser("triage", parents=[common], help="triage a patient-reported symptom")
    p.add_argument("--symptom", required=True, choices=[s.value for s in Symptom])
    p.add_argument("--severity", default="mild", choices=[s.value for s in SymptomSeverity])
    p.add_argument(
        "--days", type=_days, required=True, help="days since the session (0 = same day)"
    )
    p.add_argument("--worsening", action="store_true", help="the symptom is getting worse")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_triage)

    p = sub.add_parser("aftercare", parents=[common], help="day-by-day aftercare after a session")
    p.add_argument("--session-date", type=_date, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_aftercare)

    p = sub.add_parser("schema", parents=[common], help="print a JSON Schema")
    p.add_argument("which", choices=["intake", "symptom-report"])
    p.set_defaults(handler=_schema)

    p = sub.add_parser("protocol", parents=[common], help="work with protocol files")
    psub = p.add_subparsers(dest="action", required=True, parser_class=_ErrorParser)
    check = psub.add_parser("check", parents=[common], help="validate a protocol file")
    check.add_argument("file")
    check.set_defaults(handler=_protocol_check)
    return parser


class _ErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"needlechart: {message}\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days") from None
    if value < 0:
        raise argparse.ArgumentTypeError("days since the session cannot be negative")
    return value


# --- commands ----------------------------------------------------------------------------------


def _screen(args: argparse.Namespace, protocol: Protocol) -> str:
    intake = read_intake(args.file)
    today = args.today or date.today()
    screening = screen(intake, today=today, protocol=protocol)
    grading = grade(intake.scars, intake.active_acne, protocol=protocol)
    course = plan(intake, today=today, protocol=protocol, screening=screening)
    treatable = screening.verdict.treatable
    if args.json:
        document: dict[str, Any] = screening.model_dump(mode="json")
        document["grading"] = grading.model_dump(mode="json")
        document["treatable"] = treatable
        if treatable:
            document["plan"] = course.model_dump(mode="json")
        return json.dumps(document, indent=2)
    return render_screening(screening, course if treatable else None, grading)


def _triage(args: argparse.Namespace, protocol: Protocol) -> str:
    report = SymptomReport(
        symptom=args.symptom,
        severity=args.severity,
        days_since_session=args.days,
        worsening=args.worsening,
    )
    result = triage(report, protocol=protocol)
    if args.json:
        return result.model_dump_json(indent=2)
    return "\n".join(
        [
            f"Triage: {result.level.value.upper()}  "
            f"({result.symptom.value}, {result.severity.value},"
            f" day {result.days_since_session})",
            _wrap(f"Why: {result.reason}"),
            _wrap(f"Tell the patient: {result.advice}"),
            f"Sources: {', '.join(result.sources) or 'none (unsourced safety default)'}",
        ]
    )


def _aftercare(args: argparse.Namespace, protocol: Protocol) -> str:
    days = aftercare_timeline(session_date=args.session_date, protocol=protocol)
    if args.json:
        return json.dumps([d.model_dump(mode="json") for d in days], indent=2)
    lines = []
    for day in days:
        when = f" ({day.date.isoformat()})" if day.date else ""
        lines.append(f"Day {day.day}{when}")
        lines.extend(
            _wrap(f"- {i.text} [{', '.join(i.sources)}]", indent="  ") for i in day.instructions
        )
    return "\n".join(lines)


def _schema(args: argparse.Namespace, protocol: Protocol) -> str:
    model = Intake if args.which == "intake" else SymptomReport
    return json.dumps(model.model_json_schema(), indent=2)


def _protocol_check(args: argparse.Namespace, protocol: Protocol) -> str:
    checked = load_protocol(args.file)
    doc = checked.document
    return (
        f"OK: {doc.protocol.id} version {doc.protocol.version}\n"
        f"hash {checked.ref.hash}\n"
        f"{len(doc.screening_rules)} screening rules, {len(doc.planning.indications)} indications, "
        f"{len(doc.sources)} sources"
    )


# --- input -------------------------------------------------------------------------------------


def read_intake(name: str) -> Intake:
    """Read an intake from a JSON/YAML file or stdin; every failure is an InputError."""
    if name == "-":
        text, origin = sys.stdin.read(), "standard input"
    else:
        path = Path(name)
        try:
            text, origin = path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not an intake file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: cannot read ({exc})") from None
    try:
        data = yaml.safe_load(text)  # YAML is a superset of JSON: one parser reads both
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"{origin}: not valid JSON or YAML{where}") from None
    if not isinstance(data, dict):
        raise InputError(f"{origin}: an intake is a mapping of fields (got {type(data).__name__})")
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{origin}: {format_validation_error(exc)}") from None


# --- report ------------------------------------------------------------------------------------


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent + "  ")


def _range(r: SourcedRange) -> str:
    if not r.known:
        return f"no sourced figure: {r.unsourced}"
    low = f"{r.low:g}" if r.low is not None else "?"
    high = f"{r.high:g}" if r.high is not None else "?"
    span = low if low == high else f"{low}-{high}"
    return f"{span} {r.unit} [{', '.join(r.sources)}]"


def _days_before(days: int | None) -> str:
    if not days:
        return "Before the first session"
    return "1 day before" if days == 1 else f"{days} days before"


def render_screening(screening: Screening, course: Plan | None, grading: Grading) -> str:
    ref = screening.protocol
    out = [
        f"Verdict: {screening.verdict.value.upper()}",
        f"Protocol: {ref.id} {ref.version} ({ref.hash[:19]}…)",
        f"Screened on: {screening.screened_on.isoformat()}",
    ]
    if screening.rescreen_on:
        out.append(f"Re-screen from: {screening.rescreen_on.isoformat()}")
    out.append("")
    out.append("Findings:" if screening.findings else "Findings: none")
    for f in screening.findings:
        until = f" (until {f.until.isoformat()})" if f.until else ""
        out.append(_wrap(f"- [{f.severity.value}] {f.title}{until}: {f.message}", indent="  "))
        sources = ", ".join(f.sources) or "unsourced"
        out.append(_wrap(f"fact: {f.fact}; sources: {sources}", indent="      "))
    if screening.precautions:
        out.append("\nPrecautions:")
        out.extend(
            _wrap(f"- {p.text} [{', '.join(p.sources)}]", indent="  ")
            for p in screening.precautions
        )
    if screening.questions:
        out.append("\nQuestions still to ask:")
        out.extend(_wrap(f"- {q.text}", indent="  ") for q in screening.questions)
    q = grading.qualitative
    out.append("\nGrading:")
    out.append(
        f"  Goodman & Baron qualitative: {q.grade or '-'} ({q.level or 'not graded'}) — {q.reason}"
    )
    if grading.quantitative:
        s = grading.quantitative
        label = "" if s.verified else " (UNVERIFIED table)"
        out.append(f"  Goodman & Baron quantitative: {s.score}{label}")
    if grading.acne.iga is not None:
        out.append(f"  IGA {grading.acne.iga}: {grading.acne.iga_descriptor}")
    if grading.acne.gags_score is not None:
        out.append(f"  GAGS {grading.acne.gags_score} ({grading.acne.gags_band})")
    if course is None:
        out.append("\nPlan: not offered — the verdict needs a clinician's decision first.")
        return "\n".join(out)
    out.append(f"\nPlan: {course.indication_title} with {course.device.value.replace('_', ' ')}")
    out.append(f"  Sessions: {_range(course.sessions)}")
    out.append(f"  Interval: {_range(course.interval_weeks)}")
    out.append("  Needle depth:")
    out.extend(_wrap(f"{d.zone.value}: {_range(d.depth_mm)}", indent="    ") for d in course.depths)
    out.append(_wrap(f"Endpoint: {course.endpoint.text}", indent="  "))
    out.append("  Preparation:")
    out.extend(
        _wrap(f"- {_days_before(s.days_before)}: {s.text}", indent="    ")
        for s in course.preparation
    )
    if course.adjuncts:
        out.append("  Adjuncts to discuss:")
        out.extend(_wrap(f"- {a.title}: {a.text}", indent="    ") for a in course.adjuncts)
    out.append(_wrap(f"Expected course: {course.expected_course.text}", indent="  "))
    out.append(_wrap(f"Maintenance: {course.maintenance.text}", indent="  "))
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
