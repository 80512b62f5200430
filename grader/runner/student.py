"""The student process: imports the student's module inside the sandbox and answers the checker's requests.

It holds nothing of the course: no checks, no references, no held-out data, no result channel; it only
sees its own read-only copy of the submission (grader.runner.sandbox). The checker asks it to read an
attribute, call a function or method, iterate, enter a context, or run one of the queries below
(structure of a module, gradients, parameter counts, logits for a batch). Answers that are data cross
as data (grader.runner.wire); anything else stays here in ``_Agent.objects`` and crosses as a handle
number. A student exception crosses as its type, message and the student's file and line.
"""
from __future__ import annotations

import builtins
import importlib
import math
import os
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import limits
from grader.runner import sandbox, wire

MAX_LIST_ITEMS = 100_000
EVENTS_PER_SECOND = 10


@dataclass(frozen=True)
class StudentSpec:
    """What the student process needs; picklable (it crosses into the fork server)."""

    module: str
    seed: int
    threads: int
    limits: limits.Limits
    sandbox: sandbox.SandboxSpec
    output_path: str
    cgroup: limits.Cgroup | None = None
    env: dict[str, str] = field(default_factory=dict)


class ForbiddenCall(Exception):
    """Raised here when the student's code calls a library function the running check forbids."""


def main(spec: StudentSpec, conn, status) -> None:
    """Entry point (forked from the server): sandbox, limits, import the module, then serve until EOF."""
    os.setsid()
    if spec.cgroup:
        spec.cgroup.join()
    out = os.open(spec.output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    keep = {conn.fileno(), status.fileno()}
    level = sandbox.enter(spec.sandbox, keep_fds=keep)  # with a PID namespace, only the inner process returns
    spec.limits.apply()
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONSTARTUP"):
        os.environ.pop(name, None)
    os.environ.update(spec.env)
    status.send_bytes(level.encode())
    status.close()
    import torch

    if spec.threads > 0:
        torch.set_num_threads(spec.threads)
    _seed(spec.seed)
    agent = _Agent(conn, Path(spec.sandbox.visible_submission(level)))
    agent.import_module(spec.module)
    agent.serve()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _seed(seed: int) -> None:
    import numpy
    import torch

    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)


