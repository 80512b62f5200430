"""What crosses between the checker and the student process: data only, in frames a reader can bound.

A message is one frame: a magic word and a length, then a JSON header and the raw bytes of the tensors
it carries. The checker reads a frame with a size cap and a stall limit, so junk written onto the
socket (or a length that never arrives) is a clear error instead of a grader waiting forever. Values are JSON (never pickle) with a few tags, rebuilt on arrival into
``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``tuple``, ``dict`` and plain ``torch.Tensor``
(from dtype, shape and bytes: never a subclass), under caps on depth, items and bytes. Anything else
stays where it lives and crosses as a handle (a number and the classes the object claims). Only the trusted checker may send a pickle (an object it made, tagged ``P``); only the student
process ever unpickles one, so nothing the student sends is ever executed by the checker.
"""
from __future__ import annotations

import json
import os
import pickle
import select
import struct
from functools import lru_cache
from typing import Any, Callable

MAX_FRAME_BYTES = 1 << 30      # one message read by the checker: data, never more than this
MAX_HEADER_BYTES = 32 << 20    # the JSON part
MAX_DEPTH = 24
MAX_ITEMS = 1_000_000          # values in one message
MAX_DIMS = 12
_LENGTH = struct.Struct(">I")
_FRAME = struct.Struct(">4sQ")
MAGIC = b"CGw1"
STALL_S = 10.0                 # once a frame has begun, its next bytes must come within this
DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128", "uint8", "int8", "int16",
               "int32", "int64", "bool")


@lru_cache(maxsize=1)
def dtypes() -> dict:
    """name -> torch dtype; torch is imported on first use, so the grader's own process never needs it."""
    import torch

    return {name: getattr(torch, name) for name in DTYPE_NAMES}


class WireError(ValueError):
    """A message that is not well-formed data (too deep, too big, an unknown tag, bytes that do not fit)."""


