"""Each mutated module's score from mutmut's results; fails if one is under its threshold.

Run by `make mutation` after `mutmut run`. A mutant counts as caught when a test failed
on it (killed), ran out of time on it or the test process died on it; a mutant that no
test runs ("no tests") counts as survived, as does one mutmut found suspicious.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code

MUTANTS = Path("mutants")
CAUGHT = {"killed", "timeout", "segfault", "caught by type check"}
# Privacy and the small-group rules are held to a higher bar: a missed bug there
# exposes a resident.
THRESHOLDS = {"surveyservice/privacy/": 95.0, "surveyservice/results/suppression.py": 95.0}
DEFAULT_THRESHOLD = 90.0


def threshold(module: str) -> float:
    return next(
        (t for prefix, t in THRESHOLDS.items() if module.startswith(prefix)), DEFAULT_THRESHOLD
    )


def main() -> int:
    metas = sorted(MUTANTS.glob("surveyservice/**/*.py.meta"))
    if not metas:
        print("No mutmut results in mutants/: run `mutmut run` first.")
        return 1
    failed = False
    print(f"{'module':<48} {'mutants':>7} {'caught':>7} {'score':>7}  needed")
    for meta in metas:
        module = str(meta.relative_to(MUTANTS)).removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        statuses = [status_by_exit_code[code] for code in codes]
        if not statuses:
            continue
        if "not checked" in statuses:
            untried = statuses.count("not checked")
            print(f"{module}: {untried} mutants were not tried; the run is incomplete.")
            failed = True
            continue
        caught = sum(status in CAUGHT for status in statuses)
        score = 100 * caught / len(statuses)
        needed = threshold(module)
        verdict = "" if score >= needed else "  TOO LOW"
        failed |= score < needed
        print(f"{module:<48} {len(statuses):>7} {caught:>7} {score:>6.1f}%  {needed:.0f}%{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