class _Agent:
    def __init__(self, conn, submission: Path):
        self.conn, self.submission = conn, submission
        self.objects: dict[int, Any] = {}
        self.next_id = 1
        self.guards: list[tuple[Any, str, Any]] = []
        self.losses = LossRecorder()
        self.last_event = 0.0

    # ------------------------------------------------------------------------------ wire
    def send(self, message: dict) -> None:
        try:
            frame = wire.encode(message, unknown=self.handle)
        except Exception as exc:  # noqa: BLE001 - a student's object may break anything while being read
            frame = wire.encode({"error": _describe_error(exc, self.submission, reading=True)},
                                unknown=lambda v: str(v))
        wire.write_frame(self.conn.fileno(), frame)

    def handle(self, obj: Any) -> dict:
        """Keep ``obj`` here and describe it as a handle: its number, its claimed classes, callable or not."""
        ident, self.next_id = self.next_id, self.next_id + 1
        self.objects[ident] = obj
        try:
            mro = [f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__][:24]
        except Exception:  # noqa: BLE001
            mro = ["builtins.object"]
        return {"R": [ident, [str(m) for m in mro], callable(obj)]}

    def resolve(self, tag: dict) -> Any:
        if "H" in tag:
            try:
                return self.objects[tag["H"]]
            except (KeyError, TypeError):
                raise wire.WireError("unknown handle") from None
        if "E" in tag:
            return self.emit
        raise wire.WireError("unexpected tag")

    def emit(self, *args: Any, **values: Any) -> None:
        """The progress callback handed to the student's train(): forwards at most 10 events a second."""
        now = time.monotonic()
        if now - self.last_event < 1 / EVENTS_PER_SECOND:
            return
        self.last_event = now
        payload = {str(k): v for k, v in values.items() if type(v) in (int, float, str, bool)}
        if args:
            payload["text"] = " ".join(str(a) for a in args)[:300]
        self.send({"event": payload})

    # ---------------------------------------------------------------------------- module
    def import_module(self, name: str) -> None:
        sys.path.insert(0, str(self.submission))
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            problem = self.submission / f"{exc.name}.problem"
            if exc.name and problem.is_file():
                failure = {"kind": "problem", "message": problem.read_text(encoding="utf-8")[:2000]}
            elif exc.name == name:
                failure = {"kind": "missing"}
            else:
                failure = {"kind": "missing_dependency", "name": str(exc.name)}
        except SyntaxError as exc:
            failure = {"kind": "syntax", "line": exc.lineno, "message": str(exc.msg)}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything at import
            failure = {"kind": "error", **_describe_error(exc, self.submission)}
        else:
            self.send({"ready": self.handle(module)})
            return
        self.send({"ready": None, "failure": failure})

    def serve(self) -> None:
        while True:
            try:
                frame = wire.read_frame(self.conn.fileno())
            except (EOFError, OSError):
                return
            request = wire.decode(frame, resolve=self.resolve, trusted=True)
            for ident in request.get("release", ()):
                self.objects.pop(ident, None)
            try:
                result = self.perform(request)
            except BaseException as exc:  # noqa: BLE001 - everything the student raises goes back as data
                self.send({"error": _describe_error(exc, self.submission)})
                continue
            self.send({"ok": result})

    def perform(self, r: dict) -> Any:
        op = r["op"]
        obj = r.get("target")
        if op == "getattr":
            return getattr(obj, r["name"])
        if op == "setattr":
            setattr(obj, r["name"], r["value"])
            return None
        if op == "call":
            function = getattr(obj, r["name"]) if r.get("name") else obj
            return function(*r.get("args", ()), **r.get("kwargs", {}))
        if op == "list":
            items = []
            for item in obj:
                items.append(item)
                if len(items) > MAX_LIST_ITEMS:
                    raise ValueError(f"more than {MAX_LIST_ITEMS} items")
            return items
        if op == "len":
            return len(obj)
        if op == "getitem":
            return obj[r["key"]]
        if op == "repr":
            return repr(obj)[:2000]
        if op == "enter":
            return obj.__enter__()
        if op == "exit":
            return obj.__exit__(None, None, None)
        if op == "seed":
            _seed(r["seed"])
            return None
        if op == "send":
            return r["value"]
        if op == "forbid":
            self.forbid(r["targets"])
            return None
        if op == "allow":
            self.allow()
            return None
        if op == "query":
            return QUERIES[r["name"]](self, *r.get("args", ()))
        raise ValueError(f"unknown request {op!r}")

    def forbid(self, targets: list[str]) -> None:
        for target in targets:
            owner_name, attr = target.rsplit(".", 1)
            owner = _resolve(owner_name)

            def refuse(*args, _target=target, **kwargs):
                raise ForbiddenCall(_target)

            self.guards.append((owner, attr, getattr(owner, attr)))
            setattr(owner, attr, refuse)

    def allow(self) -> None:
        while self.guards:
            owner, attr, original = self.guards.pop()
            setattr(owner, attr, original)


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def _describe_error(exc: BaseException, submission: Path, reading: bool = False) -> dict:
    """An exception as data: type, message, where in the student's files it was raised."""
    kind = type(exc)
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a student's exception whose __str__ fails
        message = f"<{kind.__name__}>"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _inside(f.filename, submission)]
    where = frames[-1] if frames else None
    notes = getattr(exc, "__notes__", None)
    return {"type": kind.__name__, "builtin": getattr(builtins, kind.__name__, None) is kind,
            "message": message[:4000], "file": Path(where.filename).name if where else None,
            "line": where.lineno if where else None, "function": where.name if where else None,
            "forbidden": message if isinstance(exc, ForbiddenCall) else None,
            "notes": [str(n)[:1000] for n in notes][:5] if isinstance(notes, list) else [],
            "reading": reading}


