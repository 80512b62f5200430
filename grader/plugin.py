"""The pytest plugin that turns check files into grading: it hands checks the student's module, reads
their ``points``/``hidden`` markers, and turns every failure into one sentence a student can act on.

The runner loads it in each checker process; the student's module lives in the student process and the
``student`` fixture is its proxy (grader.runner.proxy). It works the same under bare pytest, where a
student process is started on first use::

    pytest -p grader.plugin grader/checks/kernels.py --submission solutions

Fixtures for checks: ``student`` (a proxy of the student's module), ``outcome`` (partial credit, notes, metrics),
``device``, ``exercise_settings``. Listeners get each finished check through the hooks in ``hookspecs``.
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader import explain_student, hookspecs
from grader.i18n import _, set_language
from grader.runner import proxy


MAX_MESSAGE_CHARS = 2_000


class GradingMessage(Exception):
    """An exception whose text is already the message for the student (no traceback wanted)."""

    reason = "failed"


class StudentImportError(GradingMessage):
    reason = "import_error"


class MissingName(GradingMessage, AttributeError):
    """Also an AttributeError, so ``hasattr``/``getattr(..., default)`` on the student module still work."""

    reason = "missing_name"


class MissingModule(GradingMessage):
    reason = "missing_module"


class StudentExit(GradingMessage):
    """The student's code raised SystemExit or KeyboardInterrupt; it costs this check, not the run."""

    kind: str | None = None  # "SystemExit" or "KeyboardInterrupt"
    arg: str = ""


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser):
    group = parser.getgroup("convgrade", "grading a student's submission")
    group.addoption("--submission", help="folder holding the student's modules")
    group.addoption("--student-module", help="module name the checks receive (default: the check file's name)")
    group.addoption("--exercise-id", help="exercise id used in check names (default: the module name)")
    group.addoption("--grading-seed", type=int, default=0, help="seed for random, numpy and torch")
    group.addoption("--grading-device", help="device for training checks (default: cuda if available, else cpu)")
    group.addoption("--lang", default="en", help="language of check messages (pl or en)")
    group.addoption("--exercise-settings", default="{}", help="JSON object from the exercise's course.yaml settings")
    group.addoption("--hidden-checks", action="append", default=[], help="check file whose checks are hidden")
    group.addoption("--skip-hidden", action="store_true", help="deselect hidden checks (a student-facing run)")
    group.addoption("--torch-threads", type=int, default=1,
                    help="torch CPU threads for the checks (0: torch's default, one per core)")
    group.addoption("--memory-limit-mb", type=int, default=0, help="memory the exercise may use (named when it runs out)")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): weight of this check within its exercise (default 1)")
    config.addinivalue_line("markers", "hidden: run only at final grading; never shown to students by name")
    set_language(config.getoption("lang"))
    config.stash[_STATE] = _SessionState()
    threads = config.getoption("torch_threads")
    if threads > 0:  # tiny tensor ops are many times slower with 2 threads contending for a busy machine
        import torch
        torch.set_num_threads(threads)
    config.pluginmanager.register(_Recorder(config), "convgrade-recorder")


@dataclass
class _CheckState:
    name: str
    weight: float
    hidden: bool
    passed: bool = False
    failed: bool = False
    message: str = ""
    reason: str = ""
    duration: float = 0.0
    credit: float = 1.0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class _SessionState:
    checks: dict[str, _CheckState] = field(default_factory=dict)
    import_failures: dict[str, GradingMessage] = field(default_factory=dict)
    finished: list[dict] = field(default_factory=list)


_STATE = pytest.StashKey[_SessionState]()


def check_name(config, item) -> str:
    exercise = config.getoption("exercise_id") or config.getoption("student_module") or Path(str(item.path)).stem
    return f"{exercise}::{item.name.removeprefix('test_')}"


def pytest_collectreport(report):
    """A check file that cannot be imported is the course's bug: remember it, the runner reports it."""
    if report.failed:
        _COLLECT_ERRORS.append(f"{report.nodeid or report.fspath}: {report.longreprtext.strip().splitlines()[-1]}")


_COLLECT_ERRORS: list[str] = []  # one list per process: an exercise process runs one pytest session


def pytest_collection_modifyitems(session, config, items):
    state = config.stash[_STATE]
    hidden_files = {Path(p).resolve() for p in config.getoption("hidden_checks")}
    kept, hidden_deselected = [], []
    for item in items:
        marker = item.get_closest_marker("points")
        weight = float(marker.args[0]) if marker else 1.0
        hidden = item.get_closest_marker("hidden") is not None or Path(str(item.path)).resolve() in hidden_files
        if hidden and config.getoption("skip_hidden"):
            hidden_deselected.append(item)
            continue
        kept.append(item)
        state.checks[item.nodeid] = _CheckState(name=check_name(config, item), weight=weight, hidden=hidden)
    if hidden_deselected:
        config.hook.pytest_deselected(items=hidden_deselected)
        items[:] = kept
    config.hook.pytest_grader_collected(
        config=config, checks=[{"name": c.name, "weight": c.weight, "hidden": c.hidden} for c in state.checks.values()],
        errors=list(_COLLECT_ERRORS), hidden_skipped=len(hidden_deselected))


