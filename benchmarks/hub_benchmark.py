"""How much memory does each active student need on the course's JupyterHub?

Sets up the reference hub (deploy/hub/, with its own PostgreSQL, on loopback) with N student
accounts, starts every student's server at once, then has every student run a module notebook
top to bottom in their own kernel at the same time (through the same REST and websocket API
JupyterLab uses). It prints:

* spawn time: from asking for N servers to the last one ready (and the median per server);
* the time for the N students to run the notebook together;
* ``per active student: N MB``: the memory of one student's server plus kernel after the run
  (PSS, which shares libraries fairly between processes; RSS alongside), the mean over students;
* the shared part: the hub, the proxy, the culler and the course's formgrader service.

Run as root (it creates Unix accounts, and removes them afterwards):

    python benchmarks/hub_benchmark.py --students 4
    python benchmarks/hub_benchmark.py --students 30 --notebook course/m3-amhp/04-amhp-data.ipynb
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "hub"))

import live  # noqa: E402
import mhsw_hub  # noqa: E402

DEFAULT_NOTEBOOK = "course/m3-amhp/04-amhp-data.ipynb"


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(PSS, RSS) of these processes together, in MB."""
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return pss / 1024, rss / 1024


def root_processes(words: tuple[str, ...]) -> list[int]:
    """Root's processes whose command line contains one of ``words`` (hub, proxy, culler)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(word in text for word in words):
            found.append(int(cmdline.parent.name))
    return found


def copy_module(session: live.UserSession, notebook_path: Path) -> str:
    """Put the notebook's module folder (its YAML activities too) in the student's home."""
    module = notebook_path.parent
    session.request("PUT", f"/api/contents/{module.name}", json={"type": "directory"})
    for path in sorted(module.rglob("*")):
        relative = f"{module.name}/{path.relative_to(module).as_posix()}"
        if path.is_dir():
            session.request("PUT", f"/api/contents/{relative}", json={"type": "directory"})
        elif path.suffix in (".yaml", ".md"):
            body = {"type": "file", "format": "text", "content": path.read_text("utf-8")}
            session.request("PUT", f"/api/contents/{relative}", json=body)
    return f"{module.name}/{notebook_path.name}"


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def run_notebook(hub_url: str, ops: live.HubClient, user: str, notebook_path: Path) -> float:
    import nbformat

    session = live.UserSession(hub_url, user, ops.user_token(user))
    notebook = nbformat.read(notebook_path, as_version=4)
    name = copy_module(session, notebook_path)
    session.put_notebook(name, notebook)
    kernel = session.kernel(name)
    started = time.monotonic()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            result = kernel.run(cell.source, timeout=600)
            if result["error"]:
                raise RuntimeError(f"{user}: {result['error']}")
    seconds = time.monotonic() - started
    kernel.ws.close()  # the kernel stays running: an active student
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4, help="number of students (default 4)")
    parser.add_argument("--notebook", default=DEFAULT_NOTEBOOK, help="the module notebook to run")
    args = parser.parse_args(argv)
    missing = live.missing_requirements()
    if missing:
        print("Cannot run the hub benchmark; missing: " + "; ".join(missing), file=sys.stderr)
        return 2
    notebook = REPO / args.notebook
    names = [f"b{i:03d}x" for i in range(args.students)]
    began = time.monotonic()
    with live.trial_hub(students=names, markers=["bmk"]) as hub:
        print(f"hub set up and started in {time.monotonic() - began:.1f} s", flush=True)
        ops = live.HubClient(hub.url, hub.settings.secret("ops-token"))
        students = hub.course.students
        started = time.monotonic()
        ready = {}
        not_started = {}
        with ThreadPoolExecutor(max_workers=min(32, len(students))) as pool:

            def spawn(user):  # a class logging in at once: all requests together
                try:
                    ops.start_server(user)
                    ops.wait_ready(user, timeout=600)
                    ready[user] = time.monotonic() - started
                except Exception as exc:  # report it and carry on with the others
                    not_started[user] = f"{type(exc).__name__}: {exc}"

            list(pool.map(spawn, students))
        spawn_all = time.monotonic() - started
        print(
            f"spawn time: {spawn_all:.1f} s for {len(ready)} of {len(students)} servers "
            f"(median {statistics.median(ready.values() or [0]):.1f} s to ready, "
            f"slowest {max(ready.values(), default=0):.1f} s)",
            flush=True,
        )
        for user, reason in sorted(not_started.items()):
            print(f"  {user}'s server did not start: {reason[:300]}", flush=True)
        students = [u for u in students if u in ready]
        idle = [memory_mb(mhsw_hub.processes_of([u]))[0] for u in students]
        started = time.monotonic()
        failures = {}

        def attempt(user):
            try:
                return run_notebook(hub.url, ops, user, notebook)
            except Exception as exc:  # report it and carry on with the others
                failures[user] = f"{type(exc).__name__}: {exc}"
                return None

        with ThreadPoolExecutor(max_workers=len(students)) as pool:
            runs = [r for r in pool.map(attempt, students) if r is not None]
        together = time.monotonic() - started
        print(
            f"{len(runs)} of {len(students)} students ran {args.notebook} together in "
            f"{together:.1f} s (each {min(runs, default=0):.1f}-{max(runs, default=0):.1f} s)",
            flush=True,
        )
        for user, reason in sorted(failures.items()):
            print(f"  {user} could not run it: {reason[:300]}", flush=True)
        students = [u for u in students if u not in failures]
        per_student = [memory_mb(mhsw_hub.processes_of([u])) for u in students]
        kernels = [
            memory_mb([p for p in mhsw_hub.processes_of([u]) if _is_kernel(p)])[0] for u in students
        ]
        pss = statistics.mean(p for p, _ in per_student)
        rss = statistics.mean(r for _, r in per_student)
        shared_pids = mhsw_hub.processes_of([hub.course.grader]) + root_processes(
            ("jupyterhub -f", "configurable-http-proxy", "jupyterhub_idle_culler")
        )
        shared = memory_mb(shared_pids)
        print()
        print(f"students: {len(students)}   notebook: {args.notebook}")
        print(f"idle server before the run: {statistics.mean(idle):.0f} MB PSS per student")
        print(
            f"per active student: {pss:.0f} MB (PSS; RSS {rss:.0f} MB), server plus kernel"
            " (goal <= 250 MB)"
        )
        print(
            f"  of which the kernel: {statistics.mean(kernels):.0f} MB PSS, the server: "
            f"{pss - statistics.mean(kernels):.0f} MB PSS"
        )
        print(f"shared: {shared[0]:.0f} MB PSS (hub, proxy, culler, course formgrader service)")
        print(
            f"a machine for {len(students)} active students needs about "
            f"{(pss * len(students) + shared[0]) / 1024:.1f} GB for Jupyter alone"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
