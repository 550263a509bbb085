"""The clinical engine: pure Python, no Django, deterministic; the caller passes `today`.

from needlechart.protocol import Intake, screen, grade, plan, triage
screening = screen(intake, today=date.today())
"""

from .aftercare import SymptomReport, aftercare_timeline, check_in_days, triage, triage_all
from .grading import GradingError, grade
from .intake import Intake
from .limits import Limit, depth_limit, interval_limit, session_limit
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
from .results import Finding, Grading, OverrideLevel, Plan, Screening, Triage
from .screening import override_level, screen
from .vocabulary import TriageLevel, Verdict

__all__ = [
    "DEFAULT_PROTOCOL_PATH",
    "Finding",
    "Grading",
    "GradingError",
    "Intake",
    "Limit",
    "OverrideLevel",
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
    "depth_limit",
    "grade",
    "interval_limit",
    "load_protocol",
    "override_level",
    "parse_protocol",
    "plan",
    "preparation_schedule",
    "screen",
    "session_limit",
    "triage",
    "triage_all",
    "within_protocol",
]
