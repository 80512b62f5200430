"""The checker process: pytest, the check files, torch references and held-out data, and the result channel.

Trusted code only runs here. The student's module lives in the student process and is reached through
the ``student`` fixture's proxy (grader.runner.proxy); what comes back is data. Each check's start and
result go to the grader as JSON frames on a pipe that only this process holds, so no student code can
write a result. When the student process ends mid-check, this process ends at once with
:data:`STUDENT_GONE` and the grader, which saw how the student process ended, words the running check.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from grader import limits

STUDENT_GONE = 86   # exit code: the student process ended while a check needed it


@dataclass(frozen=True)
class CheckerSpec:
    exercise_id: str
    module: str
    check_files: tuple[str, ...]
    hidden_files: tuple[str, ...]
    submission_dir: str           # the private copy, read by the checker as text only (static scans)
    workdir: str
    seed: int
    lang: str
    device: str | None
    settings_json: str
    threads: int
    skip_hidden: bool
    output_path: str
    student_cpu: limits.CpuMeter
    memory_limit_mb: int
    env: dict[str, str] = field(default_factory=dict)

    def pytest_args(self) -> list[str]:
        # no:unraisableexception/no:threadexception: they only warn about errors in __del__ and in threads,
        # and cost full gc.collect() passes at exit (~0.1 s of every exercise with torch loaded).
        args = [*self.check_files, "-p", "grader.plugin", "-p", "_hypothesis_pytestplugin", "-p", "no:cacheprovider",
                "-p", "no:terminal", "-p", "no:unraisableexception", "-p", "no:threadexception",
                "--noconftest", "--import-mode=importlib", "-s", "-c", str(Path(self.workdir) / "pytest.ini"),
                "--rootdir", self.workdir, "-W", "ignore::pytest.PytestAssertRewriteWarning",
                "--submission", self.submission_dir, "--student-module", self.module,
                "--exercise-id", self.exercise_id, "--grading-seed", str(self.seed), "--lang", self.lang,
                "--exercise-settings", self.settings_json, "--memory-limit-mb", str(self.memory_limit_mb)]
        for hidden in self.hidden_files:
            args += ["--hidden-checks", hidden]
        if self.device:
            args += ["--grading-device", self.device]
        if self.skip_hidden:
            args.append("--skip-hidden")
        return args + ["--torch-threads", str(self.threads)]


class Reporter:
    """pytest plugin of the checker process: streams collected checks, starts, results, progress."""

    def __init__(self, conn):
        self.conn = conn

    def send(self, kind: str, payload) -> None:
        self.conn.send_bytes(json.dumps({"kind": kind, "payload": payload}, default=str).encode())

    def pytest_grader_collected(self, checks, errors, hidden_skipped):
        self.send("collected", {"checks": checks, "errors": errors, "hidden_skipped": hidden_skipped})

    def pytest_grader_check_started(self, name):
        self.send("started", name)

    def pytest_grader_check_done(self, check):
        self.send("check", check)

    def pytest_grader_progress(self, name, event):
        self.send("progress", {"check": name, **event})


def main(spec: CheckerSpec, student_conn, results) -> None:
    """Entry point (forked from the server)."""
    os.setsid()
    out = os.open(spec.output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(name, None)
    os.environ.update(spec.env)
    warnings.resetwarnings()  # the grader's -W error must not turn a check's harmless warning into a failure
    os.chdir(spec.workdir)
    import pytest

    from grader.runner import proxy

    proxy.connect_later(student_conn, spec.student_cpu)
    reporter = Reporter(results)
    code = pytest.main(spec.pytest_args(), plugins=[reporter])
    reporter.send("exit", int(code))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
