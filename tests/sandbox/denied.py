"""Grade with mount and namespace rights denied, as under Docker's default seccomp profile.

Run as ``python denied.py SPEC.json``: installs a seccomp filter that makes unshare, mount, umount2 and
pivot_root fail with EPERM for this process and all it starts (the fork server included), then grades
each submission in the spec and prints the results as JSON. x86_64 only (the syscall numbers).
"""
import ctypes
import json
import struct
import sys

DENIED = {"unshare": 272, "mount": 165, "umount2": 166, "pivot_root": 155}
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, EPERM = 0x7FFF0000, 0x00050000, 1
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def deny_mount_rights() -> None:
    numbers = list(DENIED.values())
    program = [struct.pack("HBBI", BPF_LD_W_ABS, 0, 0, 0)]  # seccomp_data.nr
    for i, number in enumerate(numbers):
        program.append(struct.pack("HBBI", BPF_JEQ_K, len(numbers) - i, 0, number))
    program.append(struct.pack("HBBI", BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    program.append(struct.pack("HBBI", BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM))
    code = b"".join(program)
    libc = ctypes.CDLL(None, use_errno=True)
    fprog = SockFprog(len(program), code)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) or libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
                                                                  ctypes.byref(fprog), 0, 0):
        raise OSError(ctypes.get_errno(), "seccomp")


if __name__ == "__main__":
    spec = json.loads(open(sys.argv[1]).read())
    deny_mount_rights()
    import grader
    from grader.grading import ConfigurationError

    out = {}
    for name, path in spec["submissions"].items():
        result = grader.grade(path, course=spec["course"], exercises=["kernels"], lang="en")
        ex = result.exercises[0]
        out[name] = {"sandbox": result.sandbox, "score": ex.score, "max": ex.max_score, "output": ex.output,
                     "status": ex.status}
    try:
        grader.grade(spec["submissions"]["honest"], course=spec["course"], exercises=["kernels"],
                     require_sandbox="namespaces")
        out["required"] = "graded"
    except ConfigurationError as exc:
        out["required"] = str(exc)
    print(json.dumps(out))
