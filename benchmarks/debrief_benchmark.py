"""How long does a class debrief take? Prints the time to build a report from N traces.

A class of N learners plays the course's largest scenario at random (seeded); each trace is
saved as nbgrader leaves it (``submitted/<student>/<assignment>/mhsw-trace-<id>.json``), then
the report is built by ``mhsw debrief`` in a fresh process, as a lecturer would run it.

    python benchmarks/debrief_benchmark.py            # 300 traces
    python benchmarks/debrief_benchmark.py --n 1000
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "course" / "m3-amhp" / "scenarios" / "mha-assessment.yaml"
RATIONALE = " ".join(["because the least restrictive safe option matters here"] * 3)


def make_class(folder: Path, n: int) -> None:
    from helpers.scenarios import Session, load_scenario
    from helpers.traces import save_trace

    scenario = load_scenario(SCENARIO)
    for number in range(n):
        chooser = random.Random(number)
        session = Session(scenario)
        while not session.finished:
            index = chooser.choice([i for i, _ in session.available_choices()])
            session.choose(index, rationale=RATIONALE if session.needs_rationale else None)
        save_trace(session.trace(), folder / f"student-{number:04d}" / "assessment")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="traces in the class (default 300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work_path = Path(work)
        started = time.perf_counter()
        make_class(work_path / "submitted", args.n)
        made = time.perf_counter() - started
        report = work_path / "report.html"
        command = [
            sys.executable,
            "-m",
            "helpers",
            "debrief",
            str(SCENARIO),
            "--traces",
            str(work_path / "submitted"),
            "-o",
            str(report),
            "--rationales",
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        took = time.perf_counter() - started
        print(f"traces: {args.n} (generated in {made:.1f} s)")
        print(f"mhsw debrief, fresh process, end to end: {took:.2f} s")
        print(f"report size: {report.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
