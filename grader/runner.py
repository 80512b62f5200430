"""Runs one exercise's checks in its own process, with limits, and turns what happened into a result.

Why a fork server: every exercise must be isolated (an infinite loop, ``os._exit`` or a segfault costs
only that exercise), but a fresh ``import torch`` per exercise costs ~1.5 s. The standard library's
``forkserver`` imports torch, pytest and hypothesis once in a clean server process and forks every
exercise process from it. The server never runs a tensor operation, which matters: forking a process
whose OpenMP pool has been used deadlocks the child, so we never fork the caller itself (a notebook or
a test session that already trained a model).

Each exercise process: starts its own process group and joins its own cgroup where one can be made (so
a timeout kills DataLoader workers and fork bombs too), sets rlimits (``grader.limits``), sends its
results as lines on a pipe, each signed with a per-run secret, and writes everything it prints to a
file of which only the head and tail are kept. The grader reads that pipe without ever blocking on it,
so nothing the exercise process writes (or fails to write) can stall grading. What this defends
against and what it does not: docs/threat-model.md.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import multiprocessing
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from grader import limits
from grader.course import Exercise
from grader.i18n import _
from grader.results import (CRASHED, ERROR, IMPORT_ERROR, MISSING, NOT_IMPLEMENTED, OK, TIMEOUT, CheckResult,
                            ExerciseResult)

PRELOAD = ["grader._preload"]
OUTPUT_KEEP_BYTES = 8_000       # head and tail of an exercise's printed output kept in the result
MAX_MESSAGE_BYTES = 1 << 20     # a longer line on the result pipe is not ours: dropped, counted as forged
PIPE_READ_LIMIT = 16 << 20      # read at most this much per wake-up, so a flood cannot hold the grader
_UNPRINTABLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")  # colour codes, NUL, ...
_context = None
_start_lock = threading.Lock()


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
    threads: int
    skip_hidden: bool
    limits: limits.Limits
    cgroup: limits.Cgroup | None = None
    env: dict[str, str] = field(default_factory=dict)

    def pytest_args(self) -> list[str]:
        # no:unraisableexception/no:threadexception: they only warn about errors in __del__ and in threads,
        # and cost full gc.collect() passes at exit (~0.1 s of every exercise with torch loaded).
        args = [*self.check_files, "-p", "grader.plugin", "-p", "_hypothesis_pytestplugin", "-p", "no:cacheprovider",
                "-p", "no:terminal", "-p", "no:unraisableexception", "-p", "no:threadexception",
                "--noconftest", "--import-mode=importlib", "-s", "-c", str(Path(self.workdir) / "pytest.ini"), "--rootdir", self.workdir,
                "-W", "ignore::pytest.PytestAssertRewriteWarning",
                "--submission", self.submission_dir, "--student-module", self.module,
                "--exercise-id", self.exercise_id, "--grading-seed", str(self.seed), "--lang", self.lang,
                "--exercise-settings", self.settings_json, "--memory-limit-mb", str(self.limits.memory_mb or 0)]
        for hidden in self.hidden_files:
            args += ["--hidden-checks", hidden]
        if self.device:
            args += ["--grading-device", self.device]
        if self.skip_hidden:
            args.append("--skip-hidden")
        return args + ["--torch-threads", str(self.threads)]


def _signature(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode()


class _Channel:
    """pytest plugin living in the exercise process: sends collected/finished checks as signed lines.

    A line is ``<signature> <json>\\n`` (JSON has no raw newline), written straight to the pipe's file
    descriptor: whatever else lands on the pipe (stray bytes, copies of this process after a fork)
    costs at most the lines it garbles, which then count as not reported.
    """

    def __init__(self, conn: Connection, secret: bytes):
        self._conn, self._secret = conn, secret

    def send(self, kind: str, payload) -> None:
        body = json.dumps({"kind": kind, "payload": payload}, default=str).encode()
        line = memoryview(_signature(self._secret, body) + b" " + body + b"\n")
        while line:
            line = line[os.write(self._conn.fileno(), line):]

    def pytest_grader_collected(self, checks, errors, hidden_skipped):
        self.send("collected", {"checks": checks, "errors": errors, "hidden_skipped": hidden_skipped})

    def pytest_grader_check_done(self, check):
        self.send("check", check)


def _exercise_process(spec: RunSpec, conn: Connection, secret: bytes, output_path: str) -> None:
    """Entry point of the exercise process (forked from the server)."""
    os.setsid()
    if spec.cgroup:
        spec.cgroup.join()
    out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    spec.limits.apply()
    # The grader's environment must not change how checks run (pytest-randomly reorders and reseeds,
    # PYTEST_ADDOPTS=-x stops early): the plugins a check needs are named in pytest_args.
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(name, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    warnings.resetwarnings()  # the grader's -W error / PYTHONWARNINGS must not turn a student's warning into a 0
    os.environ.update(spec.env)
    os.chdir(spec.workdir)
    import pytest

    channel = _Channel(conn, secret)
    code = pytest.main(spec.pytest_args(), plugins=[channel])
    channel.send("exit", int(code))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


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
    # CPU time is only the backstop for a grader that died; torch may keep every core busy until the deadline.
    process_limits = limits.Limits(memory_mb=memory or None, cpu_seconds=limit * (os.cpu_count() or 1) + 5,
                                   max_tasks=limits.MAX_TASKS)
    with tempfile.TemporaryDirectory(prefix=f"convgrade-{exercise.id}-", ignore_cleanup_errors=True) as workdir, \
            limits.cgroup(process_limits) as cgroup:
        (Path(workdir) / "pytest.ini").write_text("[pytest]\n")
        spec = RunSpec(
            exercise_id=exercise.id, module=exercise.module_name,
            check_files=tuple(str(p) for p in exercise.check_files(include_hidden)),
            hidden_files=tuple(str(p) for p in exercise.hidden_checks), submission_dir=str(submission_dir),
            workdir=workdir, seed=seed, lang=lang, device=device, settings_json=json.dumps(exercise.settings, default=str),
            threads=exercise.threads, skip_hidden=not include_hidden, limits=process_limits, cgroup=cgroup, env=env or {})
        output_path = str(Path(workdir) / "output.txt")
        events, ending, elapsed = _supervise(spec, output_path, limit)
        if ending.startswith("code:-") and cgroup is not None and cgroup.oom_killed():  # killed by a signal
            ending = "memory"
        output = _read_output(output_path)
    return _result(exercise, events, ending, elapsed, output, limit, memory, lang)


@dataclass
class _Events:
    """What the exercise process reported: the lines on the result pipe whose signature is right."""

    secret: bytes
    collected: list[dict] | None = None
    collect_errors: list[str] = field(default_factory=list)
    hidden_skipped: int = 0
    checks: dict[str, dict] = field(default_factory=dict)
    exit_code: int | None = None
    forged: int = 0
    pending: bytes = b""  # the start of a line still being written

    def read(self, fd: int) -> bool:
        """Take in what the pipe holds now, without waiting for more; False once it is closed."""
        taken = 0
        while taken < PIPE_READ_LIMIT:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            taken += len(data)
            *lines, self.pending = (self.pending + data).split(b"\n")
            for line in lines:
                self._handle(line)
            if len(self.pending) > MAX_MESSAGE_BYTES:
                self.forged += 1
                self.pending = b""
        return True

    def _handle(self, line: bytes) -> None:
        signature, _sep, body = line.partition(b" ")
        if not hmac.compare_digest(signature, _signature(self.secret, body)):
            self.forged += 1
            return
        data = json.loads(body)
        if data["kind"] == "collected":
            self.collected, self.collect_errors = data["payload"]["checks"], data["payload"]["errors"]
            self.hidden_skipped = data["payload"]["hidden_skipped"]
        elif data["kind"] == "check":
            self.checks.setdefault(data["payload"]["name"], data["payload"])  # a forked copy cannot overwrite
        elif data["kind"] == "exit":
            self.exit_code = data["payload"]


def _supervise(spec: RunSpec, output_path: str, limit: float) -> tuple[_Events, str, float]:
    """Run the process, collect its reports until it ends or the deadline; returns (events, ending, s).

    ``ending`` is "exited", "timeout" or "code:N" (N < 0: killed by signal -N).
    """
    ctx = _mp_context()
    events = _Events(secrets.token_bytes(32))
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_exercise_process, args=(spec, sender, events.secret, output_path), daemon=False)
    with _caller_script_hidden():
        process.start()
    start = time.monotonic()  # after start(): the fork server's first start (torch import) is not the student's time
    sender.close()
    os.set_blocking(receiver.fileno(), False)
    try:
        ending = _collect(events, receiver, process, deadline=start + limit)
        elapsed = time.monotonic() - start
    finally:  # also when the grader itself is interrupted: nothing of the exercise may outlive it
        exitcode = _stop(process, spec.cgroup)
        receiver.close()
    if ending != "timeout" and exitcode not in (0, None):
        ending = f"code:{exitcode}"
    return events, ending, elapsed


def _collect(events: _Events, receiver: Connection, process, deadline: float) -> str:
    """Take in the exercise's reports until it exits ("exited") or the deadline passes ("timeout")."""
    pipe_open = True
    while (remaining := deadline - time.monotonic()) > 0:
        ready = wait([receiver, process.sentinel] if pipe_open else [process.sentinel], timeout=remaining)
        if receiver in ready:
            pipe_open = events.read(receiver.fileno())
        if process.sentinel in ready:
            events.read(receiver.fileno())  # the last lines it wrote before it exited
            return "exited"
    return "timeout"


