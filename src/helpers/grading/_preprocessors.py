"""nbgrader preprocessors the course uses in place of nbgrader's own, and why."""

from __future__ import annotations

from typing import Any

from nbgrader import utils
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)


class KeepFirstGradeId(NbGraderPreprocessor):
    """When a student copied a graded cell, grade the first copy and ignore the others.

    nbgrader's ``DeduplicateIds`` keeps the *last* copy and leaves the others with empty
    nbgrader metadata, which its own ``CheckCellMetadata`` then rejects as "an old version of
    the metadata format", so the whole submission fails. Here the later copies simply become
    ordinary cells.
    """

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        seen: set[str] = set()
        for cell in nb.cells:
            if not (utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell)):
                continue
            grade_id = cell.metadata.nbgrader.get("grade_id")
            if grade_id in seen:
                self.log.warning(
                    "Cell with id '%s' exists multiple times: grading the first", grade_id
                )
                del cell.metadata["nbgrader"]
            else:
                seen.add(grade_id)
        return nb, resources


SANITIZE = [ClearOutput, KeepFirstGradeId, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]


class ShortTestTracebacks(NbGraderPreprocessor):
    """In feedback, show a failed test's message but not the test's code.

    A traceback from a test cell quotes the lines around the failing ``assert``, which for a
    hidden test is the hidden test's code. ``ClearHiddenTests`` removes hidden tests from the
    cell's source only; this keeps, for every test cell, just ``ErrorName: message``.
    Tracebacks from students' own answer cells are left whole: they help them.
    """

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        if utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(
                        ": "
                    )
                    output["traceback"] = [message]
        return cell, resources
