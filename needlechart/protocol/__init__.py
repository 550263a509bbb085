"""The clinical engine: pure Python, no Django, deterministic; the caller passes `today`.

from needlechart.protocol import Intake, screen, grade, plan, triage
screening = screen(intake, today=date.today())
"""

from .aftercare import SymptomReport, aftercare_timeline, check_in_days, triage, triage_all
from .grading import GradingError, grade
from .intake import Intake
from .loader import (
    DEFAULT_PROTOCOL_PATH,
    Protocol,
    ProtocolError,
    ProtocolRef,
    cite,
    default_protocol,
    load_protocol,
    parse_protocol,
)
from .planning import plan, preparation_schedule, within_protocol
from .results import Finding, Grading, Plan, Screening, Triage
from .screening import screen
from .vocabulary import TriageLevel, Verdict

__all__ = [
    "DEFAULT_PROTOCOL_PATH",
    "Finding",
    "Grading",
    "GradingError",
    "Intake",
    "Plan",
    "Protocol",
    "ProtocolError",
    "ProtocolRef",
    "Screening",
    "SymptomReport",
    "Triage",
    "TriageLevel",
    "Verdict",
    "aftercare_timeline",
    "check_in_days",
    "cite",
    "default_protocol",
    "grade",
    "load_protocol",
    "parse_protocol",
    "plan",
    "preparation_schedule",
    "screen",
    "triage",
    "triage_all",
    "within_protocol",
]
