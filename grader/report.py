"""Reporters: the same ``GradeResult`` as a terminal table, JSON, JUnit XML, Gradescope or Classroom JSON.

Every format names a check ``<exercise id>::<check name>``, so a student, a gradebook and a CI log all
point at the same check.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from grader.i18n import _, ngettext, using_language
from grader.points import exact_sum
from grader.results import CRASHED, NOT_GRADED, NOT_IMPLEMENTED, OK, TIMEOUT, CheckResult, ExerciseResult, GradeResult

STATUS_STYLE = {OK: "green", NOT_IMPLEMENTED: "yellow", NOT_GRADED: "dim"}
CHECK_SYMBOL = {"passed": "✓", "not_implemented": "…", "failed": "✗"}  # see check_state()
CHECK_STYLE = {"passed": "green", "not_implemented": "yellow", "failed": "red"}


def fmt_points(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def write_text(result: GradeResult, stream: IO[str] | None = None, *, color: bool | None = None) -> None:
    """A table per submission, then each exercise's failing checks with what to fix, then the total and what to do.

    Colour only on a terminal (``color`` forces it on or off); piped output and CI logs get plain text.
    Written in the language the result was graded in.
    """
    with using_language(result.lang):
        _write_text(result, stream, color)


def _write_text(result: GradeResult, stream: IO[str] | None, color: bool | None) -> None:
    console = Console(file=stream, no_color=color is False, force_terminal=color or None, highlight=False,
                      soft_wrap=False)
    if not console.is_terminal:
        console.width = 110
    table = Table(title=f"{result.course} — {result.submission}", title_justify="left", show_lines=False)
    table.add_column(_("exercise"))
    table.add_column(_("title"))
    table.add_column(_("points"), justify="right")
    table.add_column(_("status"))
    table.add_column(_("CPU s (budget)"), justify="right")
    for ex in result.exercises:
        table.add_row(ex.id, ex.title, f"[{exercise_style(ex)}]{fmt_points(ex.score)}/{fmt_points(ex.max_score)}[/]",
                      exercise_status(ex), cpu_used(ex))
    console.print(table)
    if result.sandbox:
        console.print(f"[dim]{escape(_('sandbox: {level}').format(level=result.sandbox))}[/]")
    for warning in result.warnings:
        console.print(f"[yellow]{_('warning')}:[/] {escape(warning)}")
    for ex in result.exercises:
        _write_exercise_details(console, ex)
    total, advice = next_step(result)
    console.print()
    style = "bold green" if result.score >= result.max_score else "bold"
    console.print(f"[{style}]{escape(total)}[/] {escape(advice)}")


def _write_exercise_details(console: Console, ex: ExerciseResult) -> None:
    """Heading, then one mark + name line per check worth reading, its message indented below."""
    shown = [c for c in ex.checks if c.message and (ex.status == OK or c.passed or finished_before_stop(ex, c))]
    if not (shown or ex.warnings or (ex.message and ex.status != OK)):
        return
    console.print()
    console.print(f"[bold]{escape(ex.id)}[/] — {escape(ex.title)}: "
                  f"[{exercise_style(ex)}]{fmt_points(ex.score)}/{fmt_points(ex.max_score)}[/]")
    if ex.message and ex.status != OK:
        console.print(Padding(escape(ex.message), (0, 0, 0, 2), expand=False))
    for check in shown:
        state = check_state(check)
        console.print(f"  [{CHECK_STYLE[state]}]{CHECK_SYMBOL[state]}[/] [bold]{escape(check.name.split('::', 1)[-1])}[/] "
                      f"({fmt_points(check.score)}/{fmt_points(check.max_score)})")
        console.print(Padding(escape(check.message), (0, 0, 0, 4), expand=False))
    for warning in ex.warnings:
        console.print(f"  [yellow]{_('warning')}:[/] {escape(warning)}")


def finished_before_stop(ex: ExerciseResult, check: CheckResult) -> bool:
    """A check that reported before its exercise timed out or crashed: its result and message are kept."""
    return ex.status in (TIMEOUT, CRASHED) and check.details.get("reason") not in ("not_run", "timeout") \
        and check.message != ex.message


def cpu_used(ex: ExerciseResult) -> str:
    """"5.1 (60)": CPU seconds the student's processes used, and the exercise's budget."""
    if not ex.time_limit:
        return ""
    return f"{ex.cpu_seconds:.1f} ({ex.time_limit:g})"


def check_state(check: CheckResult) -> str:
    """``passed``, ``not_implemented`` or ``failed``: how a check is marked in every human-readable report."""
    if check.passed:
        return "passed"
    return "not_implemented" if check.details.get("reason") == NOT_IMPLEMENTED else "failed"


def exercise_style(ex: ExerciseResult) -> str:
    if ex.status == OK:
        return "green" if ex.score >= ex.max_score else "red" if ex.score == 0 else "yellow"
    return STATUS_STYLE.get(ex.status, "red")


def exercise_status(ex: ExerciseResult) -> str:
    if ex.status == OK:
        passed = sum(c.passed for c in ex.checks)
        return _("{passed}/{total} checks passed").format(passed=passed, total=len(ex.checks))
    return {
        "not_implemented": _("not implemented yet"), "import_error": _("import failed"),
        "missing": _("file missing"), "timeout": _("timed out"), "crashed": _("crashed"),
        "error": _("grader error"), "not_graded": _("not graded here"),
    }.get(ex.status, ex.status)


def next_step(result: GradeResult) -> tuple[str, str]:
    """(the total, what to do next): the last line of every human-readable report.

    With hidden checks left out of the run (the student distribution), the total is the public checks'
    and says what the hidden ones are worth, so a student never reads 100% of a grade not yet given.
    """
    hidden = sum(ex.hidden_not_run for ex in result.exercises)
    if hidden:
        total = ngettext("Public checks: {score} of {max} points ({percent:.0f}%); {points} points in {n} hidden "
                         "check at final grading.",
                         "Public checks: {score} of {max} points ({percent:.0f}%); {points} points in {n} hidden "
                         "checks at final grading.", hidden).format(
            score=fmt_points(result.score), max=fmt_points(result.max_score), percent=result.percent,
            points=fmt_points(exact_sum(ex.hidden_points for ex in result.exercises)), n=hidden)
    else:
        total = _("Total: {score}/{max} points ({percent:.0f}%).").format(
            score=fmt_points(result.score), max=fmt_points(result.max_score), percent=result.percent)
    todo = [ex for ex in result.exercises if ex.score < ex.max_score]
    if not todo:  # never "Everything passes" while checks are still to run
        return total, _("All public checks pass.") if hidden else _("Everything passes.")
    first = todo[0]
    failing = next((c for c in first.checks if check_state(c) == "failed"), None) if first.status == OK else None
    if failing is not None:
        return total, _("Next: fix {check}, then run the grader again with --exercise {first}.").format(
            check=failing.name, first=first.id)
    return total, _("Next: work on {first}, then run the grader again with --exercise {first}.").format(first=first.id)


def progress_line(event: dict) -> str:
    """"epoch 2/5, batch 40/63, loss 0.213": what the student's progress callback said, in one line."""
    parts = []
    for key, label in (("epoch", _("epoch")), ("batch", _("batch"))):
        if key in event:
            total = event.get(f"{key}s") or event.get(f"total_{key}s")
            parts.append(f"{label} {event[key]}" + (f"/{total}" if total else ""))
    if isinstance(event.get("loss"), (int, float)):
        parts.append(f"{_('loss')} {event['loss']:.4g}")
    if event.get("text"):
        parts.append(str(event["text"])[:80])
    return ", ".join(parts)


