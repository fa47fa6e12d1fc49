"""One located problem found in course content, printed for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A problem in a course file.

    Printed as ``file:line: what is wrong — what to do`` so editors and CI logs can jump to it.
    ``field`` names the YAML/JSON field or CSV column concerned, when there is one.
    """

    path: str
    line: int | None
    message: str
    fix: str = ""
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}" + (f" — {self.fix}" if self.fix else "")


class ContentError(ValueError):
    """Raised when a course file cannot be used; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
