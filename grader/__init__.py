"""convgrade: teach and autograde the CNN chapter (fastbook ch. 13).

    >>> import grader
    >>> result = grader.grade("solutions", exercises=["kernels"])
    >>> result.score, result.max_score
"""
from grader.course import Course, CourseError, Exercise, load_course
from grader.grading import grade
from grader.results import CheckResult, ExerciseResult, GradeResult
from grader.submission import SubmissionError

__all__ = ["grade", "load_course", "Course", "Exercise", "CourseError", "SubmissionError", "GradeResult",
           "ExerciseResult", "CheckResult"]
