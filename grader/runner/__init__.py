"""Grades one exercise in two processes forked from a warm server: the checker and the student process.

Why two: a student's code must not share an interpreter with the checks, or a few lines can patch
pytest, torch or the helpers, forge results, or read references and held-out labels (as contest judges
keep contestant code out of the judge). The *checker* (grader.runner.checker) runs pytest, the check
files, torch references and held-out data, and alone holds the result pipe to this process. The
*student process* (grader.runner.student) imports the student's module inside a sandbox
(grader.runner.sandbox) and answers the checker's requests over a socket that carries only data
(grader.runner.wire, grader.runner.proxy).

Why a fork server: a fresh ``import torch`` per process costs ~1.5 s; the standard library's
``forkserver`` imports torch, pytest and hypothesis once in a clean process that never runs a tensor
operation (forking a process whose OpenMP pool has run deadlocks the child), so neither the caller (a
notebook that trained a model) nor a checker is ever forked.

Budgets: ``time_limit`` counts CPU seconds of the student's process tree (its cgroup, else /proc), so a
grade does not depend on how busy the machine is; a wall-clock backstop of a few times the budget ends
a process that sleeps or blocks. On CUDA the budget is wall-clock time. Checks that reported before a
timeout keep their results; the one that was running is named.
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from grader import limits, points
from grader.course import Exercise
from grader.i18n import _
from grader.report import progress_line
from grader.results import (CRASHED, ERROR, IMPORT_ERROR, MISSING, NOT_GRADED, NOT_IMPLEMENTED, OK, TIMEOUT,
                            CheckResult, ExerciseResult)
from grader.runner import checker, sandbox, student

PRELOAD = ["grader._preload"]
OUTPUT_KEEP_BYTES = 8_000       # head and tail of an exercise's printed output kept in the result
MAX_REPORT_BYTES = 4 << 20      # one message from the checker
WALL_BACKSTOP = 3.0             # wall-clock limit = this x the CPU budget + WALL_SLACK_S
WALL_SLACK_S = 10.0
POLL_S = 0.1
CHECKER_MEMORY_MB = 16_384      # the checker is trusted: its limit only guards against a runaway reference
_UNPRINTABLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")  # colour codes, NUL, ...
_context = None
_start_lock = threading.Lock()
_probed: dict[str, str] = {}


def _mp_context():
    """The fork-server context (spawn where the platform has no fork), created once per process."""
    global _context
    if _context is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
        else:  # Windows: no fork; each process pays a fresh interpreter
            _context = multiprocessing.get_context("spawn")
    return _context


def start_server() -> None:
    """Start the fork server now (it imports torch once), e.g. while a progress bar is drawn."""
    if _mp_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver
        with _caller_script_hidden():  # the same fixed PYTHONHASHSEED as a server started by the first exercise
            forkserver.ensure_running()


def sandbox_uid(submission_dir: Path) -> int:
    """A uid (and gid) of the submission's own, outside the range of real users: 200,000-999,999."""
    digest = hashlib.sha256(str(submission_dir.resolve()).encode()).digest()
    return 200_000 + int.from_bytes(digest[:4], "big") % 800_000


def local_student(submission_dir: Path, module: str, seed: int, threads: int):
    """A student process for checks run under bare pytest (no grader around them): no sandbox, no limits.

    Returns (connection, CPU meter); the process ends when the connection closes."""
    workdir = Path(tempfile.mkdtemp(prefix="convgrade-local-"))
    atexit.register(shutil.rmtree, workdir, True)
    spec = _student_spec(module, workdir, Path(submission_dir), seed=seed, threads=threads, level="none",
                         process_limits=limits.Limits(memory_mb=None, cpu_seconds=None, max_tasks=limits.MAX_TASKS),
                         cgroup=None, hidden=(), device=None, env={})
    process, status, conn = _start_student(spec)
    _read_level(status, process, deadline=time.monotonic() + 60)
    return conn, limits.CpuMeter((), process.pid)


