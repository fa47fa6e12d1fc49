"""nbgrader configuration for the Mental Health Social Work course.

The course root is the folder holding this file. Every ``mhsw`` grading command (release,
validate, grade, feedback, export) looks for this file in the current folder or a parent
folder and acts on that course, so a lecturer can keep one copy of the course per cohort.
Plain ``nbgrader`` commands work too when run from this folder.

Layout (see docs/grading.md):
    solutions/<id>/    instructor masters (nbgrader's source folder)
    exercises/<id>/    student versions, written by `mhsw release` (nbgrader's release folder)
    submitted/<student>/<id>/, autograded/, feedback/, gradebook.db
                       working data of a class: git-ignored, never committed
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it reads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "mhsw"
c.CourseDirectory.source_directory = "solutions"
# The release path is <release_directory>/./<assignment id>, so student versions land in
# exercises/<id>/ (no student folder in between).
c.CourseDirectory.release_directory = "exercises"
# The exchange is the folder through which JupyterLab's Assignment List hands work out and in.
# A hub shares one system-wide (nbgrader's default, /srv/nbgrader/exchange, set up by its
# administrator); on a laptop the course keeps its own, exchange/ (git-ignored), so formgrader
# does not warn that the exchange is missing.
if not os.path.isdir("/srv/nbgrader/exchange"):
    c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")
    try:
        os.makedirs(c.Exchange.root, exist_ok=True)
    except OSError:  # a read-only copy of the course: formgrader will say the folder is missing
        pass

# Files in solutions/<id>/ that must never reach students (nbgrader copies every other file).
# Keep a separate marking guide as solutions/<id>/marking-guide.md: it is never released.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".*",
    "marking-guide*",
]

# Placeholders students replace. `mhsw validate` looks for them before submission.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE: replace the ... below with your answer\n..."
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Student code gets at most this many seconds per cell when notebooks are validated or
# graded (nbgrader's default is 30). `mhsw grade --timeout` overrides it for one run.
c.Execute.timeout = 20
c.Execute.interrupt_on_timeout = True
# Seconds to wait for a cell's output messages after it finishes. nbgrader fails the whole
# notebook when they do not arrive (so lost output never passes a test); nbclient's default
# of 4 s is too short on a busy machine grading several notebooks at once.
c.Execute.iopub_timeout = 15

# Feedback shows the result and message of every test, never the code of hidden tests:
# ClearHiddenTests removes them from the test cells, and ShortTestTracebacks cuts a failed
# test's traceback (which would quote the failing line) down to its message.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
    "helpers.grading._preprocessors.ShortTestTracebacks",
]
