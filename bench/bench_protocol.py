"""Engine throughput: screen + grade + plan over 10,000 varied intakes, on one core.

Targets (issue #2): at least 20,000 intakes per second, and no more than 3x the cost of
validating the same intakes alone.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import intake_dicts

from needlechart.protocol import Intake, default_protocol, grade, plan, screen

COUNT = 10_000
TODAY = date(2026, 11, 21)
TARGET_PER_SECOND = 20_000
TARGET_RATIO = 3.0


def best_of_interleaved(runs: int, *fns: object) -> list[float]:
    """The best time of each function, run in turns so a busy machine slows both alike."""
    best = [float("inf")] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            assert callable(fn)
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> int:
    raw = intake_dicts(COUNT)
    protocol = default_protocol()
    intakes = [Intake.model_validate(d) for d in raw]

    def validate() -> None:
        for d in raw:
            Intake.model_validate(d)

    def engine() -> None:
        for intake in intakes:
            screening = screen(intake, today=TODAY, protocol=protocol)
            grade(intake.scars, intake.active_acne, protocol=protocol)
            plan(intake, today=TODAY, protocol=protocol, screening=screening)

    validation, work = best_of_interleaved(5, validate, engine)
    rate = COUNT / work
    ratio = work / validation
    treatable = sum(screen(i, today=TODAY, protocol=protocol).verdict.treatable for i in intakes)
    print(f"intakes: {COUNT} ({treatable} treatable; every one screened, graded and planned)")
    print(f"validation alone:       {COUNT / validation:>10,.0f} intakes/s")
    print(f"screen + grade + plan:  {rate:>10,.0f} intakes/s   (target >= {TARGET_PER_SECOND:,})")
    print(f"engine / validation:    {ratio:>10.2f} x          (target <= {TARGET_RATIO})")
    ok = rate >= TARGET_PER_SECOND and ratio <= TARGET_RATIO
    print("result:", "meets targets" if ok else "BELOW TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
