"""The student process's sandbox, attacked from inside (tests/sandbox/escape.py) at the levels this
machine offers: ``namespaces`` here, and ``uid`` under a seccomp filter that denies mount rights.

Each attempt prints "ESCAPE <what>: blocked|done"; the tests also check the effects from outside
(files unchanged, no connection, no process left) and that an honest classmate keeps full marks.
"""
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import grader
from grader import runner

ROOT = Path(__file__).resolve().parents[1]
HONEST_SCORE = 10.0


def escapes(output: str) -> dict[str, str]:
    return {line.split()[1].rstrip(":"): line.split()[2] for line in output.splitlines()
            if line.startswith("ESCAPE ")}


class Listener:
    """A TCP server on loopback that counts the connections it gets (none may come from a sandbox)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port, self.connections, self.stop = self.sock.getsockname()[1], 0, threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def scene(tmp_path, course_copy):
    """A course copy, an output folder, a cache file, an honest classmate and an attacker who knows every path."""
    course_root = course_copy.parent
    out, subs = tmp_path / "out", tmp_path / "subs"
    out.mkdir()
    (out / "bob.json").write_text('{"score": 10}')
    cache = tmp_path / "cache.json"
    cache.write_text("{}")
    for student in ("alice", "bob"):
        (subs / student).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "kernels.py", subs / "bob" / "kernels.py")
    listener = Listener()
    targets = {"course": str(course_root), "output": str(out / "bob.json"), "cache": str(cache),
               "other_student": str(subs / "bob" / "kernels.py"),
               "check_file": str(course_root / "grader" / "checks" / "kernels.py"),
               "solution": str(course_root / "solutions" / "kernels.py"), "port": listener.port,
               "grader_pid": os.getpid()}
    attack = (ROOT / "tests" / "sandbox" / "escape.py").read_text().replace("TARGETS = {}", f"TARGETS = {targets!r}")
    (subs / "alice" / "kernels.py").write_text((ROOT / "solutions" / "kernels.py").read_text() + "\n\n" + attack)
    before = {p: Path(p).read_bytes() for p in (targets["output"], targets["cache"], targets["check_file"])}
    yield {"course": course_copy, "subs": subs, "targets": targets, "listener": listener, "before": before}
    listener.close()


@pytest.mark.skipif(runner.probe_sandbox() != "namespaces", reason="namespaces are not allowed on this machine")
def test_namespaces_level_stops_every_escape(scene):
    token = secrets.token_hex(8)
    attacker = grader.grade(scene["subs"] / "alice", course=scene["course"], exercises=["kernels"], lang="en",
                            env={"SANDBOX_TEST": token})
    ex = attacker.exercises[0]
    assert attacker.sandbox == ex.sandbox == "namespaces"
    found = escapes(ex.output)
    assert set(found) == {"fork_server", "proc", "output", "cache", "other_student", "check_file", "solution",
                          "disk", "network", "signal", "uid"}, ex.output
    assert set(found.values()) == {"blocked"}, ex.output
    assert ex.score == HONEST_SCORE  # its own correct code still counts
    for path, data in scene["before"].items():
        assert Path(path).read_bytes() == data, path
    assert scene["listener"].connections == 0
    honest = grader.grade(scene["subs"] / "bob", course=scene["course"], exercises=["kernels"], lang="en")
    assert honest.score == HONEST_SCORE, [c.message for c in honest.exercises[0].checks if not c.passed]
    from hostile import survivors  # noqa: PLC0415 - the hostile suite's /proc scan for leftovers

    assert survivors(token) == [] or pytest.fail("a process of the attacker outlived grading")


@pytest.mark.skipif(os.geteuid() != 0 or platform.machine() != "x86_64",
                    reason="denying mount rights with seccomp needs root and x86_64 syscall numbers")
def test_uid_level_when_mount_rights_are_denied(scene, tmp_path):
    """Docker's default profile: no mounts, no namespaces; the student process runs as its own uid."""
    for folder in (scene["subs"], scene["course"].parent, tmp_path / "out"):
        os.chmod(folder, 0o700)  # what a platform export does: the course and submissions are the grader's
    text = (scene["subs"] / "alice" / "kernels.py").read_text().replace('attempt("disk", fill_disk)\n', "")
    (scene["subs"] / "alice" / "kernels.py").write_text(text)  # /tmp is shared at this level: no fill
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"course": str(scene["course"]),
                                "submissions": {"attacker": str(scene["subs"] / "alice"),
                                                "honest": str(scene["subs"] / "bob")}}))
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "sandbox" / "denied.py"), str(spec)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["attacker"]["sandbox"] == out["honest"]["sandbox"] == "uid"
    found = escapes(out["attacker"]["output"])
    for attempt in ("fork_server", "output", "cache", "other_student", "check_file", "solution", "signal", "uid"):
        assert found.get(attempt) == "blocked", (attempt, out["attacker"]["output"])
    assert out["attacker"]["score"] == out["honest"]["score"] == HONEST_SCORE
    for path, data in scene["before"].items():
        assert Path(path).read_bytes() == data, path
    assert "namespaces is required" in out["required"]