def _stop(process, cgroup: limits.Cgroup | None) -> int | None:
    """Kill what is left of the exercise (its process group, its cgroup); returns its exit code."""
    _kill_group(process.pid)
    if cgroup:
        cgroup.kill()
    wait([process.sentinel], limits.KILL_WAIT_S)
    # multiprocessing reads a child's exit code off a pipe without a lock, and Process.start() polls every
    # running child: threads grading in parallel (grade-all) must take turns, or one reads 255 for 0.
    with _start_lock:
        process.join(0)
        return process.exitcode


@contextlib.contextmanager
def _caller_script_hidden() -> Iterator[None]:
    """multiprocessing re-runs the caller's ``__main__`` script in each new process (harmless only behind
    ``if __name__ == "__main__":``); an exercise process needs nothing from it, so it is hidden meanwhile.

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


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        pass


def _read_output(path: str) -> str:
    """The head and tail of what the exercise printed, as plain text (no terminal escapes, no NULs)."""
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


def _describe_ending(ending: str, limit: float, memory_mb: int) -> tuple[str, str]:
    """(status, sentence) for an exercise process that did not finish normally."""
    if ending == "timeout":
        return TIMEOUT, _("timed out after {limit:g} s: look for an infinite loop or a much too slow loop "
                          "(the time limit is {limit:g} s)").format(limit=limit)
    if ending == "memory":
        return CRASHED, _("stopped: together its processes used more than {mb} MB of memory; is a tensor far "
                          "larger than it should be?").format(mb=memory_mb)
    code = int(ending.split(":")[1])
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if name == "SIGXCPU":
            return CRASHED, _("stopped: it used more CPU time than allowed").format()
        if name == "SIGXFSZ":
            return CRASHED, _("stopped: it printed more than {mb} MB of output").format(
                mb=limits.OUTPUT_FILE_LIMIT >> 20)
        return CRASHED, _("crashed: the exercise process was killed by {signal} (a segfault or a memory limit of "
                          "{mb} MB?)").format(signal=name, mb=memory_mb)
    return CRASHED, _("crashed with exit code {code}: does your code call exit(), sys.exit() or os._exit()?").format(
        code=code)


def _result(exercise: Exercise, events: _Events, ending: str, elapsed: float, output: str,
            limit: float, memory_mb: int, lang: str) -> ExerciseResult:
    title = exercise.title_in(lang)
    collected = events.collected
    if collected is None or events.collect_errors or not collected:
        detail = "; ".join(events.collect_errors) or _last_line(output)
        status, message = (_describe_ending(ending, limit, memory_mb) if ending != "exited" and collected is None
                           else (ERROR, _("the checks for this exercise could not be loaded (a problem in the "
                                          "course, not in your code): {detail}").format(detail=detail)))
        return ExerciseResult(id=exercise.id, title=title, score=0.0,
                              max_score=exercise.points or 0.0, status=status, message=message,
                              duration=round(elapsed, 3), output=output)
    total_weight = sum(c["weight"] for c in collected) or 1.0
    scale = (exercise.points / total_weight) if exercise.points is not None else 1.0
    stopped_status, stopped_message = (_describe_ending(ending, limit, memory_mb)
                                       if ending != "exited" else (None, ""))
    if stopped_status is None and any(c["name"] not in events.checks for c in collected):
        stopped_status, stopped_message = CRASHED, (
            _("the exercise process ended before reporting every check: does your code call os._exit()?")
            if events.exit_code is None else
            _("grading stopped before every check ran (pytest exit code {code}): does your code raise "
              "KeyboardInterrupt or change the grader? The output may say more.").format(code=events.exit_code))
    checks: list[CheckResult] = []
    first_missing = True
    earned = 0.0  # summed before rounding, so an exercise worth 12 totals 12, not 11.9996
    for spec in collected:
        max_score = round(spec["weight"] * scale, 4)
        done = events.checks.get(spec["name"])
        if done is None:
            note = stopped_message if first_missing else _("not run: the exercise stopped at an earlier check")
            first_missing = False
            checks.append(CheckResult(name=spec["name"], score=0.0, max_score=max_score, passed=False,
                                      message=note, hidden=spec["hidden"], details={"reason": "not_run"}))
            continue
        earned += spec["weight"] * scale * done["credit"]
        checks.append(CheckResult(
            name=done["name"], score=round(max_score * done["credit"], 4), max_score=max_score, passed=done["passed"],
            message=printable(done["message"]), duration=done["duration"], hidden=done["hidden"],
            details={**done["details"], "reason": done["reason"]}))
    status, message = _exercise_status(checks, stopped_status, stopped_message)
    warnings = [_("{n} forged result messages were ignored").format(n=events.forged)] if events.forged else []
    return ExerciseResult(id=exercise.id, title=title,
                          score=round(earned, 4), max_score=round(total_weight * scale, 4), status=status,
                          message=message,
                          checks=checks, duration=round(elapsed, 3), output=output, warnings=warnings,
                          hidden_not_run=events.hidden_skipped)


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
