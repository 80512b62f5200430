"""The student process's sandbox: what it can see, reach and signal, at the best level this machine allows.

Levels, tried in this order and recorded in every result:

* ``namespaces`` (root with mount rights, or any user where user namespaces are allowed): new mount,
  network, PID, IPC and UTS namespaces, as isolate and nsjail do. The process sees a new root built in
  a tmpfs: the system folders, Python and the installed packages bound read-only, its own submission
  copy read-only at ``/submission``, a private size-capped ``/tmp``, a few device nodes and its own
  ``/proc``. Not the course folder, the grader package, check files, data, the output folder, other
  students or the fork server's socket (paths in ``SandboxSpec.hidden`` are covered even where they lie
  inside a bound folder). No network (only a loopback that is down). It is PID 1 of its namespace, so
  every process it starts dies with it. Then it drops to an unprivileged uid (or, in a user namespace,
  drops every capability) with ``no_new_privs``.
* ``uid`` (root without mount rights, e.g. Docker's default seccomp profile): drop to a uid/gid of its
  own with no supplementary groups; the grader makes its own files readable by itself only and the
  student's copy readable by that gid only. The course's file modes are the platform's to set.
* ``none``: nothing beyond rlimits and the cgroup; the grader says so once per run.

Everything here runs before any student code, in a process forked from the server (single-threaded).
"""
from __future__ import annotations

import ctypes
import os
import platform
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("namespaces", "uid", "none")
SUBMISSION_MOUNT = "/submission"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom")
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 1, 38, 24
SYSCALLS = {"x86_64": {"pivot_root": 155, "capset": 126}, "aarch64": {"pivot_root": 41, "capset": 91}}
_libc = ctypes.CDLL(None, use_errno=True)  # loaded in the server, so a forked child never runs dlopen


class SandboxUnavailable(RuntimeError):
    """The machine refuses this level (no permission for namespaces or mounts)."""


@dataclass(frozen=True)
class SandboxSpec:
    level: str                 # the highest level to try: "namespaces", "uid" or "none"
    submission: str            # the student's private copy (real path)
    root: str                  # an empty folder of the grader's, where the new root is mounted
    hidden: tuple[str, ...]    # paths the student must not see even where they lie inside a bound folder
    uid: int
    gid: int
    tmp_mb: int = 128
    devices: tuple[str, ...] = ()  # extra device nodes, e.g. /dev/nvidia0 for a CUDA run

    def visible_submission(self, level: str) -> str:
        return SUBMISSION_MOUNT if level == "namespaces" else self.submission


def rank(level: str) -> int:
    """namespaces 2 > uid 1 > none 0, for --require-sandbox."""
    return len(LEVELS) - 1 - LEVELS.index(level)


def enter(spec: SandboxSpec, keep_fds: set[int]) -> str:
    """Enter the best level up to ``spec.level``; returns the level reached (in the process that goes on)."""
    if spec.level == "namespaces":
        try:
            _namespaces(spec, keep_fds)
            return "namespaces"
        except SandboxUnavailable:
            pass
    if spec.level in ("namespaces", "uid") and os.geteuid() == 0:
        _drop_to(spec.uid, spec.gid)
        os.environ.update(TMPDIR=str(Path(spec.root).parent / "tmp"), HOME=str(Path(spec.root).parent / "tmp"))
        return "uid"
    _no_new_privs()
    return "none"


def _call(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise SandboxUnavailable(f"{what}: {os.strerror(code)}")


def _namespaces(spec: SandboxSpec, keep_fds: set[int]) -> None:
    root_user = os.geteuid() == 0
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    _call(_libc.unshare(flags | (0 if root_user else CLONE_NEWUSER)), "unshare")
    if not root_user:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    child = os.fork()
    if child:
        _relay(child, keep_fds)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    try:
        _build_root(spec)
    except OSError as exc:  # mounts refused although unshare worked: fall back, still in the new namespaces
        raise SandboxUnavailable(str(exc)) from None
    _libc.sethostname(b"sandbox", 7)
    if root_user:
        _drop_to(spec.uid, spec.gid)
    else:
        _drop_capabilities()
    os.environ.update(TMPDIR="/tmp", HOME="/tmp")
    os.chdir("/tmp")
    sys.path[:] = [p for p in sys.path if p and os.path.isdir(p)]


def _relay(child: int, keep_fds: set[int]) -> None:
    """The process left outside the PID namespace: waits for the student process and dies as it died."""
    for fd in keep_fds:
        os.close(fd)
    while True:
        try:
            _pid, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _call(_libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                      ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


def _bind(source: str, root: str, *, writable: bool = False) -> None:
    """Bind ``source`` at the same path inside ``root`` (read-only unless asked); links stay links."""
    target = root + source
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()
    _mount(source, target, None, MS_BIND)  # not MS_REC: mounts below (cgroupfs under /sys) stay out
    if not writable:
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _build_root(spec: SandboxSpec) -> None:
    root = spec.root
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    # the private /tmp first: a Python or a venv that lives under /tmp (a CI clone) is bound inside it
    os.makedirs(root + "/tmp", exist_ok=True)
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec.tmp_mb}m,mode=1777")
    bound = [folder for folder in SYSTEM_DIRS if os.path.lexists(folder)] + python_dirs()
    for folder in bound:
        if not os.path.exists(root + folder):
            _bind(folder, root)
    dev = root + "/dev"
    os.makedirs(dev, exist_ok=True)
    for name in DEVICES:
        _bind(f"/dev/{name}", root, writable=True)
    for device in spec.devices:
        if os.path.exists(device):
            _bind(device, root, writable=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")
    os.makedirs(dev + "/shm", exist_ok=True)
    _mount("tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec.tmp_mb}m,mode=1777")
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + SUBMISSION_MOUNT, exist_ok=True)
    _mount(spec.submission, root + SUBMISSION_MOUNT, None, MS_BIND)
    _mount(None, root + SUBMISSION_MOUNT, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for path in spec.hidden:  # a hidden path inside a bound folder (a course installed in site-packages)
        if not any(path.startswith(folder.rstrip("/") + "/") for folder in bound):
            continue
        inside = root + path
        if os.path.isdir(inside) and not os.path.islink(inside):
            _mount("tmpfs", inside, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
        elif os.path.isfile(inside):
            _mount("/dev/null", inside, None, MS_BIND)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    os.chdir(root)
    _call(_libc.syscall(_syscall("pivot_root"), b".", b"."), "pivot_root")
    _call(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def python_dirs() -> list[str]:
    """The interpreter's prefixes and the site-packages folders on sys.path, outermost only: what student
    code needs to import torch and friends. Not other sys.path entries (the grader's working folder, an
    editable course checkout); a hidden path inside a bound folder is covered by an empty mount instead."""
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    packages = {os.path.realpath(p) for p in sys.path
                if p and os.path.isdir(p) and os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")}
    keep = prefixes | packages
    return sorted(f for f in keep if not any(f != o and f.startswith(o.rstrip("/") + "/") for o in keep))


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _drop_to(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _no_new_privs()


def _drop_capabilities() -> None:
    """uid 0 of a user namespace keeps no capability (no umount of the covering mounts, no new mounts)."""
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _call(_libc.syscall(_syscall("capset"), header, data), "capset")
    _no_new_privs()


def _no_new_privs() -> None:
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _syscall(name: str) -> int:
    return SYSCALLS.get(platform.machine(), SYSCALLS["x86_64"])[name]