# ----------------------------------------------------------------------------------------- fixtures
class StudentModule:
    """Proxy of the student's module; a missing name fails the check with "`name` not found in file"."""

    def __init__(self, handle: proxy.Handle, file: str):
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_file", file)
        object.__setattr__(self, "_callables", {})  # functions and classes: one round trip per call, not two

    def __getattr__(self, name: str):
        if name in self._callables:
            return self._callables[name]
        try:
            value = getattr(self._handle, name)
        except AttributeError:
            raise MissingName(_("`{name}` not found in {file}: define it there with exactly this name")
                              .format(name=name, file=self._file)) from None
        if isinstance(value, proxy.Handle) and value.callable:
            self._callables[name] = value
        return value

    def __setattr__(self, name, value):
        self._callables.pop(name, None)
        setattr(self._handle, name, value)


def student_session(config, module: str) -> proxy.Session:
    if not config.getoption("submission"):
        raise pytest.UsageError("no submission: pass --submission DIR")
    return proxy.current(str(Path(config.getoption("submission")).resolve()), module,
                         config.getoption("grading_seed"), config.getoption("torch_threads"))


def _module_name(config, path=None) -> str:
    return config.getoption("student_module") or Path(str(path)).stem


def import_failure(failure: dict, file: str) -> GradingMessage:
    """The student process could not import the module: the same sentences as before, built here."""
    kind = failure.get("kind")
    if kind == "problem":
        return StudentImportError(str(failure.get("message", "")))
    if kind == "missing":
        return MissingModule(_("{file} is not in the submission: create it (start from exercises/{file})")
                             .format(file=file))
    if kind == "missing_dependency":
        return StudentImportError(_("{file} could not be imported: it imports `{missing}`, which is not installed "
                                    "here").format(file=file, missing=failure.get("name")))
    if kind == "unreadable":
        return StudentImportError(_("{file}: your process wrote something onto the grader's channel that is not "
                                    "its data ({why}); do not write to file descriptors you did not open")
                                  .format(file=file, why=failure.get("message")))
    if kind == "syntax":
        return StudentImportError(_("{file} could not be imported: SyntaxError at line {line}: {msg}")
                                  .format(file=file, line=failure.get("line"), msg=failure.get("message")))
    return StudentImportError(_("{file} could not be imported: {kind} at line {line}: {msg}").format(
        file=file, kind=failure.get("type"), line=failure.get("line") or "?", msg=failure.get("message")))


@pytest.fixture(scope="module")
def student(request) -> StudentModule:
    name = _module_name(request.config, request.path)
    try:
        session = student_session(request.config, name)
    except proxy.StudentGone:
        _student_gone()
    if session.module is None:
        raise import_failure(session.import_failure or {}, f"{name}.py")
    return StudentModule(session.module, f"{name}.py")


def _student_gone():
    """The student process ended mid-check: stop here; the grader words what happened to it."""
    from grader.runner.checker import STUDENT_GONE

    os._exit(STUDENT_GONE)


class Outcome:
    """Lets a check give partial credit, leave a note for the student, or record metrics for reports."""

    def __init__(self, item):
        self._item = item

    def credit(self, fraction: float, note: str = "") -> None:
        self._item.user_properties.append(("convgrade.credit", max(0.0, min(1.0, float(fraction)))))
        if note:
            self.note(note)

    def note(self, text: str) -> None:
        self._item.user_properties.append(("convgrade.note", text))

    def metric(self, **values: Any) -> None:
        for key, value in values.items():
            self._item.user_properties.append((key, value))


@pytest.fixture
def outcome(request) -> Outcome:
    return Outcome(request.node)


@pytest.fixture(scope="session")
def device(request) -> str:
    chosen = request.config.getoption("grading_device")
    if chosen:
        return chosen
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"


@pytest.fixture(scope="session")
def exercise_settings(request) -> dict[str, Any]:
    return json.loads(request.config.getoption("exercise_settings"))


@pytest.fixture(autouse=True)
def _seed_everything(request):
    """Same seed before every check, so grading the same submission twice gives the same scores."""
    seed = request.config.getoption("grading_seed")
    random.seed(seed)
    import numpy
    import torch
    numpy.random.seed(seed)
    torch.manual_seed(seed)
    session = proxy.active()
    if session is not None and session.module is not None and "student" in request.fixturenames:
        try:
            session.request("seed", seed=seed)
        except proxy.StudentGone:
            _student_gone()


# ------------------------------------------------------------------------------ outcome and messages
@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    try:
        return (yield)
    except proxy.StudentGone:
        _student_gone()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    check = item.config.stash[_STATE].checks.get(item.nodeid)
    if check is not None:
        item.config.hook.pytest_grader_check_started(config=item.config, name=check.name)
        session = proxy.active()
        if session is not None:
            session.on_event = lambda event, _name=check.name: item.config.hook.pytest_grader_progress(
                config=item.config, name=_name, event=event)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.excinfo is not None:
        submission = item.config.getoption("submission")
        report.grader_reason, report.grader_message = explain(
            call.excinfo.value, Path(submission).resolve() if submission else None,
            item.config.getoption("memory_limit_mb"))
    elif report.skipped and call.excinfo is not None:
        report.grader_reason = "skipped"
        report.grader_message = _("skipped: {why}").format(why=getattr(call.excinfo.value, "msg", call.excinfo.value))
    return report


