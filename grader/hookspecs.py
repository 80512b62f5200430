"""Hooks the grading plugin calls, so the runner (or any other listener) can stream results out."""


def pytest_grader_collected(config, checks, errors, hidden_skipped):
    """All checks of the run are known: a list of {"name", "weight", "hidden"}; ``errors`` names check
    files that could not be collected (a bug in the course); ``hidden_skipped`` counts hidden checks
    left out of a student-facing run."""


def pytest_grader_check_done(config, check):
    """One check finished: {"name", "weight", "hidden", "passed", "credit", "message", "reason", "duration", "details"}."""
