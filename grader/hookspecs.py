"""Hooks the grading plugin calls, so the runner (or any other listener) can stream results out."""


def pytest_grader_collected(config, checks, errors, hidden_skipped):
    """All checks of the run are known: a list of {"name", "weight", "hidden"}; ``errors`` names check
    files that could not be collected (a bug in the course); ``hidden_skipped`` counts hidden checks
    left out of a student-facing run."""


def pytest_grader_check_done(config, check):
    """One check finished: {"name", "weight", "hidden", "passed", "credit", "message", "reason", "duration", "details"}."""


def pytest_grader_check_started(config, name):
    """A check is about to run (the grader names it if the exercise stops while it runs)."""


def pytest_grader_progress(config, name, event):
    """The student's code reported progress during check ``name`` (epoch, batch, loss, text)."""
