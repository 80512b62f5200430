"""What the checker/student split costs: one round trip to the student process, and entering the sandbox.

Prints medians over --calls calls of a student function returning
  - a number (the bare round trip),
  - a 4x4 tensor (what most checks exchange),
  - a 1,000 x 784 float tensor (a batch of held-out images' worth of data, 3 MB),
and, over --starts starts, the time from asking for a student process until its module is imported
and it answers, at each sandbox level this machine offers (none, namespaces), with the difference:
the per-exercise cost of the sandbox.
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from grader import limits, runner
from grader.runner import proxy

MODULE = "def number():\n    return 1.5\n\n\ndef small(x):\n    return x + 1\n\n\ndef echo(x):\n    return x\n"


def start(folder: Path, level: str):
    """(connection, seconds until the module answered) for a student process at ``level``."""
    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-student-"))
    spec = runner._student_spec("bench_module", workdir, folder, seed=0, threads=1, level=level,
                                process_limits=limits.Limits(memory_mb=None, cpu_seconds=None, max_tasks=512),
                                cgroup=None, hidden=(), device=None, env={})
    process, status, conn = runner._start_student(spec)
    reached = runner._read_level(status, process, deadline=time.monotonic() + 60)
    session = proxy.Session(conn)
    session.module.number()
    return process, session, reached, time.perf_counter() - began


def per_call(function, argument, calls: int) -> float:
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        function(*argument)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--starts", type=int, default=10)
    args = parser.parse_args()
    runner.start_server()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bench_module.py").write_text(MODULE)
        process, session, level, _seconds = start(folder, "none")
        module = session.module
        print(f"round trip (median of {args.calls} calls), sandbox {level}:")
        for label, function, argument in (("a number", module.number, ()),
                                          ("a 4x4 tensor", module.small, (torch.ones(4, 4),)),
                                          ("a 1000x784 tensor there and back", module.echo, (torch.ones(1000, 784),))):
            print(f"  {label:36s} {per_call(function, argument, args.calls) * 1e6:9.0f} us")
        session.conn.close()
        runner._kill(process, None)
        print(f"start of a student process until it answers (median of {args.starts}):")
        medians = {}
        for wanted in ("none", "namespaces"):
            times, reached = [], None
            for _ in range(args.starts):
                process, session, reached, seconds = start(folder, wanted)
                times.append(seconds)
                session.conn.close()
                runner._kill(process, None)
            medians[reached] = statistics.median(times)
            print(f"  asked {wanted:10s} reached {reached:10s} {medians[reached] * 1e3:7.1f} ms")
        if "namespaces" in medians and "none" in medians:
            print(f"  the sandbox costs {(medians['namespaces'] - medians['none']) * 1e3:.1f} ms per exercise")


if __name__ == "__main__":
    main()
