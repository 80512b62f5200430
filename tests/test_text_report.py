"""The terminal report: plain text when piped, colour on a terminal, what to fix per check, then the total."""
import io

from grader import report
from grader.results import CheckResult, ExerciseResult, GradeResult

HINT = "conv_out_size(5, 4, 1, 2): expected 6, got 2. Padding is added on both sides."


def sample_result() -> GradeResult:
    shapes = ExerciseResult(id="shapes", title="Output shapes", score=1.5, max_score=4, status="ok", checks=[
        CheckResult(name="shapes::textbook_cases", score=0, max_score=2, passed=False, message=HINT,
                    details={"reason": "failed"}),
        CheckResult(name="shapes::to_nchw", score=0, max_score=0.5, passed=False,
                    message="not implemented yet: `to_nchw` in shapes.py still raises NotImplementedError",
                    details={"reason": "not_implemented"}),
        CheckResult(name="shapes::receptive_field", score=1.5, max_score=1.5, passed=True, message="")])
    mnist = ExerciseResult(id="mnist", title="MNIST", score=6, max_score=6, status="ok", checks=[
        CheckResult(name="mnist::held_out_accuracy", score=6, max_score=6, passed=True,
                    message="accuracy 0.984 on 2,000 held-out digits")])
    stubs = ExerciseResult(id="kernels", title="Kernels", score=0, max_score=10, status="not_implemented",
                           message="not implemented yet: fill in the functions and run the grader again")
    return GradeResult(course="CNN", submission="work", seed=0, lang="en", device="cpu",
                       exercises=[shapes, mnist, stubs])


def render(result: GradeResult, color: bool | None) -> str:
    stream = io.StringIO()
    report.write_text(result, stream, color=color)
    return stream.getvalue()


def test_piped_output_is_plain_and_says_what_to_fix():
    text = render(sample_result(), color=None)
    assert "\x1b[" not in text
    assert "✗ textbook_cases (0/2)" in text and "Padding is added on both sides." in text
    assert "… to_nchw (0/0.5)" in text  # unfinished functions are listed, not hidden
    assert "✓ held_out_accuracy (6/6)" in text and "accuracy 0.984" in text  # notes on passing checks too
    assert "receptive_field" not in text  # a pass with nothing to say stays in the table
    assert "kernels — Kernels: 0/10" in text and "fill in the functions" in text
    last_paragraph = " ".join(text.rstrip().split("\n\n")[-1].split())
    assert last_paragraph == ("Total: 7.5/20 points (38%). Next: fix shapes::textbook_cases, then run the grader "
                              "again with --exercise shapes.")
    assert all(len(line) <= 110 for line in text.splitlines())


def test_terminal_output_has_colour():
    assert "\x1b[" in render(sample_result(), color=True)