def to_json(result: GradeResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def to_junit(result: GradeResult) -> str:
    """JUnit XML: one testsuite per exercise, one testcase per check (CI systems render these)."""
    suites = ET.Element("testsuites", name=result.course, tests=str(sum(len(e.checks) for e in result.exercises)),
                        failures=str(sum(not c.passed for c in result.checks())), time=f"{result.duration:.3f}")
    for ex in result.exercises:
        suite = ET.SubElement(suites, "testsuite", name=ex.id, tests=str(len(ex.checks)),
                              failures=str(sum(not c.passed for c in ex.checks)), time=f"{ex.duration:.3f}")
        props = ET.SubElement(suite, "properties")
        for key, value in (("score", ex.score), ("max_score", ex.max_score), ("status", ex.status)):
            ET.SubElement(props, "property", name=key, value=str(value))
        for check in ex.checks:
            case = ET.SubElement(suite, "testcase", classname=ex.id, name=check.name, time=f"{check.duration:.3f}")
            if not check.passed:
                failure = ET.SubElement(case, "failure", message=check.message.splitlines()[0] if check.message else "",
                                        type=check.details.get("reason", "failed"))
                failure.text = check.message
        if ex.output:
            ET.SubElement(suite, "system-out").text = ex.output
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def to_gradescope(result: GradeResult, hidden_visibility: str = "after_published") -> str:
    """Gradescope autograder ``results.json``."""
    tests = []
    for ex in result.exercises:
        for check in ex.checks:
            tests.append({"name": check.name, "score": check.score, "max_score": check.max_score,
                          "status": "passed" if check.passed else "failed", "output": check.message,
                          "visibility": hidden_visibility if check.hidden else "visible"})
        if not ex.checks:
            tests.append({"name": f"{ex.id}::(exercise)", "score": 0.0, "max_score": ex.max_score,
                          "status": "failed", "output": ex.message, "visibility": "visible"})
    summary = "\n".join(f"{ex.id}: {fmt_points(ex.score)}/{fmt_points(ex.max_score)} {ex.message}".rstrip()
                        for ex in result.exercises)
    return json.dumps({"score": result.score, "execution_time": result.duration, "output": summary,
                       "stdout_visibility": "hidden", "tests": tests}, indent=2, ensure_ascii=False)


def to_classroom(result: GradeResult) -> str:
    """The ``{"tests": [...]}`` shape GitHub Classroom's autograding reporter reads."""
    tests = [{"name": c.name, "status": "pass" if c.passed else "fail", "message": c.message,
              "score": c.score, "max_score": c.max_score, "execution_time": f"{c.duration:.3f}s"}
             for c in result.checks()]
    status = "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return json.dumps({"version": 1, "status": status, "max_score": result.max_score, "tests": tests}, indent=2,
                      ensure_ascii=False)


