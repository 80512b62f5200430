"""Resource limits for an exercise process and every process it starts.

rlimits bind one process each: the exercise process sets them on itself before any student code runs
(address space, CPU time, file size, no core dumps) and its children inherit them. They cannot stop a
fork bomb run as root (root ignores RLIMIT_NPROC), nor bound the memory of a whole tree of processes,
nor reach a child that left the process group. So where the machine allows it, each exercise also
gets its own cgroup, nested in the grader's: ``pids.max`` stops a fork bomb, the memory limit bounds the
tree, and the grader kills every process in it at the end. Where no cgroup can be made (no permission,
not Linux), a grader that is not root still gets RLIMIT_NPROC on Linux, and the process-group kill remains.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
MAX_TASKS = 512                 # processes and threads of one exercise: DataLoader workers fit, a fork bomb does not
OUTPUT_FILE_LIMIT = 256 << 20   # RLIMIT_FSIZE: an endless print loop cannot fill the disk
KILL_WAIT_S = 5.0


@dataclass(frozen=True)
class Limits:
    memory_mb: int | None      # address space of each process, and memory of the whole tree where a cgroup exists
    cpu_seconds: float | None
    max_tasks: int             # processes and threads of the whole tree

    def apply(self) -> None:
        """Set the rlimits on the calling process: the exercise process, before it imports student code."""
        try:
            import resource
        except ImportError:  # not on this platform: the wall-clock limit still applies
            return
        if self.memory_mb:
            _lower(resource.RLIMIT_AS, self.memory_mb << 20)
        if self.cpu_seconds:
            soft = int(self.cpu_seconds) + 1
            _lower(resource.RLIMIT_CPU, soft, soft + 5)  # SIGXCPU first (reported), SIGKILL 5 s later
        _lower(resource.RLIMIT_FSIZE, OUTPUT_FILE_LIMIT)
        _lower(resource.RLIMIT_CORE, 0)
        if _nproc_binds():  # RLIMIT_NPROC counts all the user's tasks, so: those running now plus ours
            _lower(resource.RLIMIT_NPROC, _tasks_of_user(os.getuid()) + self.max_tasks)


def fork_bombs_stopped() -> bool:
    """Whether an exercise's processes are limited here (a cgroup can be made, or RLIMIT_NPROC binds)."""
    with cgroup(Limits(memory_mb=None, cpu_seconds=None, max_tasks=MAX_TASKS)) as group:
        return group is not None or _nproc_binds()


def _nproc_binds() -> bool:
    """RLIMIT_NPROC binds everyone but root; counting a user's tasks needs /proc."""
    return hasattr(os, "geteuid") and os.geteuid() != 0 and Path("/proc").is_dir()


def _lower(kind: int, soft: int, hard: int | None = None) -> None:
    """Set an rlimit, never above the hard limit already in place (a container may have set one)."""
    import resource

    _soft, current_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def _tasks_of_user(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


@dataclass(frozen=True)
class Cgroup:
    """One exercise's cgroup: a directory on cgroup v2, one per controller (pids, memory) on v1."""

    dirs: tuple[str, ...]

    def join(self) -> None:
        """Move the calling process in: the exercise process, first thing, so that all it starts is inside."""
        for folder in self.dirs:
            with contextlib.suppress(OSError):
                Path(folder, "cgroup.procs").write_text(str(os.getpid()))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.dirs:
            with contextlib.suppress(OSError):
                found.update(int(pid) for pid in Path(folder, "cgroup.procs").read_text().split())
        return found

    def kill(self) -> None:
        """SIGKILL every process inside until none is left (pids.max keeps a fork bomb from outrunning it)."""
        deadline = time.monotonic() + KILL_WAIT_S
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def oom_killed(self) -> bool:
        """True when the kernel killed a process inside for using more memory than the limit."""
        for folder in self.dirs:
            for name in ("memory.events", "memory.oom_control"):  # v2, v1: both have a line "oom_kill N"
                with contextlib.suppress(OSError, ValueError):
                    counts = dict(line.split() for line in Path(folder, name).read_text().splitlines())
                    if int(counts.get("oom_kill", 0)):
                        return True
        return False

    def cpu_meter(self, session: int | None = None) -> "CpuMeter":
        files = [str(Path(d, name)) for d in self.dirs for name in ("cpu.stat", "cpuacct.usage")
                 if Path(d, name).exists()]
        return CpuMeter(tuple(files[:1]), session)

    def remove(self) -> None:
        deadline = time.monotonic() + KILL_WAIT_S
        for folder in self.dirs:
            while True:
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy until the last killed process has exited
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)


@dataclass(frozen=True)
class CpuMeter:
    """CPU seconds used by the student's whole process tree: what budgets count, whatever the machine's load.

    From the tree's cgroup (``cpu.stat`` on v2, ``cpuacct.usage`` on v1) where there is one, else from
    /proc: every process of the student's session, with the children it has reaped.
    """

    files: tuple[str, ...]
    session: int | None = None

    def seconds(self) -> float:
        for file in self.files:
            with contextlib.suppress(OSError, ValueError):
                text = Path(file).read_text()
                if file.endswith("cpu.stat"):
                    return int(dict(line.split() for line in text.splitlines())["usage_usec"]) / 1e6
                return int(text) / 1e9
        return _session_cpu(self.session) if self.session else 0.0


def _session_cpu(session: int) -> float:
    ticks = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == session:  # fields after the name: state ppid pgrp session ...
                    ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def cgroup(limits: Limits) -> Iterator[Cgroup | None]:
    """A fresh cgroup with ``limits`` for one exercise (None where none can be made); at the end every
    process left in it is killed and it is removed."""
    made: list[str] = []
    try:
        for folder, settings in _plan(limits, f"convgrade-{os.getpid()}-{secrets.token_hex(4)}"):
            folder.mkdir()
            made.append(str(folder))
            for name, value in settings:
                if (folder / name).exists():  # memsw/swap files exist only where swap is accounted
                    (folder / name).write_text(value)
    except OSError:  # no permission, no such controller: rlimits and the process group only
        Cgroup(tuple(made)).remove()
        made = []
    group = Cgroup(tuple(made)) if made else None
    try:
        yield group
    finally:
        if group is not None:
            group.kill()
            group.remove()


def _plan(limits: Limits, name: str) -> list[tuple[Path, list[tuple[str, str]]]]:
    """(directory to create, [(file, value)]) for each hierarchy that can hold this exercise's cgroup."""
    own = _own_cgroups()
    memory = str(limits.memory_mb << 20) if limits.memory_mb else None
    if (CGROUP_ROOT / "cgroup.controllers").exists() and "" in own:  # cgroup v2
        parent = CGROUP_ROOT / own[""].lstrip("/")
        delegated = (parent / "cgroup.subtree_control").read_text().split()
        settings = [("pids.max", str(limits.max_tasks))] if "pids" in delegated else []
        if memory and "memory" in delegated:
            settings += [("memory.max", memory), ("memory.swap.max", "0")]
        return [(parent / name, settings)]  # cpu.stat counts CPU time in every v2 cgroup
    plan = [("pids", [("pids.max", str(limits.max_tasks))]), ("cpuacct", [])]  # v1: a hierarchy per controller
    if memory:
        plan.append(("memory", [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)]))
    return [(CGROUP_ROOT / controller / own[controller].lstrip("/") / name, settings)
            for controller, settings in plan if controller in own and (CGROUP_ROOT / controller).is_dir()]


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path, from /proc/self/cgroup ('' for the v2 hierarchy)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return {}
    paths = {}
    for line in lines:
        _number, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            paths[controller] = path
    return paths
