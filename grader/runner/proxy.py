"""The checker's side of the student process: a module proxy and handles that look like what they stand for.

``student.apply_kernel(im, 2, 3, k)`` sends the arguments over, calls the function in the student
process and brings the result back as data (grader.runner.wire): a plain tensor, a number, a tuple.
An object that is not data (an ``nn.Module``, a scheduler, a generator) comes back as a :class:`Handle`
that can be called, asked for attributes and methods, iterated, indexed and used as a context manager,
each answer again data or a handle; what it claims to be (its classes) is in :meth:`Handle.claims`.
Objects the checker makes (a reference module, an optimizer) go over as pickles with :func:`send`.
A student exception is raised here again as the same built-in type (``ValueError`` stays catchable),
carrying ``.student`` = {type, file, line, function}; nothing the student sent is ever executed here.
"""
from __future__ import annotations

import atexit
import builtins
import pickle
import weakref
from typing import Any, Callable

from grader.runner import wire

PROGRESS = object()  # an argument that arrives in the student process as a progress callback


class StudentGone(BaseException):
    """The student process ended (crash, exit, limit): the grader reports how; no check may go on."""


class StudentRaised(Exception):
    """A student exception whose type is not a built-in one (its type name is in ``.student``)."""


class ForbiddenRaised(Exception):
    """The student's code called a function the running check forbids (``.target``)."""

    def __init__(self, target: str):
        super().__init__(target)
        self.target = target


class Unreadable(Exception):
    """What the student's code returned cannot cross as data (e.g. a sparse tensor)."""


class Session:
    """One connection to one student process: requests, answers, events, handle bookkeeping."""

    cpu = None                       # limits.CpuMeter of the student's process tree
    source_path: str | None = None   # the student's module in its private copy, read as text (static scans)
    broken: str | None = None        # why the channel can no longer be read (junk on it)

    def __init__(self, conn):
        """Connect to a student process: its first message says whether the module imported."""
        self.conn, self.released, self.on_event = conn, [], None
        try:
            ready = self._receive()
        except Unreadable as exc:
            ready = {"ready": None, "failure": {"kind": "unreadable", "message": str(exc)}}
        self.import_failure: dict | None = ready.get("failure")
        self.module = Handle(self, ready["ready"]) if ready.get("ready") is not None else None

    def request(self, op: str, target: Any = None, **fields: Any) -> Any:
        message = {"op": op, "target": target, **fields}
        if self.released:
            message["release"], self.released = self.released, []
        if self.broken:
            raise Unreadable(self.broken)
        try:
            wire.write_frame(self.conn.fileno(), wire.encode(message, unknown=_pickle_for_student, keep_layout=True))
        except (OSError, EOFError):
            raise StudentGone() from None
        while True:
            reply = self._receive()
            if "event" in reply:
                if self.on_event is not None:
                    self.on_event(reply["event"])
                continue
            if "error" in reply:
                raise rebuild(reply["error"])
            return reply.get("ok")

    def _receive(self) -> dict:
        try:
            frame = wire.read_frame(self.conn.fileno(), limit=wire.MAX_FRAME_BYTES, stall=wire.STALL_S)
            reply = wire.decode(frame, resolve=lambda tag: Handle(self, tag))
        except (OSError, EOFError):
            raise StudentGone() from None
        except wire.WireError as exc:
            self.broken = str(exc)  # the stream is out of step: every later request fails the same way
            raise Unreadable(self.broken) from None
        if type(reply) is not dict:
            raise Unreadable("not a reply")
        return reply

    def query(self, name: str, *args: Any) -> Any:
        return self.request("query", name=name, args=list(args))


def _pickle_for_student(obj: Any) -> Any:
    if obj is PROGRESS:
        return {"E": 1}
    if isinstance(obj, Handle):
        return {"H": object.__getattribute__(obj, "_id")}
    return pickle.dumps(obj)


def rebuild(error: dict) -> BaseException:
    """The student's exception, raised again here as data: same built-in type, message, where."""
    from grader.plugin import StudentExit

    where = {k: error.get(k) for k in ("type", "file", "line", "function")}
    if error.get("forbidden"):
        return ForbiddenRaised(str(error["forbidden"]))
    if error.get("reading"):
        exc: BaseException = Unreadable(str(error.get("message", "")))
    elif error.get("type") in ("SystemExit", "KeyboardInterrupt"):
        exc = StudentExit(error["type"])
        exc.kind = error["type"]
        exc.arg = str(error.get("message", ""))
    else:
        kind = getattr(builtins, str(error.get("type")), None)
        if error.get("builtin") and isinstance(kind, type) and issubclass(kind, Exception) \
                and not issubclass(kind, (StopIteration, StopAsyncIteration)):
            try:
                exc = kind(str(error.get("message", "")))
            except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs five arguments
                exc = StudentRaised(str(error.get("message", "")))
        else:
            exc = StudentRaised(str(error.get("message", "")))
    exc.student = where
    for note in error.get("notes") or []:
        exc.add_note(str(note))
    return exc