def to_markdown(result: GradeResult) -> str:
    """Points per exercise as a Markdown table, then what failed: a CI run's summary page, a PR comment."""
    lines = [f"### {_md(result.course)} — {_md(result.submission)}", "",
             f"| {_('exercise')} | {_('title')} | {_('points')} | {_('status')} |", "|---|---|---:|---|"]
    lines += [f"| {ex.id} | {_md(ex.title)} | {fmt_points(ex.score)}/{fmt_points(ex.max_score)} "
              f"| {_md(exercise_status(ex))} |" for ex in result.exercises]
    problems = [f"- **{ex.id}**: {_md(ex.message)}" for ex in result.exercises if ex.status != OK and ex.message]
    problems += [f"- ✗ `{check.name}` ({fmt_points(check.score)}/{fmt_points(check.max_score)}): {_md(check.message)}"
                 for ex in result.exercises if ex.status == OK for check in ex.checks if check_state(check) == "failed"]
    total, advice = next_step(result)
    return "\n".join([*lines, "", *problems, *([""] if problems else []), f"**{_md(total)}** {_md(advice)}"])


def _md(text: str) -> str:
    """Text for one table cell or list item: on one line, with no ``|`` to break the table."""
    return " ".join(text.split()).replace("|", "\\|")


def to_html(result: GradeResult) -> str:
    """One self-contained HTML page with plots; imported on demand, since matplotlib takes a while to load."""
    from grader import html_report

    return html_report.to_html(result)


FORMATS = {"json": to_json, "junit": to_junit, "gradescope": to_gradescope, "classroom": to_classroom,
           "html": to_html, "markdown": to_markdown}