def _inside(filename: str, folder: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


# -------------------------------------------------------------------------------------- queries
def _modules(obj):
    import torch

    return list(obj.named_modules()) if isinstance(obj, torch.nn.Module) else []


ATTRS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "in_features",
         "out_features", "eps", "momentum", "affine", "track_running_stats", "num_features", "num_groups",
         "num_channels", "normalized_shape", "elementwise_affine", "inplace", "start_dim", "end_dim", "p")


def describe(agent: _Agent, obj) -> dict:
    """What a check may ask about an object's structure (layer types, hyper-parameters, shapes, mode)."""
    import torch

    is_module = isinstance(obj, torch.nn.Module)
    info: dict[str, Any] = {"type": type(obj).__name__,
                            "mro": [f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__],
                            "is_module": is_module, "training": bool(obj.training) if is_module else None,
                            "parameters": [], "buffers": [], "modules": []}
    if not is_module:
        return info
    info["parameters"] = [{"name": n, "shape": tuple(p.shape), "requires_grad": bool(p.requires_grad),
                           "dtype": str(p.dtype).removeprefix("torch.")} for n, p in obj.named_parameters()]
    info["buffers"] = [{"name": n, "shape": tuple(b.shape), "dtype": str(b.dtype).removeprefix("torch.")}
                       for n, b in obj.named_buffers()]
    for name, module in _modules(obj):
        attrs = {}
        for attr in ATTRS:
            value = module.__dict__.get(attr)
            if type(value) in (int, float, bool, str, tuple, list):
                attrs[attr] = tuple(value) if isinstance(value, list) else value
        info["modules"].append({"name": name, "type": type(module).__name__,
                                "mro": [f"{c.__module__}.{c.__qualname__}" for c in type(module).__mro__],
                                "leaf": not list(module.children()), "training": bool(module.training),
                                "own_params": [n for n, _p in module.named_parameters(recurse=False)],
                                "forward_hooks": len(module._forward_hooks),
                                "attrs": attrs})
    return info


def backward(agent: _Agent, obj, inputs, grad_output) -> tuple:
    """(output, gradients of the float inputs, gradients of the named parameters) of one backward pass;
    the gradients are None when the output is not a differentiable tensor of grad_output's shape."""
    import torch

    xs = [x.clone().requires_grad_(True) if isinstance(x, torch.Tensor) and x.is_floating_point() else x
          for x in inputs]
    params = dict(obj.named_parameters()) if isinstance(obj, torch.nn.Module) else {}
    for p in params.values():
        p.grad = None
    with torch.enable_grad():
        out = obj(*xs)
        if not isinstance(out, torch.Tensor) or not out.requires_grad or out.shape != grad_output.shape:
            return out.detach() if isinstance(out, torch.Tensor) else out, None, None
        (out * grad_output.to(out.dtype)).sum().backward()
    grads = {n: p.grad for n, p in params.items()}
    for p in params.values():
        p.grad = None  # the query leaves no trace in the module
    return out.detach(), [x.grad if isinstance(x, torch.Tensor) else None for x in xs], grads


def sgd_step(agent: _Agent, obj, x, target, lr: float):
    """One plain SGD step on cross-entropy (a check that watches a model train, e.g. with hooks on)."""
    import torch
    import torch.nn.functional as F

    with torch.enable_grad():
        out = obj(x)
        F.cross_entropy(out, target).backward()
    with torch.no_grad():
        for p in obj.parameters():
            if p.grad is not None:
                p -= lr * p.grad
                p.grad = None
    return out.detach()


def signature(agent: _Agent, obj) -> list[str] | None:
    """The parameter names of a callable (``**kwargs`` as "**"), or None when it has no signature."""
    import inspect

    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return None
    return ["**" if p.kind is p.VAR_KEYWORD else p.name for p in params]


def set_tensors(agent: _Agent, obj, values: dict) -> None:
    import torch

    with torch.no_grad():
        for name, value in values.items():
            target = obj
            for part in name.split("."):
                target = getattr(target, part)
            if not isinstance(target, torch.Tensor):
                raise AttributeError(f"`{name}` is not a tensor attribute")
            if target.numel() != value.numel():
                raise ValueError(f"`{name}` has shape {tuple(target.shape)}, expected {tuple(value.shape)}")
            target.copy_(value.reshape(target.shape))