class Handle:
    """An object that lives in the student process (see the module docstring)."""

    __slots__ = ("_session", "_id", "_mro", "_callable", "__weakref__")

    def __init__(self, session: Session, tag: dict):
        body = tag.get("R")
        if type(body) is not list or len(body) != 3 or type(body[0]) is not int:
            raise wire.WireError("bad handle")
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_id", body[0])
        object.__setattr__(self, "_mro", tuple(str(m) for m in body[1])[:24] if type(body[1]) is list else ())
        object.__setattr__(self, "_callable", bool(body[2]))
        weakref.finalize(self, session.released.append, body[0])

    def _ask(self, op: str, **fields: Any) -> Any:
        return object.__getattribute__(self, "_session").request(op, target=self, **fields)

    def claims(self, qualified_class: str) -> bool:
        """Whether the object says it is an instance of ``qualified_class`` (e.g. ``torch.nn.Module``)."""
        return qualified_class in object.__getattribute__(self, "_mro") or (
            qualified_class == "torch.nn.Module" and "torch.nn.modules.module.Module" in self._mro)

    @property
    def callable(self) -> bool:
        """Whether the object says it can be called (a function, a class, a module)."""
        return object.__getattribute__(self, "_callable")

    @property
    def type_name(self) -> str:
        mro = object.__getattribute__(self, "_mro")
        return mro[0].rsplit(".", 1)[-1] if mro else "object"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", name=name, value=value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ask("call", args=list(args), kwargs=kwargs)

    def call_method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``obj.name(*args)`` in one round trip."""
        return self._ask("call", name=name, args=list(args), kwargs=kwargs)

    def __iter__(self):
        return iter(self._ask("list"))

    def __len__(self) -> int:
        n = self._ask("len")
        if type(n) is not int or n < 0:
            raise TypeError("len() of a student object did not return a count")
        return n

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key=key)

    def __enter__(self) -> Any:
        return self._ask("enter")

    def __exit__(self, *exc_info: Any) -> None:
        self._ask("exit")

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def remote_repr(self) -> str:
        text = self._ask("repr")
        return text if type(text) is str else repr(self)


def type_name(value: Any) -> str:
    """The type of a value for messages: a handle's claimed class, else the value's own type."""
    return value.type_name if isinstance(value, Handle) else type(value).__name__


def is_module(value: Any) -> bool:
    """A student's module (by what it claims) or one of the checker's own."""
    if isinstance(value, Handle):
        return value.claims("torch.nn.modules.module.Module")
    import torch

    return isinstance(value, torch.nn.Module)


_pending: tuple | None = None
_session: Session | None = None
_local: dict[str, Session] = {}


def connect_later(conn, cpu) -> None:
    """The checker's connection to its student process, opened when a check first needs the student."""
    global _pending
    _pending = (conn, cpu)


def current(submission: str | None = None, module: str | None = None, seed: int = 0, threads: int = 1) -> Session:
    """The session of this checker (one student process); under bare pytest, one student process per
    module, started on first use."""
    global _session, _pending
    if _pending is not None:
        if _session is None:
            conn, cpu = _pending
            _session = _connect(conn, cpu, submission, module)
        return _session
    if _session is not None and (module is None or _session is _local.get(module)):
        return _session
    if module not in _local:
        from grader.runner import local_student

        conn, cpu = local_student(submission, module, seed, threads)
        atexit.register(conn.close)  # before multiprocessing joins its children at exit: the student sees EOF
        _local[module] = _connect(conn, cpu, submission, module)
    _session = _local[module]
    return _session


def _connect(conn, cpu, submission, module) -> Session:
    session = Session(conn)
    session.cpu = cpu
    session.source_path = f"{submission}/{module}.py" if submission and module else None
    return session


def send(obj: Any) -> Any:
    """A copy of ``obj`` (made by the checker: a reference module, an optimizer) in the student process,
    as a handle the student's code can be given and the checker can read back."""
    return current().request("send", value=obj)


def active() -> Session | None:
    """The session if a check already opened it (seeding, forbid guards), else None."""
    return _session
