"""The pytest plugin that turns check files into grading: it hands checks the student's module, reads
their ``points``/``hidden`` markers, and turns every failure into one sentence a student can act on.

The runner loads it in each exercise process; it works the same under bare pytest::

    pytest -p grader.plugin grader/checks/kernels.py --submission solutions

Fixtures for checks: ``student`` (the student's module), ``outcome`` (partial credit, notes, metrics),
``device``, ``exercise_settings``. Listeners get each finished check through the hooks in ``hookspecs``.
"""
from __future__ import annotations

import importlib
import json
import random
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader import hookspecs
from grader.i18n import _, set_language
from grader.submission import PROBLEM_SUFFIX


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
    submission = config.getoption("submission")
    if submission:
        sys.path.insert(0, str(Path(submission).resolve()))
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
    """The student's module; a missing name fails the check with "`name` not found in file"."""

    def __init__(self, module):
        object.__setattr__(self, "module", module)

    def __getattr__(self, name: str):
        try:
            return getattr(self.module, name)
        except AttributeError:
            file = Path(getattr(self.module, "__file__", "") or self.module.__name__).name
            raise MissingName(_("`{name}` not found in {file}: define it there with exactly this name")
                              .format(name=name, file=file)) from None

    def __setattr__(self, name, value):
        setattr(self.module, name, value)


def import_student_module(config, name: str):
    """Import the student's module once per process; a failure is remembered and reported per check."""
    state = config.stash[_STATE]
    if name in state.import_failures:
        raise state.import_failures[name]
    if not config.getoption("submission"):
        raise pytest.UsageError("no submission: pass --submission DIR")
    file = f"{name}.py"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        problem = Path(config.getoption("submission"), f"{exc.name}{PROBLEM_SUFFIX}")
        failure: GradingMessage = (
            StudentImportError(problem.read_text(encoding="utf-8")) if exc.name and problem.is_file()
            else MissingModule(_("{file} is not in the submission: create it (start from exercises/{file})")
                               .format(file=file)) if exc.name == name
            else StudentImportError(_("{file} could not be imported: it imports `{missing}`, which is not installed "
                                      "here").format(file=file, missing=exc.name)))
    except SyntaxError as exc:
        failure = StudentImportError(_("{file} could not be imported: SyntaxError at line {line}: {msg}")
                                     .format(file=file, line=exc.lineno, msg=exc.msg))
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - student code may raise anything
        line = _student_line(exc.__traceback__, Path(config.getoption("submission")).resolve())
        failure = StudentImportError(_("{file} could not be imported: {kind} at line {line}: {msg}")
                                     .format(file=file, kind=type(exc).__name__, line=line or "?", msg=_text(exc)))
    state.import_failures[name] = failure
    raise failure


@pytest.fixture(scope="module")
def student(request) -> StudentModule:
    name = request.config.getoption("student_module") or Path(str(request.path)).stem
    return StudentModule(import_student_module(request.config, name))


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


# ------------------------------------------------------------------------------ outcome and messages
@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    try:
        return (yield)
    except SystemExit as exc:
        raise StudentExit(_("your code raised SystemExit({arg}) instead of returning: remove exit()/sys.exit() calls")
                          .format(arg=_text(exc))) from None
    except KeyboardInterrupt:
        raise StudentExit(_("your code raised KeyboardInterrupt (as if Ctrl+C was pressed) instead of returning: "
                            "raise an ordinary exception such as ValueError instead").format()) from None


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
    if isinstance(exc, GradingMessage):
        reason, text = exc.reason, _text(exc)
    elif isinstance(exc, NotImplementedError) and _student_frame(exc.__traceback__, student_dir):
        frame = _student_frame(exc.__traceback__, student_dir)
        reason = "not_implemented"
        text = _("not implemented yet: `{func}` in {file} still raises NotImplementedError").format(
            func=frame.name, file=Path(frame.filename).name)
        notes = []
    elif isinstance(exc, AssertionError):
        reason = "failed"
        text = _text(exc).split("\nassert ")[0].strip() or _("check failed: {detail}").format(detail=_text(exc).strip())
    elif _out_of_memory(exc):
        reason = "out_of_memory"
        text = _("your code ran out of memory: it asked for more than this exercise may use ({mb} MB); is a tensor "
                 "far larger than it should be? ({detail})").format(mb=memory_mb or "?", detail=_text(exc)[-200:])
    else:
        frame = _student_frame(exc.__traceback__, student_dir)
        reason = "student_error" if frame else "check_error"
        if frame:
            text = _("`{func}` raised {kind}: {msg} ({file}, line {line})").format(
                func=frame.name, kind=type(exc).__name__, msg=_text(exc), file=Path(frame.filename).name,
                line=frame.lineno)
        else:
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


def _out_of_memory(exc: BaseException) -> bool:
    """MemoryError, or torch's allocator refusing (a RuntimeError, or OutOfMemoryError on a GPU)."""
    return (isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError"
            or (isinstance(exc, RuntimeError) and "can't allocate memory" in _text(exc)))


def _student_frame(tb, student_dir: Path | None):
    """The innermost traceback frame that lies in the student's folder, or None."""
    if student_dir is None or tb is None:
        return None
    frames = [f for f in traceback.extract_tb(tb) if _inside(Path(f.filename), student_dir)]
    return frames[-1] if frames else None


def _student_line(tb, student_dir: Path) -> int | None:
    frame = _student_frame(tb, student_dir)
    return frame.lineno if frame else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return False


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
