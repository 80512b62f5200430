"""convgrade: teach and autograde the CNN chapter (fastbook ch. 13).

    >>> import grader
    >>> result = grader.grade("solutions", exercises=["kernels"])
    >>> result.score, result.max_score

In a Jupyter kernel, importing grader also warms it up and records the cells run, so that
``grader.check("kernels")`` grades the code run in the notebook (grader.jupyter).
"""
from grader.course import Course, CourseError, Exercise, load_course
from grader.grading import grade
from grader.jupyter import attach as _attach, check
from grader.results import CheckResult, ExerciseResult, GradeResult
from grader.submission import SubmissionError

__all__ = ["grade", "check", "load_course", "Course", "Exercise", "CourseError", "SubmissionError", "GradeResult",
           "ExerciseResult", "CheckResult"]

_attach()