def explain(exc: BaseException, student_dir: Path | None, memory_mb: int = 0) -> tuple[str, str]:
    """(reason, one-paragraph message) for a failed check; the student never needs the traceback."""
    notes = [n for n in getattr(exc, "__notes__", []) if n.strip()]
    where = getattr(exc, "student", None)  # set on exceptions raised by the student's code (runner.proxy)
    if isinstance(exc, StudentExit) and getattr(exc, "kind", None):
        reason = "failed"
        text = (_("your code raised SystemExit({arg}) instead of returning: remove exit()/sys.exit() calls")
                .format(arg=exc.arg) if exc.kind == "SystemExit" else
                _("your code raised KeyboardInterrupt (as if Ctrl+C was pressed) instead of returning: raise an "
                  "ordinary exception such as ValueError instead").format())
    elif isinstance(exc, GradingMessage):
        reason, text = exc.reason, _text(exc)
    elif isinstance(exc, NotImplementedError) and where and where.get("file"):
        reason = "not_implemented"
        text = _("not implemented yet: `{func}` in {file} still raises NotImplementedError").format(
            func=where["function"], file=where["file"])
        notes = []
    elif isinstance(exc, AssertionError) and not where:
        reason = "failed"
        text = _text(exc).split("\nassert ")[0].strip() or _("check failed: {detail}").format(detail=_text(exc).strip())
    elif explain_student.out_of_memory(exc, where):
        reason = "out_of_memory"
        text = _("your code ran out of memory: it asked for more than this exercise may use ({mb} MB); is a tensor "
                 "far larger than it should be? ({detail})").format(mb=memory_mb or "?", detail=_text(exc)[-200:])
    elif isinstance(exc, proxy.Unreadable):
        reason = "failed"
        text = _("what your code returned cannot be read by the grader: {detail}").format(detail=_text(exc))
    elif where and where.get("file"):
        reason = "student_error"
        text = explain_student.student_error(exc, where, student_dir)
    elif where:
        reason = "student_error"
        text = _("your code raised {kind}: {msg}").format(kind=where["type"], msg=_text(exc))
    else:
        reason = "check_error"
        text = _("what your code returned could not be checked: {kind}: {msg}").format(
            kind=type(exc).__name__, msg=_text(exc))
    falsifying = [n for n in notes if "Falsifying example" in n or n.startswith("Failing case")]
    if falsifying:
        text += "\n" + "\n".join(falsifying)
    return reason, text


def _text(exc: BaseException) -> str:
    """``str(exc)``, even for a student's exception whose ``__str__`` itself fails."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - student code may raise anything
        return f"<{type(exc).__name__}>"


class _Recorder:
    """Folds the setup/call/teardown reports of each check into one result and announces it."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        state = self.config.stash[_STATE]
        check = state.checks.get(report.nodeid)
        if check is None:
            return
        check.duration += report.duration
        if (report.failed or report.skipped) and not check.failed:
            check.failed = True
            check.reason = getattr(report, "grader_reason", "failed")
            check.message = getattr(report, "grader_message", "") or report.longreprtext.strip()[-500:]
        elif report.when == "call" and report.passed:
            check.passed = True
        for key, value in report.user_properties:
            if key == "convgrade.credit":
                check.credit = value
            elif key == "convgrade.note":
                check.message = check.message if check.failed else value
            else:
                check.details[key] = value
        if report.when == "teardown":
            passed = check.passed and not check.failed
            done = {"name": check.name, "weight": check.weight, "hidden": check.hidden, "passed": passed,
                    "credit": check.credit if passed else 0.0, "message": _clip(check.message),
                    "reason": "passed" if passed else check.reason, "duration": round(check.duration, 4),
                    "details": check.details}
            state.finished.append(done)
            self.config.hook.pytest_grader_check_done(config=self.config, check=done)


def _clip(message: str) -> str:
    """A message stays a paragraph, whatever a student's exception carried (its head and tail kept)."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    half = MAX_MESSAGE_CHARS // 2
    return message[:half] + " [...] " + message[-half:]


def pytest_terminal_summary(terminalreporter, config):
    """Under bare pytest, end with the score the grader would give (weights, not points)."""
    finished = config.stash[_STATE].finished
    if not finished:
        return
    earned = sum(c["weight"] * c["credit"] for c in finished)
    total = sum(c["weight"] for c in finished)
    terminalreporter.section("convgrade")
    for c in finished:
        mark = "PASS" if c["passed"] else "FAIL"
        terminalreporter.write_line(f"{mark} {c['name']} ({c['weight'] * c['credit']:g}/{c['weight']:g})"
                                    + (f": {c['message']}" if c["message"] and not c["passed"] else ""))
    terminalreporter.write_line(f"weighted score {earned:g}/{total:g}")
