"""Assessed notebooks with nbgrader: release, check before submission, grade, feedback, export.

Each ``mhsw`` subcommand has its own module (``release``, ``validate``, ``grade``,
``feedback``, ``export``) providing ``add_arguments(parser)`` and ``run(args)``. Every command
acts on the course found from the current folder (see ``_course.find_course_root``).
The one call a student makes is ``helpers.check_my_work()``.
"""

from helpers.grading._course import Course, CourseNotFound, find_course_root
from helpers.grading.validate import CheckReport, Finding, check_my_work, check_notebook

__all__ = [
    "CheckReport",
    "Course",
    "CourseNotFound",
    "Finding",
    "check_my_work",
    "check_notebook",
    "find_course_root",
]