def encode(value: Any, *, unknown: Callable[[Any], Any], keep_layout: bool = False) -> bytes:
    """One frame for ``value``; ``unknown(obj)`` turns anything that is not data into a tagged value
    (the student process makes a handle, the checker a pickle). ``keep_layout`` (the checker's side) sends
    a non-contiguous tensor through ``unknown`` too, so the student's code gets the same strides (a check
    may test that a transposed input is handled)."""
    import torch

    buffers: list[bytes] = []

    def tree(v: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            return v if -(1 << 63) <= v < (1 << 63) else {"I": str(v)}
        if t is float:
            return v if v == v and v not in (float("inf"), float("-inf")) else {"F": repr(v)}
        if isinstance(v, torch.Tensor) and not (keep_layout and not v.is_contiguous()):
            return {"X": _tensor_bytes(v, buffers)}
        if isinstance(v, tuple):  # torch.Size, a namedtuple such as torch.return_types.max: its items
            return {"T": [tree(x, depth + 1) for x in tuple.__iter__(v)]}
        if isinstance(v, list):
            return [tree(x, depth + 1) for x in list.__iter__(v)]
        if isinstance(v, dict):  # an OrderedDict (state_dict) too; read with dict's own methods
            return {"D": [[tree(k, depth + 1), tree(x, depth + 1)] for k, x in dict.items(v)]}
        if isinstance(v, torch.dtype):
            return {"dtype": str(v).removeprefix("torch.")}
        if isinstance(v, (int, float)):  # a subclass (numpy.float64, or one with a rigged __eq__): its value
            return tree(float(v) if isinstance(v, float) else int(v), depth + 1)
        if isinstance(v, str):
            return str.__str__(v)
        if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0 and hasattr(v, "item"):
            return tree(v.item(), depth + 1)  # a numpy scalar such as numpy.int64
        tagged = unknown(v)
        if isinstance(tagged, bytes):
            buffers.append(tagged)
            return {"P": len(buffers) - 1}
        return tagged

    header = json.dumps(tree(value, 0), separators=(",", ":"), allow_nan=False).encode()
    sizes = json.dumps([len(b) for b in buffers]).encode()
    return b"".join([_LENGTH.pack(len(header)), _LENGTH.pack(len(sizes)), header, sizes, *buffers])


def _tensor_bytes(t, buffers: list[bytes]) -> list:
    import torch

    plain = t.detach().as_subclass(torch.Tensor) if type(t) is not torch.Tensor else t.detach()
    if plain.layout != torch.strided or plain.is_quantized or plain.device.type == "meta":
        raise WireError(f"a {plain.layout} tensor cannot be sent; use a dense tensor")
    dtype = str(plain.dtype).removeprefix("torch.")
    if dtype not in DTYPE_NAMES:
        raise WireError(f"tensors of dtype {dtype} cannot be sent")
    flat = plain.cpu().contiguous().reshape(-1)
    buffers.append(flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"")
    return [dtype, list(plain.shape), len(buffers) - 1]


def decode(frame: bytes, *, resolve: Callable[[dict], Any], trusted: bool = False) -> Any:
    """The value of one frame. ``resolve(tag)`` rebuilds a handle tag; pickles are refused unless
    ``trusted`` (the student process reading what the checker sent)."""
    if len(frame) < 8:
        raise WireError("truncated message")
    header_len, sizes_len = _LENGTH.unpack_from(frame, 0)[0], _LENGTH.unpack_from(frame, 4)[0]
    if header_len > MAX_HEADER_BYTES or 8 + header_len + sizes_len > len(frame):
        raise WireError("message header too large")
    try:
        header = json.loads(frame[8:8 + header_len])
        sizes = json.loads(frame[8 + header_len:8 + header_len + sizes_len])
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not JSON: {exc}") from None
    if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes):
        raise WireError("bad buffer table")
    offsets, at = [], 8 + header_len + sizes_len
    for size in sizes:
        offsets.append((at, at + size))
        at += size
    if at != len(frame):
        raise WireError("buffer table does not match the message")
    view = memoryview(frame)
    count = [0]

    def buffer(index: Any) -> memoryview:
        if type(index) is not int or not 0 <= index < len(offsets):
            raise WireError("bad buffer index")
        start, end = offsets[index]
        return view[start:end]

    def value(v: Any, depth: int) -> Any:
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
            raise WireError("message too deep or too large")
        if v is None or type(v) in (bool, int, float, str):
            return v
        if type(v) is list:
            return [value(x, depth + 1) for x in v]
        if type(v) is not dict or len(v) != 1:
            raise WireError("unknown value")
        (tag, body), = v.items()
        if tag == "T" and type(body) is list:
            return tuple(value(x, depth + 1) for x in body)
        if tag == "D" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("bad dict entry")
                key = value(pair[0], depth + 1)
                try:
                    out[key] = value(pair[1], depth + 1)
                except TypeError:
                    raise WireError("unhashable dict key") from None
            return out
        if tag == "X":
            return _tensor(body, buffer)
        if tag == "I" and type(body) is str and len(body) <= 400:
            return int(body)
        if tag == "F" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "dtype" and body in DTYPE_NAMES:
            return dtypes()[body]
        if tag == "P" and trusted:
            return pickle.loads(buffer(body))  # noqa: S301 - written by the checker, read by the student side
        if tag in ("H", "R", "E"):
            return resolve(v)
        raise WireError(f"unknown tag {tag!r}")

    return value(header, 0)


def _tensor(body: Any, buffer: Callable[[Any], memoryview]):
    import torch

    if type(body) is not list or len(body) != 3 or body[0] not in DTYPE_NAMES or type(body[1]) is not list \
            or len(body[1]) > MAX_DIMS or not all(type(n) is int and n >= 0 for n in body[1]):
        raise WireError("bad tensor")
    dtype, shape, data = dtypes()[body[0]], tuple(body[1]), buffer(body[2])
    numel = 1
    for n in shape:
        numel *= n
    if numel * torch.empty((), dtype=dtype).element_size() != len(data):
        raise WireError("tensor bytes do not match its shape")
    if numel == 0:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).reshape(shape)


def write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(_FRAME.pack(MAGIC, len(payload)) + payload)
    while data:
        data = data[os.write(fd, data):]


def read_frame(fd: int, *, limit: int | None = None, stall: float | None = None) -> bytes:
    """The next frame's payload (EOFError at the end). ``stall`` bounds the wait for each later chunk once
    the frame has begun (the first byte may take as long as the student's code computes)."""
    header = _read_exact(fd, _FRAME.size, stall, first=True)
    magic, size = _FRAME.unpack(header)
    if magic != MAGIC:
        raise WireError("not a message of the grader's (junk written onto the channel?)")
    if limit is not None and size > limit:
        raise WireError(f"message of {size} bytes, over the limit of {limit}")
    return _read_exact(fd, size, stall, first=False)


def _read_exact(fd: int, size: int, stall: float | None, first: bool) -> bytes:
    chunks, got = [], 0
    while got < size:
        if stall is not None and not (first and got == 0):
            ready, _w, _x = select.select([fd], [], [], stall)
            if not ready:
                raise WireError(f"a message stopped arriving for {stall:g} s")
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
