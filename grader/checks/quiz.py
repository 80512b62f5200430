"""Checks for quiz.py: one check per question of the exercise's quiz file (course.yaml `quiz:`).

The student's module is only read, never run as code from here: ``ANSWERS`` (a dict of letters,
lists of letters and numbers) and ``SEED`` (which lettering of the options the form shows). A question
marked ``hidden: true`` in the quiz file is a hidden check. The verdicts come from ``grader.quiz.mark``.
"""
import json

import pytest

from grader import quiz as quizzes
from grader.i18n import _
from grader.plugin import GradingMessage
from grader.testing import fail


class NotAnswered(GradingMessage):
    """A question still answered None: reported like a function that still raises NotImplementedError."""

    reason = "not_implemented"


def pytest_generate_tests(metafunc):
    if "question" not in metafunc.fixturenames:
        return
    settings = json.loads(metafunc.config.getoption("exercise_settings"))
    if "quiz_file" not in settings:
        raise quizzes.QuizError(_("course.yaml: a quiz exercise needs `quiz: quizzes/<name>.yaml`"))
    metafunc.parametrize("question", [
        pytest.param(question, id=question.id,
                     marks=[pytest.mark.points(question.points), *([pytest.mark.hidden] if question.hidden else [])])
        for question in quizzes.load_quiz(settings["quiz_file"]).questions])


@pytest.fixture(scope="module")
def form(student):
    """(answers, seed) read from the student's module as plain data."""
    answers, seed = student.ANSWERS, student.SEED
    if type(answers) is not dict:
        fail(_("ANSWERS in quiz.py is {kind}, expected a dict such as {{\"q01\": \"b\"}}.").format(
            kind=type(answers).__name__), _("Keep the lines of your form and only replace the None values."))
    if type(seed) is not int:
        fail(_("SEED in quiz.py is {kind}, expected the whole number your form came with.").format(
            kind=type(seed).__name__), _("It fixes the letters of the options: keep the line as the form has it."))
    return answers, seed


def test_question(question, form, outcome):
    answers, seed = form
    verdict = quizzes.mark(question, answers.get(question.id), seed)
    outcome.metric(quiz_seed=seed, chapter_question=question.chapter)
    if not verdict.answered:
        raise NotAnswered(verdict.message)
    if verdict.credit == 0:
        fail(verdict.message)
    outcome.credit(verdict.credit, verdict.message)
