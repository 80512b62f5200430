"""Check files, one per exercise, named after the student's module (``kernels.py`` checks ``kernels``).

Each is plain pytest: test functions take the ``student`` fixture (the submitted module) and carry
``@pytest.mark.points(n)`` weights; see docs/writing-checks.md.
"""