def tensors(agent: _Agent, obj) -> dict:
    return {**dict(obj.named_parameters()), **dict(obj.named_buffers())}


def held_numel(agent: _Agent, obj) -> dict:
    """Numbers held by a model: parameters, buffers and every other tensor attribute (lists and dicts of
    tensors too), each storage counted once; a lookup table in a buffer counts like weights."""
    import torch

    seen: set[int] = set()
    counts = {"parameters": 0, "buffers": 0, "other": 0}

    def add(kind: str, t) -> None:
        if isinstance(t, torch.Tensor) and id(t) not in seen:
            seen.add(id(t))
            counts[kind] += t.numel()

    for p in obj.parameters():
        add("parameters", p)
    for b in obj.buffers():
        add("buffers", b)
    for module in obj.modules():
        for value in vars(module).values():
            items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                add("other", item)
    return counts


def leaf_outputs(agent: _Agent, obj, *inputs) -> list:
    """One forward pass; the output shape of every leaf module that has parameters of its own."""
    import torch

    seen: list[dict] = []
    hooks = []
    for name, module in _modules(obj):
        if not list(module.children()) and list(module.parameters(recurse=False)):
            def record(mod, inp, out, _name=name):
                seen.append({"name": _name, "type": type(mod).__name__,
                             "shape": tuple(out.shape) if isinstance(out, torch.Tensor) else None})
            hooks.append(module.register_forward_hook(record))
    try:
        with torch.no_grad():
            obj(*inputs)
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def evaluate(agent: _Agent, obj, x, device: str, batch: int) -> Any:
    """Logits of a model for ``x`` in eval mode without gradients (the held-out images; labels stay away)."""
    import torch

    obj.eval()
    outs = []
    with torch.no_grad():
        for start in range(0, len(x), batch):
            out = obj(x[start:start + batch].to(device))
            if not isinstance(out, torch.Tensor):
                return out
            outs.append(out.float().cpu())
    return torch.cat(outs) if outs else torch.empty(0)


def record_losses(agent: _Agent, on: bool) -> list | None:
    """Start or stop recording the loss the student's code computes (F.cross_entropy / F.nll_loss)."""
    if on:
        agent.losses.start()
        return None
    return agent.losses.stop()


class LossRecorder:
    """Wraps F.cross_entropy and F.nll_loss while train() runs, keeping each back-propagated scalar loss."""

    TARGETS = ("cross_entropy", "nll_loss")
    LIMIT = 200_000

    def __init__(self):
        self.values: list = []
        self.originals: dict = {}

    def start(self) -> None:
        import torch
        import torch.nn.functional as F

        self.values = []
        self.originals = {name: getattr(F, name) for name in self.TARGETS}

        def wrap(original):
            def recorded(*args, **kwargs):
                loss = original(*args, **kwargs)
                if (isinstance(loss, torch.Tensor) and loss.dim() == 0 and loss.requires_grad
                        and torch.is_grad_enabled() and len(self.values) < self.LIMIT):
                    self.values.append(loss.detach())
                return loss
            return recorded

        for name, original in self.originals.items():
            setattr(F, name, wrap(original))

    def stop(self) -> list[float]:
        import torch
        import torch.nn.functional as F

        for name, original in self.originals.items():
            setattr(F, name, original)
        self.originals = {}
        values = [float(v) for v in torch.stack([v.float().cpu() for v in self.values])] if self.values else []
        return [v if math.isfinite(v) else float("nan") for v in values]


def synchronize(agent: _Agent) -> None:
    import torch

    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


QUERIES = {"synchronize": synchronize, "describe": describe, "backward": backward, "sgd_step": sgd_step, "signature": signature, "set_tensors": set_tensors, "tensors": tensors,
           "held_numel": held_numel, "leaf_outputs": leaf_outputs, "evaluate": evaluate,
           "record_losses": record_losses}

