"""Runs the bad-input corpus (tests/validate/corpus.py) through `harness.cli.main` and counts how each case ended:
ok (exit 0: validate accepted it), one-line (exit 2, one line containing the case's expected file or field),
vague (exit 2, one line that does not name it), traceback, or other. Run from the repository root
with PYTHONPATH naming the checkout to judge: `PYTHONPATH=<checkout> python tests/validate/classify.py [-v]`."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, Case, cases

os.environ.setdefault("HARNESS_DATA", str(ROOT / "tests" / "data" / "shared"))


def run_case(case: Case) -> tuple[int, str]:
    """(exit status, stdout + stderr) of `harness <argv>`: in this process, or in a subprocess for env cases (`-P`:
    the harness on PYTHONPATH, not the one in the working directory)."""
    if case.env:
        env = {**os.environ, **case.env}
        proc = subprocess.run(
            [sys.executable, "-P", "-m", "harness.cli", *case.argv], capture_output=True, text=True, env=env, cwd=ROOT
        )
        return proc.returncode, proc.stdout + proc.stderr
    from harness.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(case.argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:
            import traceback

            return 1, "Traceback (escaped main)\n" + "".join(traceback.format_exception(exc))
    return code, out.getvalue() + err.getvalue()


def classify(code: int, text: str, expect: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if "Traceback" in text:
        return "traceback"
    if code == 0:
        return "ok"
    if code == 2 and len(lines) == 1:
        return "one-line" if expect in lines[0] else "vague"
    return "other"


def main() -> int:
    os.chdir(ROOT)
    verbose = "-v" in sys.argv
    counts: Counter[str] = Counter()
    for case in cases():
        code, text = run_case(case)
        kind = classify(code, text, case.expect)
        counts[kind] += 1
        if verbose:
            first = text.strip().splitlines()[-1] if text.strip() else ""
            print(f"{kind:<9} {case.id:<34} {first[:150]}")
    total = sum(counts.values())
    print(f"{total} cases: " + ", ".join(f"{k} {counts[k]}" for k in ("ok", "one-line", "vague", "traceback", "other")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
