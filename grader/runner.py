"""Runs one exercise's checks in its own process, with limits, and turns what happened into a result.

Why a fork server: every exercise must be isolated (an infinite loop, ``os._exit`` or a segfault costs
only that exercise), but a fresh ``import torch`` per exercise costs ~1.5 s. The standard library's
``forkserver`` imports torch, pytest and hypothesis once in a clean server process and forks every
exercise process from it. The server never runs a tensor operation, which matters: forking a process
whose OpenMP pool has been used deadlocks the child, so we never fork the caller itself (a notebook or
a test session that already trained a model).

Each exercise process: starts its own process group (so a timeout kills DataLoader workers too), sets
rlimits (address space, CPU time, file size), sends its results over a pipe with every message signed
by a per-run secret, and writes everything it prints to a file of which only the head and tail are kept.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import os
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from grader.course import Exercise
from grader.i18n import _
from grader.results import (CRASHED, ERROR, IMPORT_ERROR, MISSING, NOT_IMPLEMENTED, OK, TIMEOUT, CheckResult,
                            ExerciseResult)

PRELOAD = ["grader._preload"]
OUTPUT_KEEP_BYTES = 8_000       # head and tail of an exercise's printed output kept in the result
OUTPUT_FILE_LIMIT = 256 << 20   # RLIMIT_FSIZE: an endless print loop cannot fill the disk
_context = None


def _mp_context():
    """The fork-server context (spawn where the platform has no fork), created once per process."""
    global _context
    if _context is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
        else:  # Windows: no fork; each exercise pays a fresh interpreter
            _context = multiprocessing.get_context("spawn")
    return _context


@dataclass(frozen=True)
class RunSpec:
    """Everything an exercise process needs; picklable, since it crosses into the fork server."""

    exercise_id: str
    module: str
    check_files: tuple[str, ...]
    hidden_files: tuple[str, ...]
    submission_dir: str
    workdir: str
    seed: int
    lang: str
    device: str | None
    settings_json: str
    memory_limit_mb: int | None
    cpu_limit_s: float | None
    env: dict[str, str] = field(default_factory=dict)

    def pytest_args(self) -> list[str]:
        args = [*self.check_files, "-p", "grader.plugin", "-p", "no:cacheprovider", "-p", "no:terminal",
                "--noconftest", "-s", "-c", str(Path(self.workdir) / "pytest.ini"), "--rootdir", self.workdir,
                "-W", "ignore::pytest.PytestAssertRewriteWarning",
                "--submission", self.submission_dir, "--student-module", self.module,
                "--exercise-id", self.exercise_id, "--grading-seed", str(self.seed), "--lang", self.lang,
                "--exercise-settings", self.settings_json]
        for hidden in self.hidden_files:
            args += ["--hidden-checks", hidden]
        if self.device:
            args += ["--grading-device", self.device]
        return args


class _Channel:
    """pytest plugin living in the exercise process: forwards collected/finished checks, signed."""

    def __init__(self, conn: Connection, secret: bytes):
        self._conn, self._secret = conn, secret

    def send(self, kind: str, payload) -> None:
        body = json.dumps({"kind": kind, "payload": payload}, default=str).encode()
        self._conn.send_bytes(body + b"\n" + hmac.new(self._secret, body, hashlib.sha256).hexdigest().encode())

    def pytest_grader_collected(self, checks):
        self.send("collected", checks)

    def pytest_grader_check_done(self, check):
        self.send("check", check)


def _exercise_process(spec: RunSpec, conn: Connection, secret: bytes, output_path: str) -> None:
    """Entry point of the exercise process (forked from the server)."""
    os.setsid()
    out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    _apply_limits(spec)
    os.environ.update(spec.env)
    os.chdir(spec.workdir)
    import pytest

    channel = _Channel(conn, secret)
    code = pytest.main(spec.pytest_args(), plugins=[channel])
    channel.send("exit", int(code))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _apply_limits(spec: RunSpec) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: only the wall-clock limit applies
        return
    if spec.memory_limit_mb:
        limit = spec.memory_limit_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if spec.cpu_limit_s:
        soft = int(spec.cpu_limit_s) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_FILE_LIMIT, OUTPUT_FILE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def start_server() -> None:
    """Start the fork server now (it imports torch once), e.g. while a progress bar is drawn."""
    if _mp_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver
        forkserver.ensure_running()


def run_exercise(exercise: Exercise, submission_dir: Path, *, seed: int, lang: str, device: str | None,
                 include_hidden: bool = True, time_limit: float | None = None,
                 memory_limit_mb: int | None = None, env: dict[str, str] | None = None) -> ExerciseResult:
    """Grade one exercise of an already prepared submission folder in its own process."""
    limit = time_limit or exercise.time_limit
    memory = memory_limit_mb if memory_limit_mb is not None else exercise.memory_limit_mb
    if device and device.startswith("cuda"):
        memory = 0  # the CUDA runtime reserves far more address space than it uses
    with tempfile.TemporaryDirectory(prefix=f"convgrade-{exercise.id}-") as workdir:
        (Path(workdir) / "pytest.ini").write_text("[pytest]\n")
        spec = RunSpec(
            exercise_id=exercise.id, module=exercise.module_name,
            check_files=tuple(str(p) for p in exercise.check_files(include_hidden)),
            hidden_files=tuple(str(p) for p in exercise.hidden_checks), submission_dir=str(submission_dir),
            workdir=workdir, seed=seed, lang=lang, device=device, settings_json=json.dumps(exercise.settings),
            memory_limit_mb=memory or None, cpu_limit_s=limit * 2 + 5, env=env or {})
        output_path = str(Path(workdir) / "output.txt")
        events, ending, elapsed = _supervise(spec, output_path, limit)
        output = _read_output(output_path)
    return _result(exercise, events, ending, elapsed, output, limit, lang)


@dataclass
class _Events:
    collected: list[dict] | None = None
    checks: dict[str, dict] = field(default_factory=dict)
    exit_code: int | None = None
    forged: int = 0


def _supervise(spec: RunSpec, output_path: str, limit: float) -> tuple[_Events, str, float]:
    """Run the process, collect its messages until it ends or the deadline; returns (events, ending, s)."""
    ctx = _mp_context()
    secret = secrets.token_bytes(32)
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_exercise_process, args=(spec, sender, secret, output_path), daemon=False)
    start = time.monotonic()
    process.start()
    sender.close()
    events = _Events()
    ending = "exited"
    while True:
        remaining = start + limit - time.monotonic()
        if remaining <= 0:
            ending = "timeout"
            break
        ready = wait([receiver, process.sentinel], timeout=remaining)
        if receiver in ready:
            try:
                _handle(receiver.recv_bytes(), secret, events)
            except (EOFError, OSError):
                process.join(max(0.0, start + limit - time.monotonic()))
                if process.exitcode is None:
                    ending = "timeout"
                break
        elif process.sentinel in ready:
            while receiver.poll():
                try:
                    _handle(receiver.recv_bytes(), secret, events)
                except (EOFError, OSError):
                    break
            break
    elapsed = time.monotonic() - start
    _kill_group(process.pid)
    process.join(5)
    receiver.close()
    if ending != "timeout" and process.exitcode not in (0, None):
        ending = f"code:{process.exitcode}"
    return events, ending, elapsed


def _handle(message: bytes, secret: bytes, events: _Events) -> None:
    body, _sep, signature = message.rpartition(b"\n")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(signature, expected):
        events.forged += 1
        return
    data = json.loads(body)
    if data["kind"] == "collected":
        events.collected = data["payload"]
    elif data["kind"] == "check":
        events.checks[data["payload"]["name"]] = data["payload"]
    elif data["kind"] == "exit":
        events.exit_code = data["payload"]


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        pass


def _read_output(path: str) -> str:
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
    return data.decode("utf-8", "replace")


def _describe_ending(ending: str, limit: float, memory_mb: int) -> tuple[str, str]:
    """(status, sentence) for an exercise process that did not finish normally."""
    if ending == "timeout":
        return TIMEOUT, _("timed out after {limit:g} s: look for an infinite loop or a much too slow loop "
                          "(the time limit is {limit:g} s)").format(limit=limit)
    code = int(ending.split(":")[1])
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if name == "SIGXCPU":
            return CRASHED, _("stopped: it used more CPU time than allowed").format()
        if name == "SIGXFSZ":
            return CRASHED, _("stopped: it printed more than {mb} MB of output").format(mb=OUTPUT_FILE_LIMIT >> 20)
        return CRASHED, _("crashed: the exercise process was killed by {signal} (a segfault or a memory limit of "
                          "{mb} MB?)").format(signal=name, mb=memory_mb)
    return CRASHED, _("crashed with exit code {code}: does your code call exit(), sys.exit() or os._exit()?").format(
        code=code)


def _result(exercise: Exercise, events: _Events, ending: str, elapsed: float, output: str,
            limit: float, lang: str) -> ExerciseResult:
    title = exercise.title_in(lang)
    collected = events.collected
    if collected is None:
        status, message = (_describe_ending(ending, limit, exercise.memory_limit_mb) if ending != "exited" else (
            ERROR, _("the checks for this exercise could not be loaded (a problem in the course, not in your "
                     "code): {detail}").format(detail=_last_line(output))))
        return ExerciseResult(id=exercise.id, title=title, score=0.0,
                              max_score=exercise.points or 0.0, status=status, message=message,
                              duration=round(elapsed, 3), output=output)
    total_weight = sum(c["weight"] for c in collected) or 1.0
    scale = (exercise.points / total_weight) if exercise.points is not None else 1.0
    stopped_status, stopped_message = (_describe_ending(ending, limit, exercise.memory_limit_mb)
                                       if ending != "exited" else (None, ""))
    if stopped_status is None and events.exit_code is None:
        stopped_status, stopped_message = CRASHED, _("the exercise process ended before reporting every check: "
                                                     "does your code call os._exit()?")
    checks: list[CheckResult] = []
    first_missing = True
    for spec in collected:
        max_score = round(spec["weight"] * scale, 4)
        done = events.checks.get(spec["name"])
        if done is None:
            note = stopped_message if first_missing else _("not run: the exercise stopped at an earlier check")
            first_missing = False
            checks.append(CheckResult(name=spec["name"], score=0.0, max_score=max_score, passed=False,
                                      message=note, hidden=spec["hidden"], details={"reason": "not_run"}))
            continue
        checks.append(CheckResult(
            name=done["name"], score=round(max_score * done["credit"], 4), max_score=max_score, passed=done["passed"],
            message=done["message"], duration=done["duration"], hidden=done["hidden"],
            details={**done["details"], "reason": done["reason"]}))
    status, message = _exercise_status(checks, stopped_status, stopped_message)
    warnings = [_("{n} forged result messages were ignored").format(n=events.forged)] if events.forged else []
    return ExerciseResult(id=exercise.id, title=title,
                          score=round(sum(c.score for c in checks), 4),
                          max_score=round(sum(c.max_score for c in checks), 4), status=status, message=message,
                          checks=checks, duration=round(elapsed, 3), output=output, warnings=warnings)


def _exercise_status(checks: list[CheckResult], stopped_status: str | None, stopped_message: str) -> tuple[str, str]:
    if stopped_status:
        return stopped_status, stopped_message
    reasons = [c.details.get("reason") for c in checks if not c.passed]
    for reason, status in (("missing_module", MISSING), ("import_error", IMPORT_ERROR)):
        if reason in reasons:
            return status, next(c.message for c in checks if c.details.get("reason") == reason)
    if checks and all(r == "not_implemented" for r in reasons) and len(reasons) == len(checks):
        return NOT_IMPLEMENTED, _("not implemented yet: fill in the functions and run the grader again")
    return OK, ""


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else _("no output")
