"""Rebuild a bundle from a new release in place, keeping the partner's local.yaml and files."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from helpers.local import FILE_NAME as LOCAL_FILE

from ._plan import MANIFEST, BundleError, make_plan
from ._write import _sha256, write_bundle


def update_bundle(folder: Path, source: Path, *, wheel: Path | None = None) -> dict[str, list[str]]:
    """Rebuild the bundle in ``folder`` from ``source``, keeping ``local.yaml`` and added files.

    Files the previous build wrote and the partner then edited are moved to
    ``backup-<old version>/`` first. Returns what happened to which files.
    """
    folder = folder.resolve()
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(
            f"{folder} has no {MANIFEST}, so it is not a bundle made by `mhsw bundle`. "
            "Build a new one with `mhsw bundle MODULE -o DIR` and copy your local.yaml into it."
        )
    old = json.loads(manifest_path.read_text(encoding="utf-8"))
    local = folder / LOCAL_FILE
    plan = make_plan(
        source,
        old["module"],
        instructor=bool(old.get("instructor")),
        local_file=local if local.is_file() else None,
    )
    report: dict[str, list[str]] = {"written": [], "removed": [], "backed_up": [], "kept": []}
    backup = folder / f"backup-{old.get('course_version', 'old')}"
    n = 1
    while backup.exists():
        n += 1
        backup = folder / f"backup-{old.get('course_version', 'old')}-{n}"
    old_files: dict[str, str] = old.get("files", {})

    def save(rel: str) -> None:
        target = backup / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / rel, target)
        report["backed_up"].append(rel)

    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "bundle"
        staged.mkdir()
        new = write_bundle(plan, staged, wheel=wheel)
        new_files = set(new["files"]) | {MANIFEST}
        for rel, digest in old_files.items():
            path = folder / rel
            if rel in new_files or not path.is_file():
                continue
            if _sha256(path) != digest:
                save(rel)
            path.unlink()
            report["removed"].append(rel)
        for rel in sorted(new_files):
            target = folder / rel
            if target.is_file() and rel != MANIFEST:
                edited = rel not in old_files or _sha256(target) != old_files[rel]
                if edited and _sha256(target) != new["files"][rel]:
                    save(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(staged / rel, target)
            report["written"].append(rel)
    _prune_empty(folder, report["removed"])
    report["kept"] = [LOCAL_FILE] if local.is_file() else []
    return report


def _prune_empty(folder: Path, removed: list[str]) -> None:
    """Remove folders left empty by removed files (never anything else)."""
    for rel in removed:
        parent = (folder / rel).parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
