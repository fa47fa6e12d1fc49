"""Build the course as a static website (``make site``): offline, self-contained, accessible.

    python -m helpers.site                # build/site/ (executes every notebook first)
    python -m helpers.site --no-execute   # faster: notebooks shown without outputs

Steps: copy the course into a staging folder; execute each notebook there (as a student would,
in its own folder) and replace widget outputs with a note that links to the readable case file
or quiz page; write pages made from data (case files, quizzes, sorting activities, the dataset
catalogue, the accessibility statement); then run Sphinx with MyST-NB and the book theme. No
page loads anything from outside the site: nothing is fetched at build time or by a reader.
"""

from __future__ import annotations

from helpers.site.build import build_site

__all__ = ["build_site"]
