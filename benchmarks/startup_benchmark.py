"""What does a student's notebook pay to start? Prints times and memory of the course's helpers.

Each measurement runs in a fresh Python process, as a fresh kernel would:

1. ``import helpers`` (kept cheap: nothing heavy is imported until it is used);
2. loading every course dataset with ``load_dataset`` (includes importing pandas);
3. loading and validating the largest scenario with ``load_scenario`` (YAML + jsonschema);
4. building the scenario's widget view (includes importing ipywidgets);
5. ``mhsw check`` on the whole course.

    python benchmarks/startup_benchmark.py          # median of 3 runs of each
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "course" / "m3-amhp" / "scenarios" / "mha-assessment.yaml"

PROBES = {
    "import helpers": "import helpers",
    "load all datasets": (
        "from helpers import list_datasets, load_dataset\n"
        "for name in list_datasets(): load_dataset(name)"
    ),
    "load the largest scenario": (
        f"from helpers import load_scenario\nload_scenario({str(SCENARIO)!r})"
    ),
    "build its widget view": (
        "from helpers.scenario_view import build_scenario_view\n"
        f"build_scenario_view({str(SCENARIO)!r}, save=False)"
    ),
}
FOOTER = (
    "\nimport resource, sys\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)"
)


def measure(code: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + FOOTER], capture_output=True, text=True, check=True, cwd=REPO
    )
    return time.perf_counter() - start, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    baseline = statistics.median(measure("pass")[0] for _ in range(3))
    print(
        f"{'step (fresh process each)':32} {'median s':>9} {'minus bare Python':>18} {'peak MB':>8}"
    )
    for label, code in PROBES.items():
        runs = [measure(code) for _ in range(3)]
        seconds = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        print(f"{label:32} {seconds:9.2f} {seconds - baseline:18.2f} {peak:8d}")
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "mhsw"), "check", "-q"], cwd=REPO, check=True)
    print(f"{'mhsw check (whole course)':32} {time.perf_counter() - start:9.2f}")


if __name__ == "__main__":
    main()