def hidden_paths(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What the student process must not see: the grader package, the datasets, and ``extra`` (the course
    folder, outputs, caches), even where they lie inside a folder the sandbox binds."""
    from grader import datasets

    paths = {str(Path(__file__).resolve().parents[1]), str(datasets.FASHION_DEBIAN_DIR), *extra}
    for variable in (datasets.MNIST_DIR_ENV, datasets.FASHION_DIR_ENV):
        if os.environ.get(variable):
            paths.add(os.environ[variable])
    return tuple(sorted(str(Path(p).resolve()) for p in paths))


def probe_sandbox(level: str = "namespaces") -> str:
    """The level a student process reaches here (tried once per grader process, in a throwaway child)."""
    if level not in _probed:
        with tempfile.TemporaryDirectory(prefix="convgrade-probe-") as workdir:
            spec = _student_spec("probe", Path(workdir), Path(workdir), seed=0, threads=1, level=level,
                                 process_limits=limits.Limits(memory_mb=None, cpu_seconds=30, max_tasks=64),
                                 cgroup=None, hidden=(), device=None, env={})
            process, status, conn = _start_student(spec)
            try:
                _probed[level] = _read_level(status, process, deadline=time.monotonic() + 30) or "none"
            finally:
                conn.close()
                _kill(process, None)
    return _probed[level]


def require_sandbox(level: str) -> str:
    """The level reached here; SandboxUnavailable when it is below ``level`` (a configuration error)."""
    reached = probe_sandbox()
    if sandbox.rank(reached) < sandbox.rank(level):
        raise sandbox.SandboxUnavailable(_("the sandbox level here is {reached}, but {level} is required (--require-sandbox): "
                             "run as root with mount rights, or where user namespaces are allowed")
                           .format(reached=reached, level=level))
    return reached


def run_exercise(exercise: Exercise, submission_dir: Path, *, seed: int, lang: str, device: str | None,
                 include_hidden: bool = True, time_limit: float | None = None,
                 memory_limit_mb: int | None = None, env: dict[str, str] | None = None,
                 hidden: tuple[str, ...] = (), sandbox_level: str = "namespaces",
                 on_progress: Callable[[dict], None] | None = None) -> ExerciseResult:
    """Grade one exercise of an already prepared submission folder (checker + student process)."""
    budget = time_limit or exercise.time_limit
    cuda = bool(device and device.startswith("cuda"))
    memory = memory_limit_mb if memory_limit_mb is not None else exercise.memory_limit_mb
    if cuda:
        memory = 0  # the CUDA runtime reserves far more address space than it uses
    wall_limit = budget * WALL_BACKSTOP + WALL_SLACK_S if not cuda else budget
    student_limits = limits.Limits(memory_mb=memory or None, cpu_seconds=budget + 5, max_tasks=limits.MAX_TASKS)
    with tempfile.TemporaryDirectory(prefix=f"convgrade-{exercise.id}-", ignore_cleanup_errors=True) as tmp, \
            limits.cgroup(student_limits) as cgroup:
        workdir = Path(tmp)
        (workdir / "pytest.ini").write_text("[pytest]\n")
        spec = _student_spec(exercise.module_name, workdir, submission_dir, seed=seed, threads=exercise.threads,
                             level=sandbox_level, process_limits=student_limits, cgroup=cgroup,
                             hidden=hidden_paths(hidden), device=device, env=env or {})
        process, status, conn = _start_student(spec)
        meter = cgroup.cpu_meter(process.pid) if cgroup else limits.CpuMeter((), process.pid)
        cspec = checker.CheckerSpec(
            exercise_id=exercise.id, module=exercise.module_name,
            check_files=tuple(str(p) for p in exercise.check_files(include_hidden)),
            hidden_files=tuple(str(p) for p in exercise.hidden_checks), submission_dir=str(submission_dir),
            workdir=str(workdir), seed=seed, lang=lang, device=device,
            settings_json=json.dumps(exercise.settings, default=str), threads=exercise.threads,
            skip_hidden=not include_hidden, output_path=str(workdir / "checker.txt"), student_cpu=meter,
            memory_limit_mb=memory, env=env or {})
        events = _Events(on_progress)
        started = time.monotonic()
        try:
            level = _read_level(status, process, deadline=started + 30)
            ending = _supervise(cspec, conn, process, meter, events, budget=None if cuda else budget,
                                wall_limit=wall_limit)
        finally:
            _kill(process, cgroup)
        elapsed = time.monotonic() - started
        cpu = meter.seconds()
        if ending.startswith("student:-") and cgroup is not None and cgroup.oom_killed():
            ending = "memory"
        output = _read_output(workdir / "output.txt")
    result = _result(exercise, events, ending, elapsed, output, budget, memory, lang, cuda, include_hidden)
    result.cpu_seconds, result.time_limit = round(cpu, 3), budget
    result.sandbox = level or "none"
    return result


def _student_spec(module: str, workdir: Path, submission_dir: Path, *, seed: int, threads: int, level: str,
                  process_limits: limits.Limits, cgroup, hidden: tuple[str, ...], device: str | None,
                  env: dict[str, str]) -> student.StudentSpec:
    uid = sandbox_uid(submission_dir)
    root, tmp = workdir / "root", workdir / "tmp"
    root.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        _readable_by_group(submission_dir, uid)
        os.chown(tmp, uid, uid)
    devices = tuple(str(p) for p in Path("/dev").glob("nvidia*")) if device and device.startswith("cuda") else ()
    return student.StudentSpec(
        module=module, seed=seed, threads=threads, limits=process_limits, cgroup=cgroup,
        output_path=str(workdir / "output.txt"), env=env,
        sandbox=sandbox.SandboxSpec(level=level, submission=str(submission_dir.resolve()), root=str(root),
                                    hidden=hidden, uid=uid, gid=uid, devices=devices))


def _readable_by_group(folder: Path, gid: int) -> None:
    """The private copy: owned by the grader, readable (never writable) by the student's gid alone."""
    with contextlib.suppress(OSError):
        os.chown(folder, 0, gid)
        os.chmod(folder, 0o750)
        for file in folder.iterdir():
            os.chown(file, 0, gid)
            os.chmod(file, 0o640)


def _start(target, *args, handed_over=()):
    """A process forked from the server running ``target(*args)``; our copies of ``handed_over`` (the
    child's ends of its pipes) are closed, so an end of file means the child is gone."""
    process = _mp_context().Process(target=target, args=args, daemon=False)
    with _caller_script_hidden():
        process.start()
    for conn in handed_over:
        conn.close()
    return process


def _start_student(spec: student.StudentSpec):
    ctx = _mp_context()
    mine, theirs = ctx.Pipe(duplex=True)
    status_r, status_w = ctx.Pipe(duplex=False)
    process = _start(student.main, spec, theirs, status_w, handed_over=(theirs, status_w))
    return process, status_r, mine


def _read_level(status, process, deadline: float) -> str | None:
    """The sandbox level the student process reached, sent before it ran any student code."""
    while time.monotonic() < deadline:
        ready = wait([status, process.sentinel], timeout=0.5)
        if status in ready:
            try:
                level = status.recv_bytes(64).decode()
            except (EOFError, OSError, UnicodeDecodeError):
                return None
            return level if level in sandbox.LEVELS else None
        if process.sentinel in ready:
            return None
    return None


@dataclass
class _Events:
    """What the checker reported: collected checks, which one started last, results, how it ended."""

    on_progress: Callable[[dict], None] | None = None
    collected: list[dict] | None = None
    collect_errors: list[str] = field(default_factory=list)
    hidden_skipped: int = 0
    checks: dict[str, dict] = field(default_factory=dict)
    running: str | None = None
    last_progress: dict | None = None  # the running check's latest progress event (training was going on)
    exit_code: int | None = None

    def take(self, frame: bytes) -> None:
        data = json.loads(frame)
        kind, payload = data["kind"], data["payload"]
        if kind == "collected":
            self.collected, self.collect_errors = payload["checks"], payload["errors"]
            self.hidden_skipped = payload["hidden_skipped"]
        elif kind == "started":
            self.running, self.last_progress = payload, None
        elif kind == "check":
            self.checks.setdefault(payload["name"], payload)
            self.running = None
        elif kind == "progress":
            self.last_progress = payload
            if self.on_progress:
                self.on_progress(payload)
        elif kind == "exit":
            self.exit_code = payload


def _supervise(cspec: checker.CheckerSpec, conn, student_process, meter: limits.CpuMeter, events: _Events, *,
               budget: float | None, wall_limit: float) -> str:
    """Run the checker against the student process until it ends, the CPU budget or the backstop runs out.

    Returns "exited", "cpu" (CPU budget spent), "wall" (backstop), "student:N" (the student process ended
    with exit code N, or by signal -N, while a check needed it) or "checker:N" (the checker itself died).
    """
    results_r, results_w = _mp_context().Pipe(duplex=False)
    process = _start(checker.main, cspec, conn, results_w, handed_over=(conn, results_w))
    start = time.monotonic()
    ending = None
    try:
        while ending is None:
            ready = wait([results_r, process.sentinel], timeout=POLL_S)
            if results_r in ready:
                _drain(results_r, events)
            if process.sentinel in ready:
                _drain(results_r, events)
                process.join()
                code = process.exitcode
                ending = "exited" if code == 0 else None
                if code == checker.STUDENT_GONE or (code != 0 and not student_process.is_alive()):
                    student_process.join(limits.KILL_WAIT_S)
                    ending = f"student:{student_process.exitcode}"
                elif code != 0:
                    ending = f"checker:{code}"
            elif budget is not None and meter.seconds() > budget:
                ending = "cpu"
            elif time.monotonic() - start > wall_limit:
                ending = "wall"
    finally:
        _kill(process, None)
        results_r.close()
    return ending


def _drain(results_r, events: _Events) -> None:
    while results_r.poll():
        try:
            events.take(results_r.recv_bytes(MAX_REPORT_BYTES))
        except (EOFError, OSError):
            return


def _kill(process, cgroup: limits.Cgroup | None) -> None:
    """Kill the process, its process group and its cgroup; nothing it started may outlive the exercise."""
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(process.pid, signal.SIGKILL)
    if cgroup:
        cgroup.kill()
    wait([process.sentinel], limits.KILL_WAIT_S)
    with _start_lock:  # multiprocessing reads exit codes without a lock: threads grading in parallel take turns
        process.join(0)


@contextlib.contextmanager
def _caller_script_hidden() -> Iterator[None]:
    """multiprocessing re-runs the caller's ``__main__`` script in each new process (harmless only behind
    ``if __name__ == "__main__":``); a forked process needs nothing from it, so it is hidden meanwhile.

    The fork server, launched by the first start(), also gets a fixed PYTHONHASHSEED: a student's loop
    over a set of strings then runs in the same order at every grading.
    """
    with _start_lock:
        caller, hash_seed = sys.modules["__main__"], os.environ.get("PYTHONHASHSEED")
        sys.modules["__main__"] = types.ModuleType("__main__")
        os.environ["PYTHONHASHSEED"] = "0"
        try:
            yield
        finally:
            sys.modules["__main__"] = caller
            if hash_seed is None:
                del os.environ["PYTHONHASHSEED"]
            else:
                os.environ["PYTHONHASHSEED"] = hash_seed


def _read_output(path: Path) -> str:
    """The head and tail of what the student process printed, as plain text (no terminal escapes, no NULs)."""
    try:
        with open(path, "rb") as f:
            data = f.read(OUTPUT_KEEP_BYTES + 1)
            size = os.fstat(f.fileno()).st_size
            if size > 2 * OUTPUT_KEEP_BYTES:
                f.seek(size - OUTPUT_KEEP_BYTES)
                tail = f.read()
                data = data[:OUTPUT_KEEP_BYTES] + f"\n[... {size - 2 * OUTPUT_KEEP_BYTES} bytes cut ...]\n".encode() + tail
            else:
                f.seek(0)
                data = f.read()
    except OSError:
        return ""
    return printable(data.decode("utf-8", "replace"))


def printable(text: str) -> str:
    """``text`` without terminal escapes and control characters, which break JUnit XML and terminals."""
    return _UNPRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _describe_ending(ending: str, budget: float, memory_mb: int, cuda: bool, running: str | None,
                     progress: dict | None = None) -> tuple[str, str]:
    """(status, sentence) for an exercise that did not finish normally."""
    where = _(" while {check} was running").format(check=running) if running else ""
    if ending in ("cpu", "wall"):
        if cuda:
            text = _("ran out of time{where}: the budget is {budget:g} s of wall-clock time on the GPU").format(
                where=where, budget=budget)
        elif ending == "cpu" and progress:
            text = _("ran out of CPU time{where}: your training used its whole budget of {budget:g} CPU seconds and "
                     "was still going ({progress}); train for fewer epochs or use a smaller model (CPU time counts "
                     "only your process's work, not how busy the machine is)").format(
                         where=where, budget=budget, progress=progress_line(progress))
        elif ending == "cpu":
            text = _("ran out of CPU time{where}: your code used more than its budget of {budget:g} CPU seconds "
                     "(CPU time counts only your process's work, not how busy the machine is); make it faster or "
                     "look for an endless loop").format(where=where, budget=budget)
        else:
            text = _("stopped{where}: it made no progress for {limit:g} s of wall-clock time (waiting or sleeping "
                     "instead of computing?)").format(where=where, limit=budget * WALL_BACKSTOP + WALL_SLACK_S)
        return TIMEOUT, text
    if ending == "memory":
        return CRASHED, _("stopped{where}: together its processes used more than {mb} MB of memory; is a tensor far "
                          "larger than it should be?").format(where=where, mb=memory_mb)
    if ending.startswith("checker:"):
        return ERROR, _("the checker failed{where} (a problem in the course, not in your code): exit code {code}").format(
            where=where, code=ending.split(":")[1])
    code_text = ending.split(":")[1]
    code = int(code_text) if code_text.lstrip("-").isdigit() else 1
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if name == "SIGXCPU":
            return TIMEOUT, _("stopped{where}: it used more CPU time than allowed ({budget:g} s)").format(
                where=where, budget=budget)
        if name == "SIGXFSZ":
            return CRASHED, _("stopped{where}: it printed more than {mb} MB of output").format(
                where=where, mb=limits.OUTPUT_FILE_LIMIT >> 20)
        return CRASHED, _("crashed{where}: your process was killed by {signal} (a segfault or a memory limit of "
                          "{mb} MB?)").format(where=where, signal=name, mb=memory_mb)
    return CRASHED, _("crashed{where} with exit code {code}: does your code call exit(), sys.exit() or os._exit()?"
                      ).format(where=where, code=code)


def _result(exercise: Exercise, events: _Events, ending: str, elapsed: float, output: str,
            budget: float, memory_mb: int, lang: str, cuda: bool, include_hidden: bool = True) -> ExerciseResult:
    title = exercise.title_in(lang)
    collected = events.collected
    if collected is None or events.collect_errors or not collected:
        detail = "; ".join(events.collect_errors) or _last_line(output)
        status, message = (_describe_ending(ending, budget, memory_mb, cuda, None)
                           if ending != "exited" and collected is None
                           else (ERROR, _("the checks for this exercise could not be loaded (a problem in the "
                                          "course, not in your code): {detail}").format(detail=detail)))
        return ExerciseResult(id=exercise.id, title=title, score=0.0, max_score=exercise.points or 0.0,
                              status=status, message=message, duration=round(elapsed, 3), output=output)
    names = [c["name"] for c in collected]
    running = events.running if events.running in names else next((n for n in names if n not in events.checks), None)
    stopped_status, stopped_message = (_describe_ending(ending, budget, memory_mb, cuda, running, events.last_progress)
                                       if ending != "exited" else (None, ""))
    if stopped_status is None and any(n not in events.checks for n in names):
        stopped_status, stopped_message = CRASHED, _(
            "grading stopped before every check ran (pytest exit code {code}): does your code raise "
            "KeyboardInterrupt or change the grader? The output may say more.").format(code=events.exit_code)
    split = points.split(exercise, collected, include_hidden=include_hidden)
    checks: list[CheckResult] = []
    for spec, max_score in zip(collected, split.checks):
        done = events.checks.get(spec["name"])
        if done is None:
            note = stopped_message if spec["name"] == running else _("not run: the exercise stopped at {check}").format(
                check=running or "?")
            reason = "timeout" if stopped_status == TIMEOUT and spec["name"] == running else "not_run"
            checks.append(CheckResult(name=spec["name"], score=0.0, max_score=max_score, passed=False,
                                      message=note, hidden=spec["hidden"], details={"reason": reason}))
            continue
        credit = min(1.0, max(0.0, float(done["credit"]))) if done["passed"] else 0.0
        checks.append(CheckResult(
            name=spec["name"], score=round(max_score * credit, 4), max_score=max_score, passed=bool(done["passed"]),
            message=printable(str(done["message"])), duration=float(done["duration"]), hidden=spec["hidden"],
            details={**done["details"], "reason": done["reason"]}))
    status, message = _exercise_status(checks, stopped_status, stopped_message)
    if status == NOT_GRADED:  # the data is missing here: out of the total and the maximum
        return ExerciseResult(id=exercise.id, title=title, score=0.0, max_score=0.0, status=status, message=message,
                              checks=[], duration=round(elapsed, 3), output=output)
    max_total = points.exact_sum(split.checks)
    return ExerciseResult(id=exercise.id, title=title, score=min(points.exact_sum(c.score for c in checks), max_total),
                          max_score=max_total, status=status, message=message, checks=checks,
                          duration=round(elapsed, 3), output=output, hidden_not_run=events.hidden_skipped,
                          hidden_points=split.withheld_points)


def _exercise_status(checks: list[CheckResult], stopped_status: str | None, stopped_message: str) -> tuple[str, str]:
    if stopped_status:
        return stopped_status, stopped_message
    reasons = [c.details.get("reason") for c in checks if not c.passed]
    if "data_missing" in reasons:
        return NOT_GRADED, _("not graded here: {why}").format(
            why=next(c.message for c in checks if c.details.get("reason") == "data_missing"))
    for reason, status in (("missing_module", MISSING), ("import_error", IMPORT_ERROR)):
        if reason in reasons:
            return status, next(c.message for c in checks if c.details.get("reason") == reason)
    if checks and all(r == "not_implemented" for r in reasons) and len(reasons) == len(checks):
        return NOT_IMPLEMENTED, _("not implemented yet: fill in the functions and run the grader again")
    return OK, ""


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else _("no output")
