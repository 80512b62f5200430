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
from rich.table import Table

from grader.i18n import _
from grader.results import NOT_IMPLEMENTED, OK, GradeResult

STATUS_STYLE = {OK: "green", NOT_IMPLEMENTED: "yellow"}


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def write_text(result: GradeResult, stream: IO[str] | None = None, *, color: bool | None = None) -> None:
    """A table per submission, then one paragraph per failing check, then the total and what to do."""
    console = Console(file=stream, no_color=color is False, force_terminal=color or None, width=110,
                      highlight=False, soft_wrap=False)
    table = Table(title=f"{result.course} — {result.submission}", title_justify="left", show_lines=False)
    table.add_column(_("exercise"))
    table.add_column(_("title"))
    table.add_column(_("points"), justify="right")
    table.add_column(_("status"))
    for ex in result.exercises:
        style = STATUS_STYLE.get(ex.status, "red") if ex.score < ex.max_score or ex.status != OK else "green"
        passed = sum(c.passed for c in ex.checks)
        status = _("{passed}/{total} checks passed").format(passed=passed, total=len(ex.checks)) \
            if ex.status == OK else _status_label(ex.status)
        table.add_row(ex.id, ex.title, f"[{style}]{_fmt(ex.score)}/{_fmt(ex.max_score)}[/]", status)
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]{_('warning')}:[/] {escape(warning)}")
    for ex in result.exercises:
        if ex.message and ex.status != OK:
            console.print(f"[bold]{ex.id}[/]: {escape(ex.message)}")
        for check in ex.checks:
            if not check.passed and check.details.get("reason") not in ("not_implemented",) and ex.status == OK:
                console.print(f"[red]✗[/] [bold]{escape(check.name)}[/] ({_fmt(check.score)}/{_fmt(check.max_score)}): "
                              f"{escape(check.message)}")
            elif check.passed and check.message:
                console.print(f"[green]✓[/] [bold]{escape(check.name)}[/]: {escape(check.message)}")
        for warning in ex.warnings:
            console.print(f"[yellow]{_('warning')}:[/] {ex.id}: {escape(warning)}")
    console.print(_next_step(result))


def _status_label(status: str) -> str:
    return {
        "not_implemented": _("not implemented yet"), "import_error": _("import failed"),
        "missing": _("file missing"), "timeout": _("timed out"), "crashed": _("crashed"),
        "error": _("grader error"),
    }.get(status, status)


def _next_step(result: GradeResult) -> str:
    total = _("Total: {score}/{max} points ({percent:.0f}%).").format(
        score=_fmt(result.score), max=_fmt(result.max_score), percent=result.percent)
    todo = [ex.id for ex in result.exercises if ex.score < ex.max_score]
    if not todo:
        return f"[bold green]{total}[/] " + _("Everything passes.")
    return f"[bold]{total}[/] " + _("Next: work on {first}, then run the grader again with --exercise {first}.").format(
        first=todo[0])


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
    summary = "\n".join(f"{ex.id}: {_fmt(ex.score)}/{_fmt(ex.max_score)} {ex.message}".rstrip()
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


FORMATS = {"json": to_json, "junit": to_junit, "gradescope": to_gradescope, "classroom": to_classroom}
