"""Hooks the grading plugin calls, so the runner (or any other listener) can stream results out."""


def pytest_grader_collected(config, checks):
    """All checks of the run are known: a list of {"name", "weight", "hidden"}."""


def pytest_grader_check_done(config, check):
    """One check finished: {"name", "weight", "hidden", "passed", "credit", "message", "reason", "duration", "details"}."""
