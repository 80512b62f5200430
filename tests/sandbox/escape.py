"""A correct kernels.py that, at import, tries every way out of its sandbox and prints what happened.

The test that grades it fills in TARGETS (real paths and a port it knows) and reads the ESCAPE lines
of the output; whatever the attempts report, the test also checks their effects from outside.
"""
import glob
import os
import signal
import socket

TARGETS = {}  # filled in by tests/test_sandbox.py


def attempt(name, action):
    try:
        result = action()
    except BaseException as exc:  # noqa: BLE001 - every refusal is an answer
        print(f"ESCAPE {name}: blocked ({type(exc).__name__}: {str(exc)[:80]})", flush=True)
        return
    print(f"ESCAPE {name}: done {str(result)[:120]}", flush=True)


def spawn_through_fork_server():
    from multiprocessing import forkserver
    address = forkserver._forkserver._forkserver_address
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(address)
        return address


def write(path, text="owned"):
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path):
    with open(path) as f:
        return f.read(40)


def proc_snoop():
    lines = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        with open(cmdline, "rb") as f:
            lines.append(f.read().replace(b"\0", b" ").decode(errors="ignore"))
    found = [line for line in lines if TARGETS["course"] in line or "pytest" in line]
    if found:
        return found
    raise PermissionError(f"only {len(lines)} processes visible, none of the grader's")


def fill_disk():
    written = 0
    with open("/tmp/fill", "wb") as f:
        for _ in range(2048):
            f.write(b"\0" * (1 << 20))
            written += 1
    return f"{written} MB"


def network():
    with socket.create_connection(("127.0.0.1", TARGETS["port"]), timeout=2):
        return "connected"


def signal_grader():
    os.kill(TARGETS["grader_pid"], signal.SIGTERM)
    return "signalled"


attempt("fork_server", spawn_through_fork_server)
attempt("proc", proc_snoop)
attempt("output", lambda: write(TARGETS["output"]))
attempt("cache", lambda: write(TARGETS["cache"]))
attempt("other_student", lambda: read(TARGETS["other_student"]))
attempt("check_file", lambda: write(TARGETS["check_file"], "def test_everything():\n    pass\n"))
attempt("solution", lambda: read(TARGETS["solution"]))
attempt("disk", fill_disk)
attempt("network", network)
attempt("signal", signal_grader)
attempt("uid", lambda: os.getuid() if os.getuid() == 0 else (_ for _ in ()).throw(PermissionError(os.getuid())))
